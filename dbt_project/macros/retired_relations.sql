{#-
    Relations earlier versions of the project built and this one no longer defines, dropped at the start of
    every run so a warehouse upgraded in place holds no stale copy an analyst could query by mistake. Only
    these names are dropped: tables an analyst created beside the marts are never touched.
-#}
{% macro drop_retired_relations() -%}
    {%- set retired = [
        'int_llm_requests_tokenised',
        'int_llm_requests_unioned',
    ] -%}
    {%- if execute -%}
        {%- for name in retired -%}
            {%- set relation = adapter.get_relation(database=target.database, schema=target.schema, identifier=name) -%}
            {%- if relation is not none -%}
                {{ log("dropping " ~ relation ~ ", which this version of the project no longer builds", info=true) }}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#-
    Incremental models whose stored table lacks a column the model now documents are dropped at the start
    of the run, so they rebuild in full: appending the new column would leave it null on every row loaded
    before the upgrade (a request's customer and feature, say), and an analyst could not tell. Only this
    project's incremental models are looked at; a table with every documented column is kept. A model
    configured full_refresh=false keeps history no rebuild could recreate (when each anomaly was first
    detected): it is never dropped; the run stops instead, naming the columns to add by hand.
-#}
{% macro drop_outdated_incremental_relations() -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name
            and node.config.materialized == 'incremental' and node.columns -%}
            {%- set relation = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias
            ) -%}
            {%- if relation is not none -%}
                {%- set stored = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
                {%- set missing = node.columns.keys() | map('lower') | reject('in', stored) | list -%}
                {%- if missing and node.config.full_refresh == false -%}
                    {{ exceptions.raise_compiler_error(
                        relation ~ " lacks " ~ missing | join(', ') ~ " and keeps history a rebuild would lose "
                        ~ "(full_refresh=false): add the column(s) with ALTER TABLE, then run again"
                    ) }}
                {%- elif missing -%}
                    {{ log("rebuilding " ~ relation ~ " in full: it lacks " ~ missing | join(', '), info=true) }}
                    {%- do adapter.drop_relation(relation) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
