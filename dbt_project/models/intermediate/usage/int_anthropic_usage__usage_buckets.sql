{#-
    Anthropic usage_report/messages buckets as LLM usage buckets (the shared `llm_usage_bucket` contract,
    _usage__models.yml). One row per bucket result.
-#}

with

buckets as (
    select
        'anthropic_usage' as usage_source,
        'anthropic' as price_provider,
        'messages' as endpoint,
        'anthropic_workspace' as account_key_type,
        coalesce(workspace_id, 'default') as account_key,
        api_key_id,
        cast(null as string) as user_id,
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
        cast(0 as bigint) as reasoning_tokens,
        web_search_requests,
        cast(null as bigint) as images,
        cast(null as bigint) as characters,
        cast(null as bigint) as audio_seconds,
        cast(null as bigint) as usage_bytes,
        cast(null as bigint) as sessions,
        cast(null as bigint) as tool_calls
    from {{ ref('stg_anthropic_usage__message_usages') }}
)

select {{ contract_columns() }}
from buckets
