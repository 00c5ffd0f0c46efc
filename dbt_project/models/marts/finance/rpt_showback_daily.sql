{#-
    Showback: what each team and application spent per day, by provider, service and model, from the
    allocated cost (invoice cost split by measured usage, shared charges spread, idle capacity on its own
    `Idle` rows), beside the request-level counts, tokens and the gateway's estimate. Request-only rows (a
    day the bill has not reached yet, gateway cache hits) carry no cost.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the days of the periods whose
    bills or requests changed (a charge's day is in its billing period).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('charge_date') }}",
    )
}}

with

allocated as (
    select
        charge_date,
        provider_name,
        service_name,
        team,
        application,
        environment,
        cost_centre_id,
        model_id,
        is_ai,
        allocation_category,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        sum(token_count) as billed_tokens,
        sum(internal_price) as internal_price
    from {{ ref('fct_ai_costs_allocated') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('charge_date') }}
    {%- endif %}
    group by all
),

requests as (
    select
        request_date as charge_date,
        provider_name,
        team,
        application,
        environment,
        cost_centre_id,
        model_id,
        cost_currency as billing_currency,
        cast(sum(requests) as {{ big_int_type() }}) as gateway_requests,
        sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens + reasoning_tokens)
            as gateway_tokens,
        sum(gateway_cost) as gateway_estimated_cost
    from {{ ref('fct_llm_requests_daily') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('request_date') }}
    {%- endif %}
    group by all
),

-- Requests meet the allocated usage of the same day, provider, owner, model and currency (not tax,
-- credits or idle lines, which no request caused).
joined as (
    select
        coalesce(allocated.charge_date, requests.charge_date) as charge_date,
        coalesce(allocated.provider_name, requests.provider_name) as provider_name,
        allocated.service_name,
        coalesce(allocated.team, requests.team) as team,
        coalesce(allocated.application, requests.application) as application,
        coalesce(allocated.environment, requests.environment) as environment,
        coalesce(allocated.cost_centre_id, requests.cost_centre_id) as cost_centre_id,
        coalesce(allocated.model_id, requests.model_id) as model_id,
        coalesce(allocated.is_ai, true) as is_ai,
        coalesce(allocated.allocation_category, 'usage') as allocation_category,
        coalesce(allocated.billing_currency, requests.billing_currency) as billing_currency,
        coalesce(allocated.billed_cost, 0) as billed_cost,
        coalesce(allocated.effective_cost, 0) as effective_cost,
        coalesce(allocated.list_cost, 0) as list_cost,
        coalesce(allocated.internal_price, 0) as internal_price,
        coalesce(allocated.billed_tokens, 0) as billed_tokens,
        coalesce(requests.gateway_estimated_cost, 0) as gateway_estimated_cost,
        coalesce(requests.gateway_tokens, 0) as gateway_tokens,
        coalesce(requests.gateway_requests, 0) as gateway_requests
    from allocated
    full outer join requests
        on
            allocated.allocation_category = 'usage'
            and allocated.charge_date = requests.charge_date
            and allocated.provider_name = requests.provider_name
            and allocated.team = requests.team
            and allocated.application = requests.application
            and allocated.environment = requests.environment
            and allocated.cost_centre_id = requests.cost_centre_id
            and allocated.model_id = requests.model_id
            and allocated.billing_currency = requests.billing_currency
)

select
    charge_date,
    provider_name,
    coalesce(service_name, 'Requests only') as service_name,
    team,
    application,
    environment,
    cost_centre_id,
    nullif(model_id, '') as model_id,
    billing_currency,
    billed_cost,
    effective_cost,
    list_cost,
    gateway_estimated_cost,
    billed_tokens,
    gateway_tokens,
    gateway_requests,
    is_ai,
    allocation_category,
    internal_price
from joined
