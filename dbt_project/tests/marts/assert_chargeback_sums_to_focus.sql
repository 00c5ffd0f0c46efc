-- Chargeback must sum exactly to the FOCUS billed and effective cost per billing period, provider, billing
-- account and currency, and its cents columns to those totals rounded to the cent, on both bases.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_chargeback_monthly'}}}) }}

with

focus as (
    select
        {{ period_of('BillingPeriodStart') }} as billing_period,
        ProviderName as provider_name,
        BillingAccountId as billing_account_id,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from {{ ref('focus_cost_and_usage') }}
    group by all
),

chargeback as (
    select
        billing_period,
        provider_name,
        billing_account_id,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_cents) as billed_cost_cents,
        sum(effective_cost_cents) as effective_cost_cents
    from {{ ref('rpt_chargeback_monthly') }}
    group by all
)

select
    coalesce(focus.billing_period, chargeback.billing_period) as billing_period,
    coalesce(focus.provider_name, chargeback.provider_name) as provider_name,
    coalesce(focus.billing_account_id, chargeback.billing_account_id) as billing_account_id,
    coalesce(focus.billing_currency, chargeback.billing_currency) as billing_currency,
    focus.billed_cost as focus_billed_cost,
    chargeback.billed_cost as chargeback_billed_cost,
    focus.effective_cost as focus_effective_cost,
    chargeback.effective_cost as chargeback_effective_cost,
    chargeback.billed_cost_cents,
    chargeback.effective_cost_cents
from focus
full outer join chargeback
    on
        focus.billing_period = chargeback.billing_period
        and focus.provider_name = chargeback.provider_name
        and focus.billing_account_id = chargeback.billing_account_id
        and focus.billing_currency = chargeback.billing_currency
where
    focus.billed_cost is distinct from chargeback.billed_cost
    or focus.effective_cost is distinct from chargeback.effective_cost
    or chargeback.billed_cost_cents <> round(focus.billed_cost, 2)
    or chargeback.effective_cost_cents <> round(focus.effective_cost, 2)
