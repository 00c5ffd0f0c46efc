with

source as (
    {{ newest_page_per_bucket(source('openai_usage', 'costs'), 'bucket_start_time') }}
),

renamed as (
    select
        project_id,
        api_key_id,
        line_item,
        upper(amount_currency) as currency_code,
        quantity,
        amount_value as amount,
        {{ to_utc('bucket_start_time') }} as bucket_start_at,
        {{ to_utc('bucket_end_time') }} as bucket_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
