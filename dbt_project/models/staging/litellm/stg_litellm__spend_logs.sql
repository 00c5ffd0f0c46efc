{#-
    Gateway requests with typed token counts and the attribution LiteLLM's metadata carries. Customer and
    feature are what the calling application put in the request's metadata (LiteLLM keeps it both at the
    top of `metadata` and under `metadata.requester_metadata`), a feature also as a `feature:<name>` request
    tag. `end_user` is the application's end user (a person), not the customer it works for.
-#}
{%- set metadata_paths = [
    '$.requester_metadata.application',
    '$.requester_metadata.environment',
    '$.usage_object.cache_read_input_tokens',
    '$.usage_object.prompt_tokens_details.cached_tokens',
    '$.usage_object.cache_creation_input_tokens',
    '$.usage_object.completion_tokens_details.reasoning_tokens',
    '$.customer_id',
    '$.requester_metadata.customer_id',
    '$.feature',
    '$.requester_metadata.feature',
    '$.requester_metadata',
] -%}

with

source as (
    select * from {{ source('litellm', 'spend_logs') }}
),

-- Parse each metadata document once (tens of millions of rows): every path comes from one parse.
extracted as (
    select
        *,
        {{ json_texts('metadata', metadata_paths) }} as metadata_values
    from source
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
        -- the metadata the caller sent (its fields are `litellm_metadata` attribution keys, field=value)
        cast({{ list_at('metadata_values', 11) }} as {{ json_type() }}) as requester_metadata,
        coalesce({{ list_at('metadata_values', 7) }}, {{ list_at('metadata_values', 8) }}) as customer_id,
        coalesce(
            {{ list_at('metadata_values', 9) }},
            {{ list_at('metadata_values', 10) }},
            nullif({{ regex_group('cast(request_tags as string)', '"feature:([^"]+)"', 1) }}, '')
        ) as feature,
        coalesce(
            {{ list_at('metadata_values', 1) }},
            nullif({{ regex_group('cast(request_tags as string)', '"app:([^"]+)"', 1) }}, '')
        ) as application,
        coalesce(
            {{ list_at('metadata_values', 2) }},
            nullif({{ regex_group('cast(request_tags as string)', '"env:([^"]+)"', 1) }}, '')
        ) as environment,
        coalesce(prompt_tokens, 0) as prompt_tokens,
        coalesce(completion_tokens, 0) as completion_tokens,
        coalesce(total_tokens, 0) as total_tokens,
        coalesce(
            cast({{ list_at('metadata_values', 3) }} as bigint),
            cast({{ list_at('metadata_values', 4) }} as bigint),
            0
        ) as cache_read_tokens,
        coalesce(cast({{ list_at('metadata_values', 5) }} as bigint), 0) as cache_write_tokens,
        coalesce(cast({{ list_at('metadata_values', 6) }} as bigint), 0) as reasoning_tokens,
        spend as gateway_cost,
        request_duration_ms,
        lower(coalesce(cache_hit, 'false')) in ('true', '1', 'yes') as is_cache_hit,
        {{ to_utc(adapter.quote('startTime')) }} as started_at,
        {{ to_utc(adapter.quote('endTime')) }} as ended_at,
        _source_file,
        _source_row,
        _loaded_at,
        _load_id
    from extracted
)

select * from renamed
