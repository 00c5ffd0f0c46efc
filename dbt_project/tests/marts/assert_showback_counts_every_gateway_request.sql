-- Showback must count every gateway request and its estimate exactly once (the join with invoice rows
-- may not copy a request onto two services).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_showback_daily'}}}) }}

with

requests as (
    select
        count(*) as gateway_requests,
        coalesce(sum(gateway_cost), 0) as gateway_estimated_cost
    from {{ ref('fct_llm_requests') }}
),

showback as (
    select
        coalesce(sum(gateway_requests), 0) as gateway_requests,
        coalesce(sum(gateway_estimated_cost), 0) as gateway_estimated_cost
    from {{ ref('rpt_showback_daily') }}
)

select
    requests.gateway_requests as fct_requests,
    showback.gateway_requests as showback_requests,
    requests.gateway_estimated_cost as fct_estimate,
    showback.gateway_estimated_cost as showback_estimate
from requests
cross join showback
where
    requests.gateway_requests <> showback.gateway_requests
    or requests.gateway_estimated_cost <> showback.gateway_estimated_cost
