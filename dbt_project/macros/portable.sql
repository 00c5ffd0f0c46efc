{#-
    Dialect differences live here so the models stay portable: DuckDB (the default), Apache Spark (dbt-spark,
    Spark 4; spark__ implementations), BigQuery later. One implementation per engine behind each name, chosen
    by adapter.dispatch; models never test target.type.
-#}

{#- Money type used from staging to export: never a float. -#}
{% macro money_type() -%}{{ return(adapter.dispatch('money_type', 'aicost')()) }}{%- endmacro %}
{% macro default__money_type() -%}decimal(38, 12){%- endmacro %}
{% macro bigquery__money_type() -%}bignumeric{%- endmacro %}

{#- Whole numbers wider than BIGINT (exact allocation weights, money in 1e-12 units). -#}
{% macro big_int_type() -%}{{ return(adapter.dispatch('big_int_type', 'aicost')()) }}{%- endmacro %}
{% macro default__big_int_type() -%}hugeint{%- endmacro %}
{% macro spark__big_int_type() -%}decimal(38, 0){%- endmacro %}

{#- A JSON document (text on engines without a JSON type). -#}
{% macro json_type() -%}{{ return(adapter.dispatch('json_type', 'aicost')()) }}{%- endmacro %}
{% macro default__json_type() -%}json{%- endmacro %}
{% macro spark__json_type() -%}string{%- endmacro %}

{#- Every column of the relation in scope (or of `qualifier`) but these (DuckDB's EXCLUDE, Spark's EXCEPT). -#}
{% macro star_except(columns, qualifier=none) -%}
    {{ return(adapter.dispatch('star_except', 'aicost')(columns, qualifier)) }}
{%- endmacro %}
{% macro default__star_except(columns, qualifier=none) -%}
    {{ qualifier ~ '.' if qualifier }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(columns, qualifier=none) -%}
    {{ qualifier ~ '.' if qualifier }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{#-
    Every column of `relation` in its order but those in `exclude`, some computed instead (`replacements`:
    column name -> SQL expression): DuckDB's `* replace (...)`, which Spark lacks, written out so a union by position stays
    aligned. At parse time, when nothing runs, and while `relation` is not built yet (a lint compiles the
    project against an empty warehouse) it is `*`; dbt builds `relation` first, so a run always sees it.
-#}
{% macro star_replace(relation, replacements, exclude=[]) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    {%- if columns | length == 0 -%}*{%- else -%}
        {%- for column in columns | rejectattr('name', 'in', exclude) %}
    {% if column.name in replacements %}{{ replacements[column.name] }} as {% endif %}{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A JSON object of key/value pairs (keys literal text, values any expression; nulls kept as null). -#}
{% macro json_object_of(pairs) -%}{{ return(adapter.dispatch('json_object_of', 'aicost')(pairs)) }}{%- endmacro %}
{% macro default__json_object_of(pairs) -%}
    json_object({% for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__json_object_of(pairs) -%}
    to_json(
        named_struct({% for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %}),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}

{#-
    Whole `unit`s ('second', 'millisecond') between two timestamps, counted as DuckDB's date_diff counts
    them: unit boundaries crossed, not whole units elapsed.
-#}
{% macro timestamp_diff(unit, start_at, end_at) -%}
    {{ return(adapter.dispatch('timestamp_diff', 'aicost')(unit, start_at, end_at)) }}
{%- endmacro %}
{% macro default__timestamp_diff(unit, start_at, end_at) -%}date_diff('{{ unit }}', {{ start_at }}, {{ end_at }}){%- endmacro %}
{% macro spark__timestamp_diff(unit, start_at, end_at) -%}
    {%- set per_unit = {'second': 1000000, 'millisecond': 1000}[unit] -%}
    (unix_micros(cast({{ end_at }} as timestamp_ltz)) div {{ per_unit }}
        - unix_micros(cast({{ start_at }} as timestamp_ltz)) div {{ per_unit }})
{%- endmacro %}

{#- A date or timestamp's billing period, 'YYYY-MM'. -#}
{% macro period_of(column) -%}{{ return(adapter.dispatch('period_of', 'aicost')(column)) }}{%- endmacro %}
{% macro default__period_of(column) -%}strftime({{ column }}, '%Y-%m'){%- endmacro %}
{% macro spark__period_of(column) -%}date_format({{ column }}, 'yyyy-MM'){%- endmacro %}

{#-
    Integer division truncated toward zero, exact on whole numbers of any width (DuckDB's `//`; Spark's
    `div` goes through BIGINT, so there it is the exact quotient of the remainder-free dividend).
-#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'aicost')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__int_div(numerator, denominator) -%}({{ numerator }}) // ({{ denominator }}){%- endmacro %}
{% macro spark__int_div(numerator, denominator) -%}
    cast((({{ numerator }}) - ({{ numerator }}) % ({{ denominator }})) / ({{ denominator }}) as decimal(38, 0))
{%- endmacro %}

{#-
    The value of the row with the largest `keys` (a list of expressions compared in order, a null key
    above every value as DuckDB compares rows), among the rows whose value is not null (DuckDB's arg_max
    skips those).
-#}
{% macro value_at_max(value, keys) -%}{{ return(adapter.dispatch('value_at_max', 'aicost')(value, keys)) }}{%- endmacro %}
{% macro default__value_at_max(value, keys) -%}arg_max({{ value }}, row({{ keys | join(', ') }})){%- endmacro %}
{#- Spark puts a null struct field below every value: each key is preceded by its own null flag. -#}
{% macro spark__value_at_max(value, keys) -%}
    max_by({{ value }}, case when {{ value }} is not null then {{ null_last_struct(keys) }} end)
{%- endmacro %}

{#-
    Spark struct of `keys` that orders like DuckDB's ORDER BY with nulls last: each key preceded by
    whether it is null (false before true), so the comparison never reaches a null field.
-#}
{% macro null_last_struct(keys) -%}
    struct({% for key in keys %}({{ key }}) is null, {{ key }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#-
    Values joined by `separator` in the order of `order_by` (distinct values once when `distinct`, only the
    rows where `where` holds when given). The value is `value`, or the body of a call block when that is
    easier to write: {% call ordered_string_agg(none, ', ', 'cost desc') %}name || ' ' || ...{% endcall %}.
-#}
{% macro ordered_string_agg(value, separator, order_by, distinct=false, where=none) -%}
    {%- set rendered = value if value is not none else caller() -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'aicost')(rendered, separator, order_by, distinct, where)) }}
{%- endmacro %}
{% macro default__ordered_string_agg(value, separator, order_by, distinct, where) -%}
    string_agg({{ 'distinct ' if distinct }}{{ value }}, '{{ separator }}' order by {{ order_by }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro spark__ordered_string_agg(value, separator, order_by, distinct, where) -%}
    {%- set only = ' filter (where ' ~ where ~ ')' if where else '' -%}
    {%- if distinct and order_by == value -%}
        {#- Spark 4.3's listagg(distinct) within group fails to plan (ClassCastException): a sorted set instead -#}
        case when size(collect_set({{ value }}){{ only }}) > 0
            then array_join(array_sort(collect_set({{ value }}){{ only }}), '{{ separator }}')
        end
    {%- else -%}
        listagg({{ 'distinct ' if distinct }}{{ value }}, '{{ separator }}') within group (order by {{ order_by }}){{ only }}
    {%- endif -%}
{%- endmacro %}
{#- Rows numbered 0 .. n - 1, column `day_offset`. -#}
{% macro day_offsets(n) -%}{{ return(adapter.dispatch('day_offsets', 'aicost')(n)) }}{%- endmacro %}
{% macro default__day_offsets(n) -%}select range as day_offset from range({{ n }}){%- endmacro %}
{% macro spark__day_offsets(n) -%}select cast(id as bigint) as day_offset from range({{ n }}){%- endmacro %}

{#- A timestamp with time zone as a UTC wall-clock timestamp. -#}
{% macro to_utc(column) -%}{{ return(adapter.dispatch('to_utc', 'aicost')(column)) }}{%- endmacro %}
{% macro default__to_utc(column) -%}timezone('UTC', {{ column }}){%- endmacro %}
{#- the lake's timestamps are instants read in the session's UTC: their wall-clock value is the UTC time -#}
{% macro spark__to_utc(column) -%}cast({{ column }} as timestamp_ntz){%- endmacro %}
{% macro bigquery__to_utc(column) -%}datetime({{ column }}, 'UTC'){%- endmacro %}

{#- One capture group of a regular expression ('' when it does not match). -#}
{% macro regex_group(column, pattern, group) -%}
    {{ return(adapter.dispatch('regex_group', 'aicost')(column, pattern, group)) }}
{%- endmacro %}
{% macro default__regex_group(column, pattern, group) -%}
    regexp_extract({{ column }}, '{{ pattern }}', {{ group }})
{%- endmacro %}

{#- Whether a regular expression matches anywhere in the text. -#}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'aicost')(column, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(column, pattern) -%}regexp_matches({{ column }}, '{{ pattern }}'){%- endmacro %}
{% macro spark__regex_matches(column, pattern) -%}({{ column }} rlike '{{ spark_regex(pattern) }}'){%- endmacro %}
{#- Spark reads backslash escapes in string literals: a pattern's backslashes are doubled to reach the regex -#}
{% macro spark_regex(pattern) -%}{{ pattern | replace('\\', '\\\\') }}{%- endmacro %}

{#- A string value of a JSON document at a JSON path ('$.a.b'). -#}
{% macro json_text(column, path) -%}{{ return(adapter.dispatch('json_text', 'aicost')(column, path)) }}{%- endmacro %}
{% macro default__json_text(column, path) -%}json_extract_string({{ column }}, '{{ path }}'){%- endmacro %}
{% macro spark__json_text(column, path) -%}get_json_object({{ column }}, {{ spark_json_path(path) }}){%- endmacro %}
{#- DuckDB's quoted member $."a.b" is Spark's $['a.b'] (a double-quoted literal, as the path holds quotes) -#}
{% macro spark_json_path(path) -%}"{{ path | replace('."', "['") | replace('"', "']") }}"{%- endmacro %}
{% macro spark__regex_group(column, pattern, group) -%}
    regexp_extract({{ column }}, '{{ spark_regex(pattern) }}', {{ group }})
{%- endmacro %}
{% macro bigquery__json_text(column, path) -%}json_value({{ column }}, '{{ path }}'){%- endmacro %}

{#- First day of the month of a timestamp, as a timestamp. -#}
{% macro month_start(column) -%}{{ return(adapter.dispatch('month_start', 'aicost')(column)) }}{%- endmacro %}
{% macro default__month_start(column) -%}date_trunc('month', {{ column }}){%- endmacro %}
{#- Spark's date_trunc answers a TIMESTAMP (with time zone): back to the wall-clock type -#}
{% macro spark__month_start(column) -%}cast(date_trunc('MONTH', {{ column }}) as timestamp_ntz){%- endmacro %}

{#- Several string values of one JSON document, parsed once: a list indexed with list_at(..., 1..n). -#}
{% macro json_texts(column, paths) -%}{{ return(adapter.dispatch('json_texts', 'aicost')(column, paths)) }}{%- endmacro %}
{% macro default__json_texts(column, paths) -%}
    json_extract_string({{ column }}, [{% for p in paths %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %}])
{%- endmacro %}

{% macro spark__json_texts(column, paths) -%}
    array({% for p in paths %}get_json_object({{ column }}, {{ spark_json_path(p) }}){% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- Element i (1-based) of a list. -#}
{% macro list_at(list_expression, i) -%}{{ return(adapter.dispatch('list_at', 'aicost')(list_expression, i)) }}{%- endmacro %}
{% macro default__list_at(list_expression, i) -%}{{ list_expression }}[{{ i }}]{%- endmacro %}
{% macro spark__list_at(list_expression, i) -%}element_at({{ list_expression }}, {{ i }}){%- endmacro %}
{% macro bigquery__list_at(list_expression, i) -%}{{ list_expression }}[safe_ordinal({{ i }})]{%- endmacro %}

{#- A timestamp's month as YYYYMM text. -#}
{% macro year_month(column) -%}{{ return(adapter.dispatch('year_month', 'aicost')(column)) }}{%- endmacro %}
{% macro default__year_month(column) -%}strftime({{ column }}, '%Y%m'){%- endmacro %}
{% macro spark__year_month(column) -%}date_format({{ column }}, 'yyyyMM'){%- endmacro %}
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

{% macro spark__key_value_object(column) -%}
    case
        when {{ column }} is not null and json_array_length({{ column }}) > 0
            then to_json(map_from_entries(from_json({{ column }}, 'array<struct<key: string, value: string>>')))
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
{% macro spark__day_spine(start_date, end_date) -%}
    select explode(sequence(date '{{ start_date }}', date_sub(date '{{ end_date }}', 1), interval 1 day)) as day
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
{% macro duckdb__divide_money(amount, divisor) -%}{{ divide_money_in_units(amount, divisor) }}{%- endmacro %}
{#- Spark shrinks the scale of a decimal quotient whose precision overflows: the same integer arithmetic -#}
{% macro spark__divide_money(amount, divisor) -%}{{ divide_money_in_units(amount, divisor) }}{%- endmacro %}
{% macro divide_money_in_units(amount, divisor) -%}
    {%- set units = 'cast(' ~ amount ~ ' * 1000000000000 as ' ~ big_int_type() ~ ')' -%}
    {%- set whole_divisor = 'cast(' ~ divisor ~ ' as ' ~ big_int_type() ~ ')' -%}
    {{ units_to_money(
        int_div(units, whole_divisor)
        ~ ' + case when 2 * abs(' ~ units ~ ' % ' ~ whole_divisor ~ ') >= abs(' ~ whole_divisor ~ ')'
        ~ ' then case when (' ~ amount ~ ' < 0) = (' ~ divisor ~ ' < 0) then 1 else -1 end else 0 end'
    ) }}
{%- endmacro %}


{#-
    numerator / denominator as DECIMAL(38, 12), rounded half away from zero, null when the denominator is 0
    or null: the same digits on every engine. DuckDB divides decimals through a double (the twelfth decimal
    then depends on binary rounding) and Spark exactly, so the quotient is integer arithmetic on both, in
    1e-12 units of each operand (operands below 1e14 and of scale 12 at most, as money and counts are).
-#}
{% macro ratio(numerator, denominator) -%}
    {%- set n = 'cast((' ~ numerator ~ ') * 1000000000000 as ' ~ big_int_type() ~ ') * 1000000000000' -%}
    {%- set d = 'cast((' ~ denominator ~ ') * 1000000000000 as ' ~ big_int_type() ~ ')' -%}
    case when {{ d }} <> 0 then {{ units_to_money(
        int_div(n, d)
        ~ ' + case when 2 * abs(' ~ n ~ ' % ' ~ d ~ ') >= abs(' ~ d ~ ')'
        ~ ' then case when (' ~ n ~ ' < 0) = (' ~ d ~ ' < 0) then 1 else -1 end else 0 end'
    ) }} end
{%- endmacro %}

{#- 1-based position of a column's value in a list of literals (null when absent): a priority order. -#}
{% macro position_in_list(column, values) -%}
    case {{ column }}{% for value in values %} when '{{ value }}' then {{ loop.index }}{% endfor %} end
{%- endmacro %}

{#-
    Text parsed as a timestamp by the first of several strftime formats that reads it (null when none does).
    Spark reads Java patterns: the translation keeps one meaning per directive (numbers of one or two digits,
    two when another number follows without a separator, fractions of six, letters such as T and Z literal).
-#}
{% macro parse_timestamp(column, formats) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'aicost')(column, formats)) }}
{%- endmacro %}
{% macro default__parse_timestamp(column, formats) -%}
    cast(try_strptime({{ column }}, [{% for f in formats %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %}]) as timestamp)
{%- endmacro %}
{% macro spark__parse_timestamp(column, formats) -%}
    {%- set directives = {'%Y': 'yyyy', '%m': 'M', '%d': 'd', '%H': 'H', '%M': 'm', '%S': 's', '%f': 'SSSSSS'} -%}
    coalesce(
    {%- for f in formats %}
        {%- set java = namespace(pattern='', literal='') -%}
        {%- set i = namespace(at=0) -%}
        {%- for _ in range(f | length) -%}
            {%- if i.at < f | length -%}
                {%- set two = f[i.at:i.at + 2] -%}
                {%- if two in directives -%}
                    {#- numbers with no separator between them (%Y%m%d) are read at fixed width: all of them,
                        since Java's adjacent parsing fails when the last one is variable -#}
                    {%- set adjacent = f[i.at + 2:i.at + 3] == '%' or (i.at >= 2 and f[i.at - 2:i.at] in directives) -%}
                    {%- set fixed = adjacent and directives[two] | length == 1 -%}
                    {%- set java.pattern = java.pattern ~ (directives[two] ~ directives[two] if fixed else directives[two]) -%}
                    {%- set i.at = i.at + 2 -%}
                {%- elif f[i.at] in 'TZ' -%}
                    {%- set java.pattern = java.pattern ~ "'" ~ f[i.at] ~ "'" -%}
                    {%- set i.at = i.at + 1 -%}
                {%- else -%}
                    {%- set java.pattern = java.pattern ~ f[i.at] -%}
                    {%- set i.at = i.at + 1 -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor %}
        try_to_timestamp({{ column }}, "{{ java.pattern }}"){% if not loop.last %},{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#-
    A decimal as text without trailing zeros (2.700000000000 -> 2.7, 3.000 -> 3), as evidence sentences quote
    prices. Standard trim(trailing ...): the two-argument rtrim takes its arguments in opposite orders on
    DuckDB and Spark.
-#}
{% macro decimal_text(column) -%}
    coalesce(nullif(trim(trailing '.' from trim(trailing '0' from {{ plain_decimal_text(column) }})), ''), '0')
{%- endmacro %}

{#-
    A decimal as plain digits (never 1E-7). Spark writes a decimal as Java's BigDecimal.toString does: in
    scientific notation below 1e-6, zero of scale 12 included (`0E-12`). Below 1 it writes |x| + 1 instead
    ('1.000000000001', exact) and puts the 0 back.
-#}
{% macro plain_decimal_text(column) -%}
    {{ return(adapter.dispatch('plain_decimal_text', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__plain_decimal_text(column) -%}cast({{ column }} as string){%- endmacro %}
{% macro spark__plain_decimal_text(column) -%}
    case
        when abs({{ column }}) < 1
            then concat(
                case when {{ column }} < 0 then '-' else '' end, '0', substr(cast(abs({{ column }}) + 1 as string), 2)
            )
        else cast({{ column }} as string)
    end
{%- endmacro %}

{#- A JSON document from text, null when the text is not valid JSON. -#}
{% macro try_json(column) -%}{{ return(adapter.dispatch('try_json', 'aicost')(column)) }}{%- endmacro %}
{% macro default__try_json(column) -%}try_cast({{ column }} as json){%- endmacro %}
{% macro spark__try_json(column) -%}
    case when try_parse_json({{ column }}) is not null then {{ column }} end
{%- endmacro %}

{#-
    The first match of an anchored regular expression replaced (groups written \1, \2 as in DuckDB). Spark
    replaces every match and writes groups $1: patterns here are anchored, so there is one match at most.
-#}
{% macro regex_replace(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace', 'aicost')(column, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
{% macro spark__regex_replace(column, pattern, replacement) -%}
    {%- set groups = namespace(text=replacement) -%}
    {%- for n in range(1, 10) -%}{%- set groups.text = groups.text | replace('\\' ~ n, '$' ~ n) -%}{%- endfor -%}
    regexp_replace({{ column }}, '{{ spark_regex(pattern) }}', '{{ groups.text }}')
{%- endmacro %}

{#-
    A join clause giving one row per part of `text` split at `separator` (a literal), as `alias`.`column`:
    from t {{ split_rows('t.list', ', ', 'parts', 'part') }}.
-#}
{% macro split_rows(text, separator, alias, column) -%}
    {{ return(adapter.dispatch('split_rows', 'aicost')(text, separator, alias, column)) }}
{%- endmacro %}
{% macro default__split_rows(text, separator, alias, column) -%}
    cross join unnest(string_split({{ text }}, '{{ separator }}')) as {{ alias }} ({{ column }})
{%- endmacro %}
{#- Spark's split reads a regular expression: the separator is quoted as a literal -#}
{% macro spark__split_rows(text, separator, alias, column) -%}
    lateral view explode(split({{ text }}, '\\\\Q{{ separator }}\\\\E')) {{ alias }} as {{ column }}
{%- endmacro %}

{#- The elements of a JSON array as rows of JSON text (a select-list expression, like unnest / explode). -#}
{% macro json_array_elements(column) -%}
    {{ return(adapter.dispatch('json_array_elements', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__json_array_elements(column) -%}unnest(json_extract({{ column }}, '$[*]')){%- endmacro %}
{% macro spark__json_array_elements(column) -%}explode(from_json({{ column }}, 'array<string>')){%- endmacro %}

{#-
    The value of the first row in the order of `keys` (ascending expressions, null keys last), null values
    included (arg_min would skip rows whose value is null); only rows where `where` holds when given.
-#}
{% macro first_by(value, keys, where=none) -%}
    {{ return(adapter.dispatch('first_by', 'aicost')(value, keys, where)) }}
{%- endmacro %}
{% macro default__first_by(value, keys, where) -%}
    first({{ value }} order by {{ keys | join(', ') }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{#- the value wrapped in a struct, which is never null, so min_by keeps a null value -#}
{% macro spark__first_by(value, keys, where) -%}
    (min_by(named_struct('v', {{ value }}), {{ null_last_struct(keys) }}){% if where %} filter (where {{ where }}){% endif %}).v
{%- endmacro %}

{#-
    The members of a JSON object as rows of a struct {key, value} (values as text): a select-list
    expression, the struct's fields read as `alias.key` and `alias.value`.
-#}
{% macro json_object_entries(column) -%}
    {{ return(adapter.dispatch('json_object_entries', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__json_object_entries(column) -%}
    unnest(map_entries(json_transform({{ column }}, '"MAP(VARCHAR, VARCHAR)"')))
{%- endmacro %}
{% macro spark__json_object_entries(column) -%}
    explode(map_entries(from_json({{ column }}, 'map<string, string>')))
{%- endmacro %}

{#- The elements of a JSON array as rows of text (strings unquoted): a select-list expression. -#}
{% macro json_text_array_elements(column) -%}
    {{ return(adapter.dispatch('json_text_array_elements', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__json_text_array_elements(column) -%}unnest(json_transform({{ column }}, '["VARCHAR"]')){%- endmacro %}
{% macro spark__json_text_array_elements(column) -%}explode(from_json({{ column }}, 'array<string>')){%- endmacro %}

{#- A date plus a whole number of days, as a date. -#}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'aicost')(date_expression, days)) }}
{%- endmacro %}
{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}
{% macro spark__add_days(date_expression, days) -%}date_add({{ date_expression }}, cast({{ days }} as int)){%- endmacro %}

{#- A select of every day from the first to the last `column` of `relation`, as column `column`. -#}
{% macro calendar_of(relation, column) -%}
    {{ return(adapter.dispatch('calendar_of', 'aicost')(relation, column)) }}
{%- endmacro %}
{% macro default__calendar_of(relation, column) -%}
    select cast(unnest(generate_series(min({{ column }}), max({{ column }}), interval 1 day)) as date) as {{ column }}
    from {{ relation }}
{%- endmacro %}
{#- Spark takes no generator beside an aggregate: the bounds first -#}
{% macro spark__calendar_of(relation, column) -%}
    select explode(sequence(first_day, last_day, interval 1 day)) as {{ column }}
    from (select min({{ column }}) as first_day, max({{ column }}) as last_day from {{ relation }}) as bounds
{%- endmacro %}

{#-
    Exact discrete quantiles (the ceil(n * q)-th smallest of n values, as exact_quantile) of a large
    partition, from one sort: quantile_rank numbers each row's value in ascending order among the rows
    where `where` holds and the value is not null (the other rows rank after them), quantile_count counts
    those rows, and quantile_from_ranks picks the value ranked ceil(count * q), as an aggregate or over a
    window. Spark sorts a collected array per output row of a window and per group of an aggregate, which
    over a day's requests took minutes; a window sort is one pass on every engine.
-#}
{% macro quantile_rank(value, partition_by, where=none) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by case when {{ value }} is not null{% if where %} and ({{ where }}){% endif %} then 0 else 1 end, {{ value }}
    )
{%- endmacro %}
{% macro quantile_count(value, partition_by, where=none) -%}
    count({% if where %}case when {{ where }} then {{ value }} end{% else %}{{ value }}{% endif %})
        over (partition by {{ partition_by }})
{%- endmacro %}
{% macro quantile_from_ranks(value, q, rank, count, over=none) -%}
    max(case when {{ rank }} = ceil({{ count }} * {{ q }}) then {{ value }} end)
    {%- if over %} over ({{ over }}){% endif %}
{%- endmacro %}

{#-
    The exact discrete quantile q of a value (an actual value, the ceil(n * q)-th smallest of the n non-null
    ones, as DuckDB's quantile_disc), as an aggregate or over a window (`over`: the window's partition
    clause); only rows where `where` holds when given. Spark's percentile_disc answers a double, which
    would round money: there the sorted values are indexed.
-#}
{% macro exact_quantile(value, q, where=none, over=none) -%}
    {{ return(adapter.dispatch('exact_quantile', 'aicost')(value, q, where, over)) }}
{%- endmacro %}
{% macro default__exact_quantile(value, q, where, over) -%}
    quantile_disc({{ value }}, {{ q }}){% if where %} filter (where {{ where }}){% endif %}
    {%- if over %} over ({{ over }}){% endif %}
{%- endmacro %}
{% macro spark__exact_quantile(value, q, where, over) -%}
    {%- set suffix = (' filter (where ' ~ where ~ ')' if where else '') ~ (' over (' ~ over ~ ')' if over else '') -%}
    case when count({{ value }}){{ suffix }} > 0 then element_at(
        array_sort(collect_list({{ value }}){{ suffix }}),
        cast(ceil(count({{ value }}){{ suffix }} * {{ q }}) as int)
    ) end
{%- endmacro %}
