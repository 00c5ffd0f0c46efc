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

{#- Several string values of one JSON document, parsed once: a list indexed with list_at(..., 1..n). -#}
{% macro json_texts(column, paths) -%}{{ return(adapter.dispatch('json_texts', 'aicost')(column, paths)) }}{%- endmacro %}
{% macro default__json_texts(column, paths) -%}
    json_extract_string({{ column }}, [{% for p in paths %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %}])
{%- endmacro %}

{#- Element i (1-based) of a list. -#}
{% macro list_at(list_expression, i) -%}{{ return(adapter.dispatch('list_at', 'aicost')(list_expression, i)) }}{%- endmacro %}
{% macro default__list_at(list_expression, i) -%}{{ list_expression }}[{{ i }}]{%- endmacro %}
{% macro bigquery__list_at(list_expression, i) -%}{{ list_expression }}[safe_ordinal({{ i }})]{%- endmacro %}

{#- A timestamp's month as YYYYMM text. -#}
{% macro year_month(column) -%}{{ return(adapter.dispatch('year_month', 'aicost')(column)) }}{%- endmacro %}
{% macro default__year_month(column) -%}strftime({{ column }}, '%Y%m'){%- endmacro %}
{% macro bigquery__year_month(column) -%}format_datetime('%Y%m', {{ column }}){%- endmacro %}

{#- A JSON array of {key, value} records (GCP labels) as one JSON object {key: value}; NULL when empty. -#}
{% macro key_value_object(column) -%}
    {{ return(adapter.dispatch('key_value_object', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__key_value_object(column) -%}
    case
        when {{ column }} is not null and json_array_length({{ column }}) > 0
            then cast(to_json(map_from_entries(
                json_transform({{ column }}, '[{"key": "VARCHAR", "value": "VARCHAR"}]')
            )) as json)
    end
{%- endmacro %}

{#- One row per day from start_date (inclusive) to end_date (exclusive), column price_date-like `day`. -#}
{% macro day_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_spine', 'aicost')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__day_spine(start_date, end_date) -%}
    select cast(range as date) as day
    from range(date '{{ start_date }}', date '{{ end_date }}', interval 1 day)
{%- endmacro %}
{% macro bigquery__day_spine(start_date, end_date) -%}
    select day from unnest(generate_date_array(date '{{ start_date }}', date_sub(date '{{ end_date }}', interval 1 day))) as day
{%- endmacro %}

{#- Tokens x a price per million tokens, exactly (a division would go through a double in DuckDB). -#}
{% macro cost_of_tokens(tokens, usd_per_mtok) -%}
    cast({{ tokens }} * {{ usd_per_mtok }} * 0.000001 as {{ money_type() }})
{%- endmacro %}

{#-
    An amount divided by a whole divisor (a price per pricing block -> a unit price), as money rounded half
    away from zero at the money scale. Decimal division goes through a double in DuckDB, so there the
    quotient is integer arithmetic on the amount in 1e-12 units; engines whose decimal division is exact
    divide directly.
-#}
{% macro divide_money(amount, divisor) -%}
    {{ return(adapter.dispatch('divide_money', 'aicost')(amount, divisor)) }}
{%- endmacro %}
{% macro default__divide_money(amount, divisor) -%}
    cast({{ amount }} / {{ divisor }} as {{ money_type() }})
{%- endmacro %}
{% macro duckdb__divide_money(amount, divisor) -%}
    cast(
        cast({{ amount }} * 1000000000000 as hugeint) // cast({{ divisor }} as hugeint)
        + case
            when 2 * abs(cast({{ amount }} * 1000000000000 as hugeint) % cast({{ divisor }} as hugeint))
                >= abs(cast({{ divisor }} as hugeint))
                then sign({{ amount }}) * sign({{ divisor }})
            else 0
        end
        as decimal(38, 0)
    ) * 0.000000000001
{%- endmacro %}

{#- 1-based position of a column's value in a list of literals (null when absent): a priority order. -#}
{% macro position_in_list(column, values) -%}
    case {{ column }}{% for value in values %} when '{{ value }}' then {{ loop.index }}{% endfor %} end
{%- endmacro %}
