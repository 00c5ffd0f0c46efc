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
