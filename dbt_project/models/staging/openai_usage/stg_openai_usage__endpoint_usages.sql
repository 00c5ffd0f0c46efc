{#- Usage of every endpoint but completions: each row measures one quantity in its own unit. -#}
with

source as (
    {{ newest_page_per_bucket(source('openai_usage', 'other_usage'), 'bucket_start_time', ['endpoint']) }}
),

renamed as (
    select
        endpoint,
        project_id,
        user_id,
        api_key_id,
        model as model_name,
        coalesce(service_tier, 'default') as service_tier,
        coalesce(batch, false) as is_batch,
        source as image_source,
        size as image_size,
        vector_store_id,
        context_level,
        -- embeddings and moderations count input tokens only, and no cache
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(num_model_requests, num_requests, num_sessions, 0) as requests,
        images,
        characters,
        seconds as audio_seconds,
        usage_bytes,
        num_sessions as sessions,
        num_requests as tool_calls,
        {{ to_utc('bucket_start_time') }} as bucket_start_at,
        {{ to_utc('bucket_end_time') }} as bucket_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
