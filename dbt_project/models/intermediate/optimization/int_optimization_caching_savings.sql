{#-
    Opportunity `prompt_caching`: conversations that re-send their context without the provider's prompt
    cache, per billing period, team, application, host and model.

    Prompt bodies are never stored, so the repeated prefix is estimated from metadata
    (int_optimization_requests.is_context_resend): when a call's prompt is at least the previous call's in
    the same conversation, the previous prompt is taken to be its prefix. Of that prefix, what the call
    already read from the cache is not counted, and at most the call's uncached input tokens are:
        re-sent tokens = least(greatest(least(previous prompt, prompt) - cache read tokens, 0), input tokens)
    Only models the host prices cache reads for count. Each re-sent token would cost the cache-read price
    instead of the input price, less the cache-write premium (write price - input price; none on hosts that
    cache without a write price, like OpenAI) of writing it once: the 5-minute write price when the previous
    call was at most 5 minutes earlier, else the 1-hour one. Charging a write for every re-send (a prefix
    read several times is written once) keeps the estimate conservative.
        savings = re-sent tokens x (input price - cache read price - write premium), only where positive
-#}

with

requests as (
    select * from {{ ref('int_optimization_requests') }}
    where is_context_resend
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current and service_tier = 'standard'
),

resent as (
    select
        requests.*,
        least(
            greatest(least(requests.previous_prompt_tokens, requests.prompt_tokens) - requests.cache_read_tokens, 0),
            requests.input_tokens
        ) as resent_tokens,
        prices.input_usd_per_mtok,
        prices.cache_read_usd_per_mtok,
        greatest(
            coalesce(
                case when requests.seconds_since_previous > 300 then prices.cache_write_1h_usd_per_mtok end,
                prices.cache_write_5m_usd_per_mtok,
                prices.input_usd_per_mtok
            ) - prices.input_usd_per_mtok,
            0
        ) as write_premium_usd_per_mtok
    from requests
    inner join prices
        on {{ price_join('requests', 'prices', 'requests.price_provider', 'requests.model_id', "'standard'",
            'requests.request_date', 'requests.prompt_tokens') }}
    where prices.cache_read_usd_per_mtok is not null
),

grouped as (
    select
        billing_period,
        team,
        application,
        provider_name,
        model_id,
        cost_currency as billing_currency,
        count(*) as requests,
        count(distinct conversation_id) as conversations,
        sum(resent_tokens) as resent_tokens,
        sum(list_cost) as current_cost,
        sum({{ cost_of_tokens('resent_tokens', 'input_usd_per_mtok') }}) as resent_cost,
        sum({{ cost_of_tokens('resent_tokens', '(cache_read_usd_per_mtok + write_premium_usd_per_mtok)') }})
            as cached_cost,
        max(input_usd_per_mtok) as input_usd_per_mtok,
        max(cache_read_usd_per_mtok) as cache_read_usd_per_mtok,
        max(write_premium_usd_per_mtok) as write_premium_usd_per_mtok
    from resent
    group by all
)

select
    'prompt_caching' as opportunity_type,
    billing_period,
    team,
    application,
    provider_name,
    model_id,
    cast(null as string) as resource_id,
    'Cache the conversation prefix of ' || application || ' on ' || model_id || ' (prompt caching)'
        as suggested_action,
    current_cost,
    resent_cost - cached_cost as estimated_savings,
    billing_currency,
    cast(requests as string) || ' calls in ' || cast(conversations as string)
    || ' conversations re-sent an estimated ' || cast(resent_tokens as string)
    || ' uncached context tokens within {{ var("optimization_cache_max_gap_minutes") }} minutes of the previous call, '
    || 'billed at ' || {{ decimal_text('input_usd_per_mtok') }} || ' ' || billing_currency
    || ' per million input tokens (' || cast(cast(resent_cost as decimal(38, 2)) as string) || ' ' || billing_currency
    || '); as cache reads at ' || {{ decimal_text('cache_read_usd_per_mtok') }}
    || ' plus a write premium of up to ' || {{ decimal_text('write_premium_usd_per_mtok') }}
    || ' they would cost ' || cast(cast(cached_cost as decimal(38, 2)) as string) || ' ' || billing_currency || '.'
        as evidence,
    requests,
    resent_tokens as tokens
from grouped
where resent_cost > cached_cost
