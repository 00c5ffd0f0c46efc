with

source as (
    {{ newest_page_per_bucket(source('openai_usage', 'completions_usage'), 'bucket_start_time') }}
),

renamed as (
    select
        project_id,
        user_id,
        api_key_id,
        model as model_name,
        coalesce(service_tier, 'default') as service_tier,
        input_tokens as input_tokens_total,
        coalesce(input_cached_tokens, 0) as cache_read_tokens,
        -- prompt-cache writes (newer pages; no TTL given: priced at the 5-minute write rate)
        coalesce(input_cache_write_tokens, 0) as cache_write_tokens,
        -- OpenAI counts cache reads and writes inside input_tokens: keep the disjoint remainder.
        input_tokens - coalesce(input_cached_tokens, 0) - coalesce(input_cache_write_tokens, 0) as input_tokens,
        output_tokens,
        coalesce(input_audio_tokens, 0) as input_audio_tokens,
        coalesce(output_audio_tokens, 0) as output_audio_tokens,
        coalesce(input_image_tokens, 0) as input_image_tokens,
        coalesce(output_image_tokens, 0) as output_image_tokens,
        num_model_requests as requests,
        coalesce(batch, false) as is_batch,
        {{ to_utc('bucket_start_time') }} as bucket_start_at,
        {{ to_utc('bucket_end_time') }} as bucket_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
