{#-
    The model's contracted columns, in the order its yml declares them, for the final select of a model
    under a shared contract (the `int_<source>__focus_charges`, `__requests` and `__usage_buckets` models).
    Selecting by name keeps each mapping free to build its columns in any order; no cast, so a mapping that
    produces the wrong type fails the contract instead of being silently converted.
    `expressions` computes some columns instead (column name -> SQL expression); `of` names another model
    whose contract to list (a union over models that share one).
    dbt unit tests do not see the tested model's columns: there (and at parse time, when nothing runs) it
    is `*`, which holds every contracted column.
-#}
{% macro contract_columns(expressions={}, of=none) -%}
    {%- if of is none -%}
        {%- set columns = model.get('columns') or {} -%}
    {%- else -%}
        {%- set node = (graph.get('nodes') or {}).get('model.' ~ project_name ~ '.' ~ of) or {} -%}
        {%- set columns = node.get('columns') or {} -%}
    {%- endif -%}
    {%- if not columns -%}
        {%- if execute and model.get('resource_type') != 'unit_test' -%}
            {{ exceptions.raise_compiler_error(model.name ~ ": contract_columns() needs the columns declared in yml") }}
        {%- endif -%}
        *
    {%- else -%}
        {%- for column in columns.values() %}
    {% if column.name in expressions %}{{ expressions[column.name] }} as {% endif %}{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
