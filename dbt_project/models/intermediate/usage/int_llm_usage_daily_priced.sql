{#-
    Provider usage reports per day (int_llm_usage_daily) with the canonical model, a list cost from the
    dated price catalogue and attribution of the project or workspace key to team, application and cost
    centre (int_attribution_keys).

    Endpoints measured in other units (images, characters, seconds, bytes, sessions, calls) keep those
    quantities; they have no token price, so they are listed in rpt_unpriced_usage rather than costed at 0.
-#}
{%- set token_prices = {
    'input_tokens': 'input',
    'cache_read_tokens': 'cache_read',
    'cache_write_5m_tokens': 'cache_write_5m',
    'cache_write_1h_tokens': 'cache_write_1h',
    'output_tokens': 'output',
    'reasoning_tokens': 'reasoning',
} %}

with

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current
),

resolved as (
    select
        daily.*,
        coalesce(model_names.model_id, daily.model_name) as model_id,
        model_names.model_id is not null as is_model_known,
        model_names.model_family,
        model_names.model_tier,
        -- Anthropic's long-context band starts at 200k input tokens per request
        case when daily.context_window = '200k-1M' then 200000 else 0 end as context_tokens,
        daily.images is not null
        or daily.characters is not null
        or daily.audio_seconds is not null
        or daily.usage_bytes is not null
        or daily.sessions is not null
        or daily.tool_calls is not null as has_non_token_units
    from {{ ref('int_llm_usage_daily') }} as daily
    left join model_names on daily.model_name = model_names.model_name
),

rated as (
    select
        resolved.*,
        {{ list_cost_columns('resolved', 'prices', token_prices) }},
        prices.has_override as is_price_overridden,
        prices.catalogue_version
    from resolved
    left join prices
        on {{ price_join('resolved', 'prices', 'resolved.price_provider', 'resolved.model_id',
            'resolved.service_tier', 'resolved.usage_date', 'resolved.context_tokens') }}
)

select
    rated.usage_date,
    rated.usage_source,
    case rated.price_provider when 'openai' then 'OpenAI' when 'anthropic' then 'Anthropic' end as provider_name,
    rated.endpoint,
    rated.account_key_type,
    rated.account_key,
    rated.api_key_id,
    rated.user_id,
    rated.model_name,
    rated.model_id,
    rated.is_model_known,
    rated.model_family,
    rated.model_tier,
    rated.service_tier,
    rated.is_batch,
    rated.context_window,
    coalesce(keys.team, 'Unallocated') as team,
    coalesce(keys.application, 'Unallocated') as application,
    coalesce(keys.environment, 'unknown') as environment,
    coalesce(keys.cost_centre_id, 'Unallocated') as cost_centre_id,
    rated.buckets,
    rated.requests,
    rated.input_tokens,
    rated.cache_read_tokens,
    rated.cache_write_5m_tokens,
    rated.cache_write_1h_tokens,
    rated.cache_write_5m_tokens + rated.cache_write_1h_tokens as cache_write_tokens,
    rated.output_tokens,
    rated.reasoning_tokens,
    rated.input_tokens + rated.cache_read_tokens + rated.cache_write_5m_tokens
    + rated.cache_write_1h_tokens + rated.output_tokens + rated.reasoning_tokens as total_tokens,
    rated.web_search_requests,
    rated.images,
    rated.characters,
    rated.audio_seconds,
    rated.usage_bytes,
    rated.sessions,
    rated.tool_calls,
    'USD' as cost_currency,
    -- Non-token units (images, seconds ...) have no token price: unpriced, never a zero.
    case when not rated.has_non_token_units then rated.list_cost end as list_cost,
    case when rated.has_non_token_units then rated.endpoint else rated.unpriced_token_types end
        as unpriced_token_types,
    rated.is_price_overridden,
    rated.catalogue_version
from rated
-- The mapping valid on the usage day (keys carry the cost centre valid on those days).
left join keys
    on
        rated.account_key_type = keys.key_type
        and rated.account_key = keys.key_value
        and rated.usage_date >= keys.valid_from
        and (keys.valid_to is null or rated.usage_date < keys.valid_to)
