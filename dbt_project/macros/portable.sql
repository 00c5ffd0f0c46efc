{#- Dialect differences live here so the models stay portable (DuckDB default, BigQuery later). -#}

{#- Money type used from staging to export: never a float. -#}
{% macro money_type() -%}{{ return(adapter.dispatch('money_type', 'aicost')()) }}{%- endmacro %}
{% macro default__money_type() -%}decimal(38, 12){%- endmacro %}
{% macro bigquery__money_type() -%}bignumeric{%- endmacro %}

{#- A timestamp with time zone as a UTC wall-clock timestamp. -#}
{% macro to_utc(column) -%}{{ return(adapter.dispatch('to_utc', 'aicost')(column)) }}{%- endmacro %}
{% macro default__to_utc(column) -%}timezone('UTC', {{ column }}){%- endmacro %}
{% macro bigquery__to_utc(column) -%}datetime({{ column }}, 'UTC'){%- endmacro %}

{#- One capture group of a regular expression ('' when it does not match). -#}
{% macro regex_group(column, pattern, group) -%}
    {{ return(adapter.dispatch('regex_group', 'aicost')(column, pattern, group)) }}
{%- endmacro %}
{% macro default__regex_group(column, pattern, group) -%}
    regexp_extract({{ column }}, '{{ pattern }}', {{ group }})
{%- endmacro %}

{#- A string value of a JSON document at a JSON path ('$.a.b'). -#}
{% macro json_text(column, path) -%}{{ return(adapter.dispatch('json_text', 'aicost')(column, path)) }}{%- endmacro %}
{% macro default__json_text(column, path) -%}json_extract_string({{ column }}, '{{ path }}'){%- endmacro %}
{% macro bigquery__json_text(column, path) -%}json_value({{ column }}, '{{ path }}'){%- endmacro %}

{#- First day of the month of a timestamp, as a timestamp. -#}
{% macro month_start(column) -%}date_trunc('month', {{ column }}){%- endmacro %}
