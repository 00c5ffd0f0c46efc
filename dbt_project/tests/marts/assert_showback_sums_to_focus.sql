-- Showback must carry every cent of FOCUS: the join with gateway data may add rows, never lose or copy cost.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_showback_daily'}}}) }}

with

focus as (
    select
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from {{ ref('focus_cost_and_usage') }}
    group by all
),

showback as (
    select
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('rpt_showback_daily') }}
    group by all
)

select
    coalesce(focus.billing_currency, showback.billing_currency) as billing_currency,
    focus.billed_cost as focus_billed_cost,
    showback.billed_cost as showback_billed_cost
from focus
full outer join showback on focus.billing_currency = showback.billing_currency
where
    coalesce(focus.billed_cost, 0) <> coalesce(showback.billed_cost, 0)
    or coalesce(focus.effective_cost, 0) <> coalesce(showback.effective_cost, 0)
