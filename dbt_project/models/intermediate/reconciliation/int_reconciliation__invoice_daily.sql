{#-
    The AI charges of every bill (FOCUS ServiceCategory `AI and Machine Learning`) per day, provider, model,
    token type and currency, split by what each charge is, so the reconciliation can name the cause of every
    cent. A charge is, in this order:
      tax            ChargeCategory Tax;
      credit         ChargeCategory Credit or Adjustment, or ChargeClass Correction (refunds);
      provisioned    no token type and a provisioned tier, a commitment (PTU reservations, used or unused)
                     or a purchase: capacity billed by the hour, not by the token;
      standard       tokens at the standard tier (the rate the gateway's traffic is billed at);
      tiered         tokens at another tier: batch, flex (discounts), priority (a premium), provisioned;
      discount       a negative charge without tokens (AWS EDP, private-rate and bundled discounts);
      non_token      any other usage without tokens (images, searches ...: units the catalogue has no token
                     price for).
    Charges without a model or token type have '' there. A table: the one pass over the bills, read by the
    rates, the currencies and the mart.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the days of the periods whose
    bills changed (a charge's day is in its billing period).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('usage_date') }}",
    )
}}

with

charges as (
    select
        cast(charge_period_start as date) as usage_date,
        {{ period_of('billing_period_start') }} as billing_period,
        provider_name,
        coalesce(model_id, '') as model_id,
        -- Vertex AI bills thinking tokens apart (reasoning); everywhere else they are output, as here.
        case when token_type = 'reasoning' then 'output' else coalesce(token_type, '') end as token_type,
        billing_currency,
        billed_cost,
        effective_cost,
        -- the bill's own list cost (FOCUS ListCost), its effective cost where the bill gives none
        coalesce(list_cost, effective_cost) as list_cost,
        token_count,
        charge_category = 'Usage' as is_usage,
        case
            when charge_category = 'Tax' then 'tax'
            when charge_category in ('Credit', 'Adjustment') or charge_class = 'Correction' then 'credit'
            when
                token_type is null
                and (
                    service_tier = 'provisioned'
                    or commitment_discount_status is not null
                    or charge_category = 'Purchase'
                )
                then 'provisioned'
            when token_type is not null and coalesce(service_tier, 'standard') = 'standard' then 'standard'
            when token_type is not null then 'tiered'
            when effective_cost < 0 then 'discount'
            else 'non_token'
        end as charge_kind
    from {{ ref('int_cost_and_usage_attributed') }}
    where
        service_category = 'AI and Machine Learning'
        and {{ incremental_period_filter('charge_period_start') }}
)

select
    usage_date,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    max(billing_period) as billing_period,
    count(*) as charge_rows,
    sum(case when is_usage then 1 else 0 end) as usage_charge_rows,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost,
    sum(token_count) as invoiced_tokens,
    sum(case when charge_kind = 'standard' then effective_cost else 0 end) as standard_effective_cost,
    sum(case when charge_kind = 'standard' then list_cost else 0 end) as standard_list_cost,
    sum(case when charge_kind = 'standard' then coalesce(token_count, 0) else 0 end) as standard_tokens,
    sum(case when charge_kind = 'tiered' then effective_cost else 0 end) as tiered_effective_cost,
    sum(case when charge_kind = 'tiered' then coalesce(token_count, 0) else 0 end) as tiered_tokens,
    sum(case when charge_kind = 'provisioned' then effective_cost else 0 end) as provisioned_cost,
    sum(case when charge_kind = 'tax' then effective_cost else 0 end) as tax_cost,
    sum(case when charge_kind = 'credit' then effective_cost else 0 end) as credit_cost,
    sum(case when charge_kind = 'discount' then effective_cost else 0 end) as discount_cost,
    sum(case when charge_kind = 'non_token' then effective_cost else 0 end) as non_token_cost
from charges
group by usage_date, provider_name, model_id, token_type, billing_currency
