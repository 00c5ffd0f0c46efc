{#-
    Incremental by billing period: the months this run rebuilds.

    The run records, after each successful build of the whole project, the live loads and the billing
    periods each holds (schema _aicost, pipelines/build_state.py). A period is rebuilt when a load holding it
    is new, or was replaced or removed since: a restated month rebuilds that month, a new day of gateway logs
    rebuilds the month it falls in, and a run with nothing new rebuilds nothing. When the project, seeds or
    price catalogue change, the run rebuilds everything (dbt build --full-refresh) instead.

    The list is read when the model is compiled, which dbt does right before running it, so it is rendered
    into the SQL as constants: DuckDB then prunes row groups by the date column (zone maps) instead of joining.
-#}

{#-
    `sources` (dbt source names = load sources) restricts the comparison to those sources' loads.

    The build record lives in the DuckDB warehouse file. A run building with another engine (Spark) makes the
    same comparison in Python and hands the result over as the var `aicost_rebuilt_periods` (source ->
    periods), which, when set, is the answer.
-#}
{% macro rebuilt_periods(sources=none) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if sources is not none and sources | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set handed = var('aicost_rebuilt_periods', none) -%}
    {%- if handed is not none -%}
        {%- set periods = [] -%}
        {%- for source, source_periods in handed.items() if sources is none or source in sources -%}
            {%- for period in source_periods if period not in periods %}{% do periods.append(period) %}{% endfor -%}
        {%- endfor -%}
        {{ return(periods | sort) }}
    {%- endif -%}
    {%- set built = adapter.get_relation(database=target.database, schema='_aicost', identifier='built_loads') -%}
    {%- set only_sources -%}
        {%- if sources is not none %} and source in ('{{ sources | join("', '") }}'){% endif -%}
    {%- endset -%}
    {%- set live -%}
        select load_id, status, trim(period) as billing_period
        from {{ source('loader', '_loads') }} {{ split_rows("coalesce(billing_period, '')", ',', 'p', 'period') }}
        where status in ('loaded', 'superseded'){{ only_sources }}
    {%- endset -%}
    {%- if built is none -%}
        {%- set query -%}select distinct billing_period from ({{ live }}) order by 1{%- endset -%}
    {%- else -%}
        {%- set query -%}
            with live as ({{ live }}),
            built as (select load_id, status, billing_period from {{ built }} where true{{ only_sources }}),
            changed as (
                (select * from live except select * from built)
                union all
                (select * from built except select * from live)
            )
            select distinct billing_period from changed where {{ regex_matches('billing_period', '^[0-9]{4}-[0-9]{2}$') }} order by 1
        {%- endset -%}
    {%- endif -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{#-
    A condition true for rows whose `column` falls in one of `periods` ('YYYY-MM'; 'false' when none): a date
    or timestamp, widened by `margin_days` on both sides, or with `period_text` a 'YYYY-MM' text column.
-#}
{% macro in_periods(column, periods, period_text=false, margin_days=0) -%}
    {%- if periods | length == 0 -%}false
    {%- elif period_text -%}{{ column }} in ('{{ periods | join("', '") }}')
    {%- else -%}
        {%- set margin = " - interval " ~ margin_days ~ " day" if margin_days else "" -%}
        {%- set after = " + interval " ~ margin_days ~ " day" if margin_days else "" -%}
        ({%- for period in periods -%}
            {%- set start = period ~ '-01' -%}
            {{ column }} >= date '{{ start }}'{{ margin }} and {{ column }} < date '{{ start }}' + interval 1 month{{ after }}
            {%- if not loop.last %} or {% endif -%}
        {%- endfor -%})
    {%- endif -%}
{%- endmacro %}

{#- A condition true for rows whose `column` falls in a period this run rebuilds (see in_periods). -#}
{% macro in_rebuilt_periods(column, period_text=false) -%}
    {{- in_periods(column, rebuilt_periods(), period_text) -}}
{%- endmacro %}

{#- Pre-hook of a model incremental by billing period: drop the rows of the periods this run rebuilds. -#}
{% macro delete_rebuilt_periods(column, period_text=false) -%}
    {%- if is_incremental() -%}
        {{ delete_rows(this, in_rebuilt_periods(column, period_text)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
