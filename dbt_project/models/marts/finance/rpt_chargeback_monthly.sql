{#-
    Chargeback: who owes what for a billing period, one row per cost centre x team x application x
    environment x provider x billing account x model x AI flag x allocation category x currency, summed from
    the allocated cost (fct_ai_costs_allocated). Both bases are here: billed (the invoice) and effective
    (amortised, the fair one), exact and in cents; the cents were rounded once in the allocated mart, so
    per provider, billing account, period and currency they add up to the invoice rounded to the cent.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills or
    request-level usage changed.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('billing_period', period_text=true) }}",
    )
}}

with allocated as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('billing_period_start') }}
    {%- endif %}
)

select
    billing_period,
    cost_centre_id,
    cost_centre_name,
    team,
    application,
    environment,
    provider_name,
    billing_account_id,
    model_id,
    is_ai,
    allocation_category,
    billing_currency,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost,
    sum(billed_cost_cents) as billed_cost_cents,
    sum(effective_cost_cents) as effective_cost_cents,
    sum(case when charge_category = 'Tax' then billed_cost else 0 end) as tax_cost,
    sum(case when charge_category = 'Credit' then billed_cost else 0 end) as credit_cost,
    sum(internal_price) as internal_price,
    count(*) as charge_rows
from allocated
group by all
