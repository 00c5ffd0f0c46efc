-- Chargeback must sum exactly to the FOCUS billed cost per billing period and currency.
with focus as (
    select
        strftime(BillingPeriodStart, '%Y-%m') as billing_period,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost
    from {{ ref('focus_cost_and_usage') }}
    group by all
),

chargeback as (
    select billing_period, billing_currency, sum(billed_cost) as billed_cost
    from {{ ref('rpt_chargeback_monthly') }}
    group by all
)

select *
from focus
full outer join chargeback using (billing_period, billing_currency)
where focus.billed_cost is distinct from chargeback.billed_cost
