with

source as (
    select * from {{ source('litellm', 'spend_logs') }}
),

renamed as (
    select
        request_id,
        api_key as api_key_hash,
        team_id,
        organization_id,
        end_user as end_user_id,
        session_id,
        agent_id,
        user as gateway_user,
        call_type,
        model as gateway_model,
        model_group,
        custom_llm_provider,
        status,
        mcp_namespaced_tool_name,
        metadata,
        request_tags,
        coalesce(
            {{ json_text('metadata', '$.requester_metadata.application') }},
            nullif(regexp_extract(cast(request_tags as varchar), '"app:([^"]+)"', 1), '')
        ) as application,
        coalesce(
            {{ json_text('metadata', '$.requester_metadata.environment') }},
            nullif(regexp_extract(cast(request_tags as varchar), '"env:([^"]+)"', 1), '')
        ) as environment,
        coalesce(prompt_tokens, 0) as prompt_tokens,
        coalesce(completion_tokens, 0) as completion_tokens,
        coalesce(total_tokens, 0) as total_tokens,
        coalesce(
            cast({{ json_text('metadata', '$.usage_object.cache_read_input_tokens') }} as bigint),
            cast({{ json_text('metadata', '$.usage_object.prompt_tokens_details.cached_tokens') }} as bigint),
            0
        ) as cache_read_tokens,
        coalesce(
            cast({{ json_text('metadata', '$.usage_object.cache_creation_input_tokens') }} as bigint), 0
        ) as cache_write_tokens,
        coalesce(
            cast({{ json_text('metadata', '$.usage_object.completion_tokens_details.reasoning_tokens') }} as bigint),
            0
        ) as reasoning_tokens,
        spend as gateway_cost,
        request_duration_ms,
        lower(coalesce(cache_hit, 'false')) in ('true', '1', 'yes') as is_cache_hit,
        {{ to_utc('"startTime"') }} as started_at,
        {{ to_utc('"endTime"') }} as ended_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
