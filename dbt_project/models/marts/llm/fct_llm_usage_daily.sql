{#-
    Provider usage reports (OpenAI usage API of every endpoint, Anthropic usage_report/messages) per day,
    with disjoint token types, attribution through the project or workspace, and a list cost from the price
    catalogue. Grain: day x source x endpoint x project/workspace x API key x user x model x service tier x
    context band. Buckets finer than a day (1h, 1m) are summed into their day; pricing is linear in tokens,
    so rating the day's sum equals rating each bucket.

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

openai_completions as (
    select
        'openai_usage' as usage_source,
        'openai' as price_provider,
        'completions' as endpoint,
        'openai_project' as account_key_type,
        project_id as account_key,
        api_key_id,
        user_id,
        model_name,
        service_tier,
        is_batch,
        cast(null as varchar) as context_window,
        bucket_start_at,
        requests,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens as cache_write_5m_tokens,
        0 as cache_write_1h_tokens,
        output_tokens,
        0 as reasoning_tokens,
        0 as web_search_requests,
        cast(null as bigint) as images,
        cast(null as bigint) as characters,
        cast(null as bigint) as audio_seconds,
        cast(null as bigint) as usage_bytes,
        cast(null as bigint) as sessions,
        cast(null as bigint) as tool_calls
    from {{ ref('stg_openai_usage__completions') }}
),

openai_endpoints as (
    select
        'openai_usage' as usage_source,
        'openai' as price_provider,
        endpoint,
        'openai_project' as account_key_type,
        project_id as account_key,
        api_key_id,
        user_id,
        model_name,
        service_tier,
        is_batch,
        cast(null as varchar) as context_window,
        bucket_start_at,
        requests,
        input_tokens,
        0 as cache_read_tokens,
        0 as cache_write_5m_tokens,
        0 as cache_write_1h_tokens,
        0 as output_tokens,
        0 as reasoning_tokens,
        case when endpoint = 'web_search_calls' then tool_calls else 0 end as web_search_requests,
        images,
        characters,
        audio_seconds,
        usage_bytes,
        sessions,
        tool_calls
    from {{ ref('stg_openai_usage__endpoint_usages') }}
),

anthropic_messages as (
    select
        'anthropic_usage' as usage_source,
        'anthropic' as price_provider,
        'messages' as endpoint,
        'anthropic_workspace' as account_key_type,
        coalesce(workspace_id, 'default') as account_key,
        api_key_id,
        cast(null as varchar) as user_id,
        model_name,
        service_tier,
        is_batch,
        context_window,
        bucket_start_at,
        -- the report counts tokens, not requests
        cast(null as bigint) as requests,
        input_tokens,
        cache_read_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        output_tokens,
        0 as reasoning_tokens,
        web_search_requests,
        cast(null as bigint) as images,
        cast(null as bigint) as characters,
        cast(null as bigint) as audio_seconds,
        cast(null as bigint) as usage_bytes,
        cast(null as bigint) as sessions,
        cast(null as bigint) as tool_calls
    from {{ ref('stg_anthropic_usage__message_usages') }}
),

buckets as (
    select * from openai_completions
    union all
    select * from openai_endpoints
    union all
    select * from anthropic_messages
),

daily as (
    select
        cast(bucket_start_at as date) as usage_date,
        usage_source,
        price_provider,
        endpoint,
        account_key_type,
        account_key,
        api_key_id,
        user_id,
        model_name,
        -- one tier vocabulary: OpenAI's default (or auto) tier is standard, and batch usage is the batch tier
        case
            when is_batch then 'batch'
            when service_tier in ('default', 'auto') then 'standard'
            else service_tier
        end as service_tier,
        is_batch,
        context_window,
        count(*) as buckets,
        sum(requests) as requests,
        sum(input_tokens) as input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(output_tokens) as output_tokens,
        sum(reasoning_tokens) as reasoning_tokens,
        sum(web_search_requests) as web_search_requests,
        sum(images) as images,
        sum(characters) as characters,
        sum(audio_seconds) as audio_seconds,
        sum(usage_bytes) as usage_bytes,
        sum(sessions) as sessions,
        sum(tool_calls) as tool_calls
    from buckets
    group by all
),

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

keys as (
    select * from {{ ref('attribution_keys') }}
    where key_type in ('openai_project', 'anthropic_workspace')
),

teams as (
    select * from {{ ref('teams') }}
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
    from daily
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
    coalesce(teams.cost_centre_id, 'Unallocated') as cost_centre_id,
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
left join keys
    on rated.account_key_type = keys.key_type and rated.account_key = keys.key_value
left join teams on keys.team = teams.team
