{#-
    Usage the price catalogue could not rate, with its volumes: unknown models, tiers or days without a
    price, token types a model has no price for, and endpoints measured in other units. These rows have a
    null list cost in fct_llm_requests and fct_llm_usage_daily (never a zero); fix them with a
    model_aliases row (a new spelling) or a price_overrides row (a price genai-prices lacks).
-#}
with

requests as (
    select
        request_source as usage_source,
        provider_name,
        gateway_model as model_name,
        model_id,
        is_model_known,
        'standard' as service_tier,
        unpriced_token_types,
        request_date as usage_date,
        requests,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        output_tokens,
        reasoning_tokens
    from {{ ref('fct_llm_requests_daily') }}
    -- a request is unpriced exactly when a token type it used has no price
    where unpriced_token_types is not null
),

usage_buckets as (
    select
        usage_source,
        provider_name,
        model_name,
        model_id,
        is_model_known,
        service_tier,
        unpriced_token_types,
        usage_date,
        coalesce(requests, 0) as requests,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        output_tokens,
        reasoning_tokens
    from {{ ref('fct_llm_usage_daily') }}
    where list_cost is null
),

unpriced as (
    select * from requests
    union all
    select * from usage_buckets
)

select
    {{ month_start('usage_date') }} as usage_month,
    usage_source,
    provider_name,
    coalesce(model_name, '(none)') as model_name,
    coalesce(model_id, '(none)') as model_id,
    service_tier,
    case
        when model_id is null then 'no model reported'
        when not is_model_known then 'unknown model (add a model_aliases or models row)'
        else 'no price for: ' || coalesce(unpriced_token_types, 'this tier and day')
    end as reason,
    min(usage_date) as first_seen,
    max(usage_date) as last_seen,
    sum(requests) as requests,
    sum(input_tokens) as input_tokens,
    sum(cache_read_tokens) as cache_read_tokens,
    sum(cache_write_tokens) as cache_write_tokens,
    sum(output_tokens) as output_tokens,
    sum(reasoning_tokens) as reasoning_tokens,
    sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens + reasoning_tokens) as total_tokens
from unpriced
group by all
