-- The cents of the allocated rows add up, per provider, billing account, period and currency, to the exact
-- total rounded to the cent (half away from zero), on both bases: what finance books sums to the invoice.
{{ config(meta={'dagster': {'ref': {'name': 'fct_ai_costs_allocated'}}}) }}

with totals as (
    select
        provider_name,
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_cents) as billed_cost_cents,
        sum(effective_cost_cents) as effective_cost_cents
    from {{ ref('fct_ai_costs_allocated') }}
    group by all
)

select *
from totals
where
    billed_cost_cents <> round(billed_cost, 2)
    or effective_cost_cents <> round(effective_cost, 2)
