-- Allocation conservation (invariant 2): the allocated cost, Unallocated and Idle lines included, equals
-- the FOCUS table's BilledCost and EffectiveCost per provider, billing account, billing period and currency,
-- exactly. A row here is money the allocation created or lost.
{{ config(meta={'dagster': {'ref': {'name': 'fct_ai_costs_allocated'}}}) }}

with

focus as (
    select
        ProviderName as provider_name,
        BillingAccountId as billing_account_id,
        BillingPeriodStart as billing_period_start,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from {{ ref('focus_cost_and_usage') }}
    group by all
),

allocated as (
    select
        provider_name,
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_ai_costs_allocated') }}
    group by all
)

select
    coalesce(focus.provider_name, allocated.provider_name) as provider_name,
    coalesce(focus.billing_account_id, allocated.billing_account_id) as billing_account_id,
    coalesce(focus.billing_period_start, allocated.billing_period_start) as billing_period_start,
    coalesce(focus.billing_currency, allocated.billing_currency) as billing_currency,
    focus.billed_cost as focus_billed_cost,
    allocated.billed_cost as allocated_billed_cost,
    focus.effective_cost as focus_effective_cost,
    allocated.effective_cost as allocated_effective_cost
from focus
full outer join allocated
    on
        focus.provider_name = allocated.provider_name
        and focus.billing_account_id = allocated.billing_account_id
        and focus.billing_period_start = allocated.billing_period_start
        and focus.billing_currency = allocated.billing_currency
where
    focus.billed_cost is distinct from allocated.billed_cost
    or focus.effective_cost is distinct from allocated.effective_cost
