{#-
    OpenAI usage API buckets of every endpoint as LLM usage buckets (the shared `llm_usage_bucket` contract,
    _usage__models.yml): completions with their token types, the other endpoints with the units they are
    measured in (images, characters, seconds, bytes, sessions, calls). One row per bucket result.
-#}

with

completions as (
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
        cast(null as string) as context_window,
        bucket_start_at,
        requests,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens as cache_write_5m_tokens,
        cast(0 as bigint) as cache_write_1h_tokens,
        output_tokens,
        cast(0 as bigint) as reasoning_tokens,
        cast(0 as bigint) as web_search_requests,
        cast(null as bigint) as images,
        cast(null as bigint) as characters,
        cast(null as bigint) as audio_seconds,
        cast(null as bigint) as usage_bytes,
        cast(null as bigint) as sessions,
        cast(null as bigint) as tool_calls
    from {{ ref('stg_openai_usage__completions') }}
),

endpoints as (
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
        cast(null as string) as context_window,
        bucket_start_at,
        requests,
        input_tokens,
        cast(0 as bigint) as cache_read_tokens,
        cast(0 as bigint) as cache_write_5m_tokens,
        cast(0 as bigint) as cache_write_1h_tokens,
        cast(0 as bigint) as output_tokens,
        cast(0 as bigint) as reasoning_tokens,
        case when endpoint = 'web_search_calls' then tool_calls else 0 end as web_search_requests,
        images,
        characters,
        audio_seconds,
        usage_bytes,
        sessions,
        tool_calls
    from {{ ref('stg_openai_usage__endpoint_usages') }}
),

buckets as (
    select * from completions
    union all
    select * from endpoints
)

select {{ contract_columns() }}
from buckets
