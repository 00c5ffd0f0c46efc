{#-
    Re-pricing history: the list cost of each day's usage as rated with each catalogue version that was
    current when a run saw it. Grain: day x rated data (requests, usage_reports) x provider x model x
    catalogue version.

    Incremental and append-only: a run adds the ratings of the current catalogue version for the days not
    yet rated with it, and never changes an earlier rating. When genai-prices (or the override seed) changes
    prices, the next run appends the restated cost beside the first one; rpt_list_cost_restatements sets
    them side by side. Its columns are contracted: a change to them fails the run (a deliberate migration)
    instead of silently altering history, and `--full-refresh` never rebuilds it (full_refresh=false): the
    ratings of earlier catalogue versions exist nowhere else.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        full_refresh=false,
    )
}}

with

requests as (
    select
        request_date as usage_date,
        'requests' as rated_data,
        provider_name,
        model_id,
        catalogue_version,
        list_cost,
        total_tokens
    from {{ ref('fct_llm_requests_daily') }}
),

usage_reports as (
    select
        usage_date,
        'usage_reports' as rated_data,
        provider_name,
        model_id,
        catalogue_version,
        list_cost,
        total_tokens
    from {{ ref('fct_llm_usage_daily') }}
),

current_version as (
    select max(catalogue_version) as catalogue_version
    from {{ ref('stg_prices__catalogue_prices') }}
    where is_current
),

rated as (
    select
        rated_rows.usage_date,
        rated_rows.rated_data,
        rated_rows.provider_name,
        coalesce(rated_rows.model_id, '(none)') as model_id,
        current_version.catalogue_version,
        sum(rated_rows.list_cost) as list_cost,
        sum(rated_rows.total_tokens) as total_tokens,
        sum(case when rated_rows.list_cost is null then rated_rows.total_tokens else 0 end) as unpriced_tokens
    from (
        select * from requests
        union all
        select * from usage_reports
    ) as rated_rows
    cross join current_version
    group by all
)

select
    rated.*,
    current_timestamp as rated_at
from rated
{% if is_incremental() -%}
    where not exists (
        select 1
        from {{ this }} as earlier
        where
            earlier.usage_date = rated.usage_date
            and earlier.rated_data = rated.rated_data
            and earlier.provider_name = rated.provider_name
            and earlier.model_id = rated.model_id
            and earlier.catalogue_version = rated.catalogue_version
    )
{%- endif %}
