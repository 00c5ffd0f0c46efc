{#-
    Provider usage reports per day: the buckets of every usage source (one `int_<source>__usage_buckets`
    model each, under the shared `llm_usage_bucket` contract; a new usage report is one more name in the
    list) summed into their day. Buckets finer than a day (1h, 1m) are summed into their day; pricing is
    linear in tokens, so rating the day's sum equals rating each bucket.
    Grain: day x source x endpoint x project/workspace x API key x user x model x service tier x context band.
-#}
{%- set usage_bucket_models = [
    'int_openai_usage__usage_buckets',
    'int_anthropic_usage__usage_buckets',
] -%}

with

buckets as (
    -- by name, never by position: the bucket models share one contract
    {% for bucket_model in usage_bucket_models %}
        select {{ contract_columns(of=bucket_model) }}
        from {{ ref(bucket_model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
        cast(sum(requests) as {{ big_int_type() }}) as requests,
        cast(sum(input_tokens) as {{ big_int_type() }}) as input_tokens,
        cast(sum(cache_read_tokens) as {{ big_int_type() }}) as cache_read_tokens,
        cast(sum(cache_write_5m_tokens) as {{ big_int_type() }}) as cache_write_5m_tokens,
        cast(sum(cache_write_1h_tokens) as {{ big_int_type() }}) as cache_write_1h_tokens,
        cast(sum(output_tokens) as {{ big_int_type() }}) as output_tokens,
        cast(sum(reasoning_tokens) as {{ big_int_type() }}) as reasoning_tokens,
        cast(sum(web_search_requests) as {{ big_int_type() }}) as web_search_requests,
        cast(sum(images) as {{ big_int_type() }}) as images,
        cast(sum(characters) as {{ big_int_type() }}) as characters,
        cast(sum(audio_seconds) as {{ big_int_type() }}) as audio_seconds,
        cast(sum(usage_bytes) as {{ big_int_type() }}) as usage_bytes,
        cast(sum(sessions) as {{ big_int_type() }}) as sessions,
        cast(sum(tool_calls) as {{ big_int_type() }}) as tool_calls
    from buckets
    group by all
)

select * from daily
