with

source as (
    {{ newest_page_per_bucket(source('anthropic_usage', 'messages_usage'), 'bucket_starting_at') }}
),

renamed as (
    select
        workspace_id,
        api_key_id,
        model as model_name,
        coalesce(service_tier, 'standard') as service_tier,
        context_window,
        inference_geo,
        speed,
        -- The report's buckets are already disjoint: nothing to subtract.
        uncached_input_tokens as input_tokens,
        cache_read_input_tokens as cache_read_tokens,
        cache_creation_ephemeral_5m_input_tokens as cache_write_5m_tokens,
        cache_creation_ephemeral_1h_input_tokens as cache_write_1h_tokens,
        cache_creation_ephemeral_5m_input_tokens + cache_creation_ephemeral_1h_input_tokens as cache_write_tokens,
        output_tokens,
        coalesce(server_tool_use_web_search_requests, 0) as web_search_requests,
        coalesce(service_tier, 'standard') = 'batch' as is_batch,
        {{ to_utc('bucket_starting_at') }} as bucket_start_at,
        {{ to_utc('bucket_ending_at') }} as bucket_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
