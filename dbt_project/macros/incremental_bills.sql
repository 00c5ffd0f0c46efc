{#-
    Incremental by billing period, bill side and allocation (issue 13): the periods a model rebuilds are the
    periods whose loads of the sources *upstream of that model* changed (rebuilt_periods.sql counts every
    source). A new day of gateway logs then rebuilds the allocation of its month but not the bill chain
    (FOCUS charges, attribution, charge groups), which no request feeds; a restated bill rebuilds both.
    Exact for the same reason as rebuilt_periods: a model's rows of period P depend only on its upstream
    inputs of period P, and an upstream model is rebuilt (for its own periods) before it is read.
-#}

{#- The dbt source names (= load sources, e.g. `aws_cur`) upstream of a node, from the dbt graph. -#}
{% macro upstream_source_names(node_id=none) -%}
    {%- set state = namespace(frontier=[node_id or model.unique_id], seen=[], sources=[]) -%}
    {#- breadth-first, one level per pass (Jinja has no while loop; the DAG is far shallower than 100) -#}
    {%- for _ in range(100) -%}
        {%- set next_frontier = [] -%}
        {%- for unique_id in state.frontier if unique_id not in state.seen -%}
            {%- do state.seen.append(unique_id) -%}
            {%- if unique_id in graph.sources -%}
                {%- set name = graph.sources[unique_id].source_name -%}
                {%- if name not in state.sources %}{% do state.sources.append(name) %}{% endif -%}
            {%- elif unique_id in graph.nodes -%}
                {%- do next_frontier.extend(graph.nodes[unique_id].depends_on.nodes) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set state.frontier = next_frontier -%}
    {%- endfor -%}
    {{ return(state.sources | sort) }}
{%- endmacro %}

{#-
    The 'YYYY-MM' periods whose loads of the sources upstream of the current model changed since the last
    recorded build. A model downstream of the load register itself (source `loader`) counts every load.
-#}
{% macro rebuilt_upstream_periods() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set sources = upstream_source_names() -%}
    {{ return(rebuilt_periods() if 'loader' in sources else rebuilt_periods(sources)) }}
{%- endmacro %}

{#- in_rebuilt_periods for the periods of the current model's upstream loads (rebuilt_upstream_periods). -#}
{% macro in_rebuilt_upstream_periods(column, period_text=false) -%}
    {{- in_periods(column, rebuilt_upstream_periods(), period_text) -}}
{%- endmacro %}

{#- Pre-hook: drop the rows of the periods the current model rebuilds (no-op when not incremental). -#}
{% macro delete_rebuilt_upstream_periods(column, period_text=false) -%}
    {%- if is_incremental() -%}
        {{ delete_rows(this, in_rebuilt_upstream_periods(column, period_text)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of a model keyed by charge group (the allocation passes and weights, which carry no period
    column): keep only the rows whose group is, in the current `charge_groups` (already rebuilt upstream),
    in a period this model does not rebuild. Drops the rebuilt periods and the groups a restated bill no
    longer has.
-#}
{% macro delete_rebuilt_charge_groups(charge_groups) -%}
    {%- if is_incremental() -%}
        {%- set condition -%}
            charge_group_id not in (
                select kept.charge_group_id from {{ charge_groups }} as kept
                where not ({{ in_rebuilt_upstream_periods('kept.billing_period_start') }})
            )
        {%- endset -%}
        {{ delete_rows(this, condition) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#-
    A condition true for rows whose `column` (a charge group id) is a group of a period the current model
    rebuilds: the filter of a model keyed by charge group reading another one.
-#}
{% macro in_rebuilt_charge_groups(column, charge_groups) -%}
    {{ column }} in (
        select rebuilt.charge_group_id from {{ charge_groups }} as rebuilt
        where {{ in_rebuilt_upstream_periods('rebuilt.billing_period_start') }}
    )
{%- endmacro %}

{#-
    in_rebuilt_upstream_periods when the run is incremental, else `true`: a filter that reads as one more
    condition of a where clause in both modes.
-#}
{% macro incremental_period_filter(column, period_text=false) -%}
    {%- if is_incremental() -%}{{ in_rebuilt_upstream_periods(column, period_text) }}{%- else -%}true{%- endif -%}
{%- endmacro %}
