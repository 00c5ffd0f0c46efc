-- Chargeback must sum exactly to the FOCUS billed cost per billing period and currency.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_chargeback_monthly'}}}) }}

with

focus as (
    select
        strftime(BillingPeriodStart, '%Y-%m') as billing_period,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost
    from {{ ref('focus_cost_and_usage') }}
    group by all
),

chargeback as (
    select
        billing_period,
        billing_currency,
        sum(billed_cost) as billed_cost
    from {{ ref('rpt_chargeback_monthly') }}
    group by all
)

select
    coalesce(focus.billing_period, chargeback.billing_period) as billing_period,
    coalesce(focus.billing_currency, chargeback.billing_currency) as billing_currency,
    focus.billed_cost as focus_billed_cost,
    chargeback.billed_cost as chargeback_billed_cost
from focus
full outer join chargeback
    on
        focus.billing_period = chargeback.billing_period
        and focus.billing_currency = chargeback.billing_currency
where focus.billed_cost is distinct from chargeback.billed_cost
