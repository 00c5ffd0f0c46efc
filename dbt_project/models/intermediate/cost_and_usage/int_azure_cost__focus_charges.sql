{#-
    Azure cost details (actual and amortized exports) as FOCUS charges, one row per row of either export.
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    select
        'azure_cost' as source,
        cost_dataset || '_cost' as source_dataset,
        charge_id,
        billing_account_id,
        billing_account_name,
        subscription_id as sub_account_id,
        subscription_name as sub_account_name,
        invoice_id,
        'Microsoft' as invoice_issuer_name,
        'Microsoft' as invoicing_entity,
        'Microsoft' as provider_name,
        'Microsoft' as host_provider_name,
        coalesce(nullif(publisher_name, ''), 'Microsoft') as publisher_name,
        service_name,
        service_category,
        service_subcategory,
        charge_category,
        charge_class,
        charge_frequency,
        coalesce(nullif(meter_name, ''), product_name, charge_type) as charge_description,
        resource_id,
        resource_location as region_id,
        nullif(availability_zone, '') as availability_zone,
        coalesce(nullif(meter_id, ''), part_number) as sku_id,
        meter_name as sku_meter,
        case
            when gpu_count is not null then {{ json_object_of([('InstanceType', 'instance_type'), ('GpuCount', 'gpu_count')]) }}
            when model_id is not null then {{ json_object_of([('x_ModelId', 'model_id'), ('x_TokenType', 'token_type')]) }}
        end as sku_price_details,
        -- Quantities count unit-of-measure blocks (10K = 10,000 units): FOCUS quantities are in units.
        case when charge_category in ('Usage', 'Purchase') and not is_commitment_unused then distinct_units end
            as pricing_unit,
        case when charge_category in ('Usage', 'Purchase') and not is_commitment_unused then quantity * pricing_block_size end
            as pricing_quantity,
        case when charge_category = 'Usage' and not is_commitment_unused then distinct_units end as consumed_unit,
        case when charge_category = 'Usage' and not is_commitment_unused then quantity * pricing_block_size end
            as consumed_quantity,
        billing_currency,
        billed_cost,
        effective_cost,
        coalesce(payg_cost, cost) as list_cost,
        cost as contracted_cost,
        {{ divide_money("payg_price", "pricing_block_size") }} as list_unit_price,
        {{ divide_money("effective_price", "pricing_block_size") }} as contracted_unit_price,
        pricing_category,
        commitment_id as commitment_discount_id,
        case
            when commitment_id is null then null
            when pricing_model = 'SavingsPlan' or charge_type = 'UnusedSavingsPlan' then 'Spend'
            else 'Usage'
        end as commitment_discount_category,
        case
            when commitment_id is null then null
            when pricing_model = 'SavingsPlan' or charge_type = 'UnusedSavingsPlan' then 'Savings Plan'
            else 'Reservation'
        end as commitment_discount_type,
        case
            when commitment_id is null or charge_category <> 'Usage' then null
            when is_commitment_unused then 'Unused'
            else 'Used'
        end as commitment_discount_status,
        case when commitment_id is not null and charge_category in ('Usage', 'Purchase') then quantity * pricing_block_size end
            as commitment_discount_quantity,
        case when commitment_id is not null and charge_category in ('Usage', 'Purchase') then distinct_units end
            as commitment_discount_unit,
        cast(null as {{ money_type() }}) as commitment_unused_quantity,
        billing_period_start_at as billing_period_start,
        billing_period_end_at as billing_period_end,
        charge_date as charge_period_start,
        charge_date + interval 1 day as charge_period_end,
        tags,
        cast(null as {{ json_type() }}) as cost_category,
        model_id,
        token_type,
        token_count,
        service_tier,
        inference_region_scope,
        instance_type,
        gpu_count,
        {{ json_text('tags', '$.team') }} as tag_team,
        {{ json_text('tags', '$.application') }} as tag_application,
        {{ json_text('tags', '$.environment') }} as tag_environment,
        'azure_subscription' as account_key_type,
        subscription_id as account_key,
        cast(null as string) as iam_principal,
        _source_file,
        _source_row
    from {{ ref('int_azure_cost__charges_classified') }}
)

select {{ contract_columns() }}
from charges
