{#-
    Where money can be saved: one row per opportunity, billing period, team, application, provider, model
    and (for capacity) instance or deployment, with the estimated savings in the billing currency and a
    sentence of evidence carrying the figures. Each kind is estimated in its own model
    (models/intermediate/optimization, where the formulas are documented):
    cheaper_model_tier, prompt_caching, batch_pricing, provisioned_break_even, idle_gpu, idle_provisioned.
    Savings are estimates at list prices (effective cost for capacity) and never negative; the kinds
    overlap for request traffic (the same call can be short, batch-eligible and re-sent), so savings of
    different kinds on the same model do not simply add up. savings_rank orders a period and currency by
    estimated savings (1 = largest).
-#}

with

opportunities as (
    {%- for estimate in [
        'int_optimization_model_tier_savings',
        'int_optimization_caching_savings',
        'int_optimization_batch_savings',
        'int_optimization_provisioned_savings',
        'int_optimization_provisioning_candidates',
        'int_optimization_idle_capacity',
    ] %}
        select
            opportunity_type,
            billing_period,
            team,
            application,
            provider_name,
            model_id,
            resource_id,
            suggested_action,
            evidence,
            billing_currency,
            requests,
            tokens,
            current_cost,
            estimated_savings
        from {{ ref(estimate) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

identified as (
    select
        md5(concat_ws(
            '|', opportunity_type, billing_period, team, application, provider_name, coalesce(model_id, ''),
            coalesce(resource_id, ''), billing_currency
        )) as opportunity_id,
        *
    from opportunities
    where estimated_savings > 0
)

select
    opportunity_id,
    opportunity_type,
    billing_period,
    team,
    application,
    provider_name,
    model_id,
    resource_id,
    suggested_action,
    evidence,
    billing_currency,
    cast(requests as bigint) as requests,
    cast(tokens as bigint) as tokens,
    cast(current_cost as {{ money_type() }}) as current_cost,
    cast(estimated_savings as {{ money_type() }}) as estimated_savings,
    {{ ratio('cast(estimated_savings as ' ~ money_type() ~ ')', 'cast(current_cost as ' ~ money_type() ~ ')') }}
        as savings_share,
    -- BIGINT on every engine (Spark's row_number is an INT)
    cast(row_number() over (
        partition by billing_period, billing_currency
        order by estimated_savings desc, opportunity_id asc
    ) as bigint) as savings_rank
from identified
