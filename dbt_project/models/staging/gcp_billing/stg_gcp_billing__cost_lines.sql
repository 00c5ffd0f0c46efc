{#- GCP billing export rows in snake_case business names, labels as one JSON object; one row per raw row. -#}

with

source as (
    -- rows of an invoice month that a newer delivery of another export also covers do not count
    select * from {{ source('gcp_billing', 'cost_lines') }}
    where _superseded_by is null
),

renamed as (
    select
        md5(_source_file || ':' || cast(_source_row as string)) as charge_id,
        billing_account_id,
        invoice_month,
        {{ parse_timestamp("invoice_month || '01'", ['%Y%m%d']) }} as billing_period_start_at,
        {{ parse_timestamp("invoice_month || '01'", ['%Y%m%d']) }} + interval 1 month as billing_period_end_at,
        cost_type,
        service_id,
        service_description,
        sku_id,
        sku_description,
        {{ to_utc('usage_start_time') }} as usage_start_at,
        {{ to_utc('usage_end_time') }} as usage_end_at,
        project_id,
        project_name,
        -- labels are a repeated key/value record: one JSON object is easier to query
        {{ key_value_object('labels') }} as labels,
        {{ key_value_object('system_labels') }} as system_labels,
        location_region as region,
        location_zone as zone,
        resource_name,
        resource_global_name,
        cost,
        credits_amount,
        cost + credits_amount as net_cost,
        currency,
        cost_at_list,
        usage_amount,
        usage_unit,
        usage_amount_in_pricing_units,
        usage_pricing_unit,
        credits,
        -- UTC wall-clock time (timestamp without zone), as every staging timestamp, on every engine
        {{ to_utc('export_time') }} as export_time,
        transaction_type,
        seller_name,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
