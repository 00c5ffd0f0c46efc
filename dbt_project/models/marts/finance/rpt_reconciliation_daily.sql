{#-
    Three-way reconciliation of AI cost per provider, model, token type, day and billing currency: what the
    gateway estimated, what request-level sources and the providers' usage APIs say at list, and what the
    bill charged (int_reconciliation__daily_sources puts them side by side); the variance (the bill's
    effective cost minus the gateway's estimate) is explained cause by cause, and unexplained_cost is the
    exact remainder:
        gateway_estimated_cost + bypass_cost + cache_pricing_variance + discount_variance
        + provisioned_capacity_cost + credits_and_refunds + tax + fx_variance + catalogue_gap_cost
        + not_yet_invoiced_cost + unexplained_cost = invoiced_cost   (singular test assert_reconciliation_identity)
    Token volumes are priced at the bill's own standard rate (int_reconciliation__reference_rates); how each
    cause is computed is in _reconciliation__models.yml.

    Full table, not incremental: every day depends on every period's bill (each provider's billing currency
    and the last day its bill covers, int_reconciliation__billing_currencies); it reads small daily tables.
-#}

with

sources as (
    select * from {{ ref('int_reconciliation__daily_sources') }}
),

matched as (
    select
        *,
        -- the gateway's tokens the bill's standard-tier charges cover, at the bill's rate and at the gateway's
        case
            when standard_tokens > 0
                then {{ divide_money('standard_list_cost * least(gateway_tokens, standard_tokens)', 'standard_tokens') }}
            else 0
        end as matched_list_cost,
        case
            when gateway_tokens > 0
                then {{ divide_money('gateway_estimated_cost_billing * least(gateway_tokens, standard_tokens)', 'gateway_tokens') }}
            else 0
        end as matched_gateway_cost,
        -- batch, flex, priority tokens at the standard rate (null when no rate prices them)
        case
            when tiered_tokens > 0 then {{ cost_of_tokens('tiered_tokens', 'reference_rate_per_mtok') }}
        end as tiered_list_cost
    from sources
),

causes as (
    select
        *,
        case when standard_tokens > 0 then standard_list_cost - matched_list_cost else 0 end
        + coalesce(tiered_list_cost, 0) as bypass_cost,
        case
            when token_type in ('cache_read', 'cache_write') then matched_list_cost - matched_gateway_cost else 0
        end as cache_pricing_variance,
        standard_effective_cost - standard_list_cost
        + case when tiered_list_cost is not null then tiered_effective_cost - tiered_list_cost else 0 end
        + discount_cost as discount_variance,
        provisioned_cost as provisioned_capacity_cost,
        credit_cost as credits_and_refunds,
        tax_cost as tax,
        gateway_estimated_cost_billing - gateway_estimated_cost as fx_variance,
        case when tiered_tokens > 0 and tiered_list_cost is null then tiered_effective_cost else 0 end
        + non_token_cost as catalogue_gap_cost,
        case when not is_invoiced then matched_gateway_cost - gateway_estimated_cost_billing else 0 end
            as not_yet_invoiced_cost,
        case
            when coalesce(invoiced_tokens, 0) = 0 then null
            when request_tokens = 0 then 0
            else least(1.0, request_tokens / invoiced_tokens)
        end as attribution_coverage
    from matched
)

select
    billing_period,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    cast(gateway_estimated_cost as {{ money_type() }}) as gateway_estimated_cost,
    cast(request_list_cost as {{ money_type() }}) as request_list_cost,
    cast(usage_api_cost as {{ money_type() }}) as usage_api_cost,
    cast(invoiced_billed_cost as {{ money_type() }}) as invoiced_billed_cost,
    cast(invoiced_cost as {{ money_type() }}) as invoiced_cost,
    cast(bypass_cost as {{ money_type() }}) as bypass_cost,
    cast(cache_pricing_variance as {{ money_type() }}) as cache_pricing_variance,
    cast(discount_variance as {{ money_type() }}) as discount_variance,
    cast(provisioned_capacity_cost as {{ money_type() }}) as provisioned_capacity_cost,
    cast(credits_and_refunds as {{ money_type() }}) as credits_and_refunds,
    cast(tax as {{ money_type() }}) as tax,
    cast(fx_variance as {{ money_type() }}) as fx_variance,
    cast(catalogue_gap_cost as {{ money_type() }}) as catalogue_gap_cost,
    cast(not_yet_invoiced_cost as {{ money_type() }}) as not_yet_invoiced_cost,
    cast(
        invoiced_cost - gateway_estimated_cost - bypass_cost - cache_pricing_variance - discount_variance
        - provisioned_capacity_cost - credits_and_refunds - tax - fx_variance - catalogue_gap_cost
        - not_yet_invoiced_cost as {{ money_type() }}
    ) as unexplained_cost,
    cast(invoiced_tokens as {{ money_type() }}) as invoiced_tokens,
    cast(request_tokens as bigint) as request_tokens,
    cast(gateway_tokens as bigint) as gateway_tokens,
    cast(usage_api_tokens as bigint) as usage_api_tokens,
    cast(attribution_coverage as {{ money_type() }}) as attribution_coverage,
    cast(invoiced_cost * cast(attribution_coverage as {{ money_type() }}) as {{ money_type() }}) as attributed_cost,
    is_invoiced,
    usage_date
from causes
