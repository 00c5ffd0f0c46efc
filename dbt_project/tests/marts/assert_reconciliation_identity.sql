-- Every row of the reconciliation explains its invoice exactly: the gateway's estimate, every cause and the
-- unexplained remainder add up to the invoiced effective cost, to the last of 12 decimals.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_reconciliation_daily'}}}) }}

select
    usage_date,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    invoiced_cost,
    gateway_estimated_cost + bypass_cost + cache_pricing_variance + discount_variance + provisioned_capacity_cost
    + credits_and_refunds + tax + fx_variance + catalogue_gap_cost + not_yet_invoiced_cost
    + unexplained_cost as explained_cost
from {{ ref('rpt_reconciliation_daily') }}
where
    gateway_estimated_cost + bypass_cost + cache_pricing_variance + discount_variance + provisioned_capacity_cost
    + credits_and_refunds + tax + fx_variance + catalogue_gap_cost + not_yet_invoiced_cost
    + unexplained_cost <> invoiced_cost
