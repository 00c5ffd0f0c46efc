-- The reconciliation carries every cent of both sides once: per currency, its invoiced cost equals the AI
-- charges' effective cost in FOCUS, and its gateway estimate equals the gateway's spend in fct_llm_requests.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_reconciliation_daily'}}}) }}

with

focus as (
    select
        BillingCurrency as billing_currency,
        sum(EffectiveCost) as invoiced_cost
    from {{ ref('focus_cost_and_usage') }}
    where ServiceCategory = 'AI and Machine Learning'
    group by BillingCurrency
),

gateway as (
    select coalesce(sum(gateway_cost), 0) as gateway_estimated_cost
    from {{ ref('fct_llm_requests') }}
    where request_source = 'litellm'
),

reconciliation as (
    select
        billing_currency,
        sum(invoiced_cost) as invoiced_cost,
        sum(gateway_estimated_cost) as gateway_estimated_cost
    from {{ ref('rpt_reconciliation_daily') }}
    group by billing_currency
),

invoice_differences as (
    select
        'invoiced_cost' as measure,
        coalesce(focus.billing_currency, reconciliation.billing_currency) as billing_currency,
        focus.invoiced_cost as source_amount,
        reconciliation.invoiced_cost as reconciliation_amount
    from focus
    full outer join reconciliation on focus.billing_currency = reconciliation.billing_currency
    where coalesce(focus.invoiced_cost, 0) <> coalesce(reconciliation.invoiced_cost, 0)
),

reconciled as (
    select coalesce(sum(gateway_estimated_cost), 0) as gateway_estimated_cost from reconciliation
),

gateway_differences as (
    select
        'gateway_estimated_cost' as measure,
        'all' as billing_currency,
        gateway.gateway_estimated_cost as source_amount,
        reconciled.gateway_estimated_cost as reconciliation_amount
    from gateway
    cross join reconciled
    where gateway.gateway_estimated_cost <> reconciled.gateway_estimated_cost
)

select * from invoice_differences
union all
select * from gateway_differences
