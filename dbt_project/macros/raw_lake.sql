{#-
    The raw layer on engines that read it from the Parquet lake (pipelines/lake.py): at the start of every
    run each declared source table becomes a view over its lake folder, `<lake>/<slug>/<table>`, whose
    `_load_id=<id>` subfolders are the live loads. The view is created afresh each run, so a new load, a
    replaced one or a column the loader added is seen without any repair step. DuckDB reads its own raw
    tables (written by the same loader in the same file): nothing to do there.
-#}
{% macro register_raw_lake() -%}{{ return(adapter.dispatch('register_raw_lake', 'aicost')()) }}{%- endmacro %}

{% macro default__register_raw_lake() -%}{%- endmacro %}

{% macro spark__register_raw_lake() -%}
    {%- set lake = env_var('AICOST_LAKE', '') -%}
    {%- if execute -%}
        {%- if not lake -%}
            {{ exceptions.raise_compiler_error("AICOST_LAKE is not set: the Spark engine reads the raw layer from the Parquet lake `aicost run` writes (setting lake)") }}
        {%- endif -%}
        {%- for source in graph.sources.values() -%}
            {%- set slug = 'raw' if source.schema == 'raw' else source.schema | replace('raw_', '', 1) -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- do run_query('create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select * from parquet.`' ~ lake ~ '/' ~ slug ~ '/' ~ source.identifier ~ '`') -%}
        {%- endfor -%}
    {%- endif -%}

{%- endmacro %}
