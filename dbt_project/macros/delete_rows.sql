{#-
    Deleting the rows an incremental build replaces, on every engine (the pre-hooks of macros/rebuilt_periods.sql,
    incremental_bills.sql and incremental_requests.sql).

    DuckDB deletes rows. Spark's Parquet tables have no row-level delete (that needs Delta or Iceberg, which a
    plain Spark does not ship), so Spark rewrites the table with the rows it keeps: they are copied to a side
    table, the table is overwritten from it (INSERT OVERWRITE, atomic per table in Spark's file commit) and the
    side table dropped. Most nightly runs replace nothing in most models, so the rewrite only happens when a row
    matches. A row whose condition is null is kept, as a DELETE keeps it.

    Returns the SQL the hook runs: the DELETE on DuckDB; on Spark, where the work is done while the hook is
    rendered (Spark runs one statement at a time), `select 1`.
-#}
{% macro delete_rows(relation, condition, alias=none) -%}
    {{ return(adapter.dispatch('delete_rows', 'aicost')(relation, condition, alias)) }}
{%- endmacro %}

{% macro default__delete_rows(relation, condition, alias=none) -%}
    delete from {{ relation }}{{ ' as ' ~ alias if alias }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_rows(relation, condition, alias=none) -%}
    {%- if execute -%}
        {%- set stored = relation ~ (' as ' ~ alias if alias else '') -%}
        {%- set matched = run_query('select count(*) from ' ~ stored ~ ' where ' ~ condition).columns[0].values()[0] -%}
        {%- if matched > 0 -%}
            {%- set kept = relation.incorporate(path={'identifier': relation.identifier ~ '__dbt_kept'}) -%}
            {%- do run_query('drop table if exists ' ~ kept) -%}
            {%- do run_query(
                'create table ' ~ kept ~ ' using parquet as select * from ' ~ stored
                ~ ' where not coalesce(' ~ condition ~ ', false)'
            ) -%}
            {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ kept) -%}
            {%- do run_query('drop table ' ~ kept) -%}
            {{ log('deleted ' ~ matched ~ ' row(s) of ' ~ relation ~ ' (rewritten without them)', info=true) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
