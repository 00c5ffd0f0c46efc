{#-
    Request-side helpers of the models incremental by billing period (macros/rebuilt_periods.sql).

    The same call can be seen by two sources a few milliseconds apart, across midnight and so across a
    month's end; a model that resolves such calls (int_llm_requests_deduplicated) reads its inputs over the
    rebuilt months widened by a margin and keeps only the rows of those months.
-#}

{#-
    A condition true for rows whose `column` (date or timestamp) falls in a rebuilt period widened by `days`
    on both sides ('false' when none is rebuilt).
-#}
{% macro in_rebuilt_periods_widened(column, days=1) -%}
    {{- in_periods(column, rebuilt_periods(), margin_days=days) -}}
{%- endmacro %}

{#-
    Conditions splitting rows at the first day of the earliest rebuilt period ('false' both when none is
    rebuilt), for a look-back (the previous request of a conversation) that crosses periods: the rows since
    that day are read in full, and of the rows before it only the last one of each sequence.
-#}
{% macro since_rebuilt_periods(column) -%}
    {%- set periods = rebuilt_periods() -%}
    {%- if periods | length == 0 -%}false
    {%- else -%}{{ column }} >= date '{{ periods | first }}-01'
    {%- endif -%}
{%- endmacro %}

{% macro before_rebuilt_periods(column) -%}
    {%- set periods = rebuilt_periods() -%}
    {%- if periods | length == 0 -%}false
    {%- else -%}{{ column }} < date '{{ periods | first }}-01'
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of a model incremental by load (an append-only request source): drop the rows of loads no
    longer in `staging` (a newer version of their file replaced them, or the file went away).
-#}
{% macro delete_replaced_loads(staging) -%}
    {%- if is_incremental() -%}
        {{ delete_rows(this, '_load_id not in (select distinct _load_id from ' ~ staging ~ ')') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
