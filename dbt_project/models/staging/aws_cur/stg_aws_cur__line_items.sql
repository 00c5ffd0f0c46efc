with

source as (
    -- rows of a billing scope that a newer delivery of another export also covers do not count
    select * from {{ source('aws_cur', 'line_items') }}
    where _superseded_by is null
),

renamed as (
    select
        identity_line_item_id as line_item_id,
        identity_time_interval as time_interval,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as usage_account_id,
        bill_invoice_id as invoice_id,
        line_item_resource_id as resource_id,
        line_item_iam_principal as iam_principal,
        bill_payer_account_name as payer_account_name,
        line_item_usage_account_name as usage_account_name,
        bill_billing_entity as billing_entity,
        bill_invoicing_entity as invoicing_entity,
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        line_item_line_item_description as line_item_description,
        line_item_availability_zone as availability_zone,
        product_region_code as region_code,
        product_product_family as product_family,
        product_instance_type as instance_type,
        line_item_currency_code as currency_code,
        pricing_unit,
        pricing_term,
        resource_tags,
        cost_category,
        line_item_usage_amount as usage_amount,
        line_item_unblended_rate as unblended_rate,
        line_item_unblended_cost as unblended_cost,
        coalesce(line_item_net_unblended_cost, line_item_unblended_cost) as net_unblended_cost,
        pricing_public_on_demand_rate as public_on_demand_rate,
        pricing_public_on_demand_cost as public_on_demand_cost,
        reservation_effective_cost,
        reservation_unused_amortized_upfront_fee_for_billing_period as reservation_unused_amortized_upfront_fee,
        reservation_unused_recurring_fee,
        reservation_unused_quantity,
        reservation_reservation_a_r_n as reservation_arn,
        savings_plan_savings_plan_effective_cost as savings_plan_effective_cost,
        savings_plan_total_commitment_to_date as savings_plan_total_commitment,
        savings_plan_used_commitment,
        savings_plan_savings_plan_a_r_n as savings_plan_arn,
        {{ to_utc('bill_billing_period_start_date') }} as billing_period_start_at,
        {{ to_utc('bill_billing_period_end_date') }} as billing_period_end_at,
        {{ to_utc('line_item_usage_start_date') }} as usage_start_at,
        {{ to_utc('line_item_usage_end_date') }} as usage_end_at,
        _source_file,
        _source_row,
        _load_id
    from source
)

select * from renamed
