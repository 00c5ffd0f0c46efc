{#-
    Showback: what each team and application spent per day, by provider, service and model, with the
    invoice-grade cost (FOCUS, attributed by the bill's own tags, accounts and projects) beside the
    gateway's request counts, tokens and estimate. Gateway-only rows (e.g. cache hits) carry no cost.
-#}

with

charges as (
    select
        cast(charge_period_start as date) as charge_date,
        provider_name,
        service_name,
        team,
        application,
        environment,
        cost_centre_id,
        coalesce(model_id, '') as model_id,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        sum(coalesce(token_count, 0)) as billed_tokens
    from {{ ref('int_cost_and_usage_attributed') }}
    where charge_category <> 'Tax' or charge_category is null
    group by all
),

taxes as (
    -- Tax is a separate charge category: shown on its own rows, never mixed into usage cost.
    select
        cast(charge_period_start as date) as charge_date,
        provider_name,
        'Tax' as service_name,
        team,
        application,
        environment,
        cost_centre_id,
        '' as model_id,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        0 as billed_tokens
    from {{ ref('int_cost_and_usage_attributed') }}
    where charge_category = 'Tax'
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
        sum(requests) as requests,
        sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens + reasoning_tokens)
            as gateway_tokens,
        sum(gateway_cost) as gateway_estimated_cost
    from {{ ref('fct_llm_requests_daily') }}
    group by all
),

invoiced as (
    select * from charges
    union all
    select * from taxes
),

-- Gateway requests meet the bill at (day, provider, team, application, environment, model, currency).
joined as (
    select
        coalesce(invoiced.charge_date, requests.charge_date) as charge_date,
        coalesce(invoiced.provider_name, requests.provider_name) as provider_name,
        invoiced.service_name,
        coalesce(invoiced.team, requests.team) as team,
        coalesce(invoiced.application, requests.application) as application,
        coalesce(invoiced.environment, requests.environment) as environment,
        coalesce(invoiced.cost_centre_id, requests.cost_centre_id) as cost_centre_id,
        coalesce(invoiced.model_id, requests.model_id) as model_id,
        coalesce(invoiced.billing_currency, requests.billing_currency) as billing_currency,
        coalesce(invoiced.billed_cost, 0) as billed_cost,
        coalesce(invoiced.effective_cost, 0) as effective_cost,
        coalesce(invoiced.list_cost, 0) as list_cost,
        coalesce(invoiced.billed_tokens, 0) as billed_tokens,
        coalesce(requests.requests, 0) as gateway_requests,
        coalesce(requests.gateway_tokens, 0) as gateway_tokens,
        coalesce(requests.gateway_estimated_cost, 0) as gateway_estimated_cost
    from invoiced
    full outer join requests
        on
            invoiced.service_name <> 'Tax'
            and invoiced.charge_date = requests.charge_date
            and invoiced.provider_name = requests.provider_name
            and invoiced.team = requests.team
            and invoiced.application = requests.application
            and invoiced.environment = requests.environment
            and invoiced.model_id = requests.model_id
            and invoiced.billing_currency = requests.billing_currency
)

select
    charge_date,
    provider_name,
    coalesce(service_name, 'Gateway only') as service_name,
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
    gateway_requests
from joined
