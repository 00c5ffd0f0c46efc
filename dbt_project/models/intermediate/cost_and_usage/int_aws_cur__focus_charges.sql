{#-
    CUR line items as FOCUS charges (snake_case FOCUS vocabulary), one row per line item.
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    select
        'aws_cur' as source,
        'cost_and_usage_report' as source_dataset,
        -- A line item id repeats across the hours of its interval in some exports; the pair is unique.
        line_item_id || coalesce('/' || time_interval, '') as charge_id,
        payer_account_id as billing_account_id,
        payer_account_name as billing_account_name,
        usage_account_id as sub_account_id,
        usage_account_name as sub_account_name,
        invoice_id,
        -- FOCUS wants identical names for first-party charges (a differing issuer means a marketplace
        -- resale); the legal invoicing entity is kept in x_InvoicingEntity.
        'Amazon Web Services' as invoice_issuer_name,
        invoicing_entity,
        'Amazon Web Services' as provider_name,
        'Amazon Web Services' as host_provider_name,
        case when billing_entity = 'AWS Marketplace' then 'AWS Marketplace' else 'Amazon Web Services' end
            as publisher_name,
        service_name,
        service_category,
        service_subcategory,
        charge_category,
        charge_class,
        charge_frequency,
        coalesce(line_item_description, usage_type) as charge_description,
        resource_id,
        region_code as region_id,
        availability_zone,
        product_code || ':' || usage_type as sku_id,
        usage_type as sku_meter,
        case
            when gpu_count is not null then {{ json_object_of([('InstanceType', 'resolved_instance_type'), ('GpuCount', 'gpu_count')]) }}
            when model_id is not null then {{ json_object_of([('x_ModelId', 'model_id'), ('x_TokenType', 'token_type')]) }}
        end as sku_price_details,
        case
            when charge_category in ('Usage', 'Purchase') and usage_amount is not null then pricing_unit
        end as pricing_unit,
        case when charge_category in ('Usage', 'Purchase') then usage_amount end as pricing_quantity,
        case when charge_category = 'Usage' then pricing_unit end as consumed_unit,
        case when charge_category = 'Usage' then usage_amount end as consumed_quantity,
        currency_code as billing_currency,
        unblended_cost as billed_cost,
        effective_cost,
        list_cost,
        unblended_cost as contracted_cost,
        public_on_demand_rate as list_unit_price,
        unblended_rate as contracted_unit_price,
        pricing_category,
        commitment_discount_id,
        commitment_discount_category,
        commitment_discount_type,
        commitment_discount_status,
        commitment_discount_quantity,
        commitment_discount_unit,
        commitment_unused_quantity,
        billing_period_start_at as billing_period_start,
        billing_period_end_at as billing_period_end,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        resource_tags as tags,
        -- AWS Cost Categories (rules in the payer account that group accounts and tags)
        cost_category,
        model_id,
        token_type,
        case when token_type is not null then usage_amount end as token_count,
        service_tier,
        inference_region_scope,
        resolved_instance_type as instance_type,
        gpu_count,
        -- attribution keys the bill itself carries
        {{ json_text('resource_tags', '$.user_team') }} as tag_team,
        {{ json_text('resource_tags', '$.user_application') }} as tag_application,
        {{ json_text('resource_tags', '$.user_environment') }} as tag_environment,
        'aws_account' as account_key_type,
        usage_account_id as account_key,
        iam_principal,
        _source_file,
        _source_row
    from {{ ref('int_aws_cur__line_items_classified') }}
)

select {{ contract_columns() }}
from charges
