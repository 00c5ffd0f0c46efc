{#-
    The most expensive requests of each day (allocated AI cost, int_request_costs_allocated): the top
    `unit_economics_outlier_top_n` per day and currency (var, default 10), with how far each is above the
    day's median cost per request. Requests that cost nothing are left out.

    Incremental by billing period (month of cost_date; macros/rebuilt_periods.sql): a day's outliers are
    ranked among that day's requests only, so the rebuilt months are deleted and ranked again.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('cost_date') }}",
    )
}}

with

requests as (
    select * from {{ ref('int_request_costs_allocated') }}
    where
        allocated_cost > 0
    {% if is_incremental() -%}
        and {{ in_rebuilt_periods('request_date') }}
    {%- endif %}
),

cost_ranks as (
    select
        *,
        {{ quantile_rank('allocated_cost', 'request_date, billing_currency') }} as day_cost_rank,
        {{ quantile_count('allocated_cost', 'request_date, billing_currency') }} as day_costs
    from requests
),

ranked as (
    select
        *,
        {{ quantile_from_ranks(
            'allocated_cost', 0.5, 'day_cost_rank', 'day_costs', over='partition by request_date, billing_currency'
        ) }} as day_median_cost,
        -- BIGINT on every engine (Spark's row_number is an INT)
        cast(row_number() over (
            partition by request_date, billing_currency
            order by allocated_cost desc, request_source asc, request_id asc
        ) as bigint) as outlier_rank
    from cost_ranks
)

select
    request_date as cost_date,
    request_id,
    request_source,
    team,
    application,
    feature,
    provider_name,
    model_id,
    billing_currency,
    cast(allocated_cost as {{ money_type() }}) as allocated_cost,
    cast(list_cost as {{ money_type() }}) as list_cost,
    cast(day_median_cost as {{ money_type() }}) as day_median_cost,
    {{ ratio('allocated_cost', 'day_median_cost') }} as times_day_median,
    total_tokens,
    outlier_rank
from ranked
where outlier_rank <= {{ var('unit_economics_outlier_top_n', 10) }}
