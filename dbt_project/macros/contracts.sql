{#-
    The model's contracted columns, in the order its yml declares them, for the final select of a model
    under a shared contract (the `int_<source>__focus_charges` models). Selecting by name keeps each
    mapping free to build its columns in any order; no cast, so a mapping that produces the wrong type
    fails the contract instead of being silently converted.
-#}
{% macro contract_columns() -%}
    {%- for column in model.columns.values() %}
    {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
