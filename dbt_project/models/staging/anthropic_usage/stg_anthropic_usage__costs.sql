with

source as (
    {{ newest_page_per_bucket(source('anthropic_usage', 'cost_report'), 'bucket_starting_at') }}
),

renamed as (
    select
        workspace_id,
        description,
        cost_type,
        model as model_name,
        token_type as report_token_type,
        service_tier,
        context_window,
        inference_geo,
        upper(currency) as currency_code,
        amount_cents,
        -- The report is in cents. Multiply by the decimal 0.01: exact, where a division would go through a
        -- double in DuckDB.
        cast(amount_cents * 0.01 as {{ money_type() }}) as amount,
        {{ to_utc('bucket_starting_at') }} as bucket_start_at,
        {{ to_utc('bucket_ending_at') }} as bucket_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
