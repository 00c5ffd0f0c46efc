{#-
    GCP billing export rows as FOCUS charges, plus one Credit row per credit of a row (committed and sustained
    use discounts, free tier, promotions), so BilledCost sums to the invoice's net cost.
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml).
-#}

with

usage_charges as (
    select
        'gcp_billing' as source,
        'billing_export' as source_dataset,
        charge_id,
        billing_account_id,
        billing_account_id as billing_account_name,
        project_id as sub_account_id,
        coalesce(project_name, project_id) as sub_account_name,
        cast(null as string) as invoice_id,
        'Google Cloud' as invoice_issuer_name,
        'Google LLC' as invoicing_entity,
        'Google Cloud' as provider_name,
        'Google Cloud' as host_provider_name,
        coalesce(seller_name, 'Google Cloud') as publisher_name,
        service_description as service_name,
        service_category,
        service_subcategory,
        charge_category,
        case when cost_type = 'adjustment' then 'Correction' end as charge_class,
        case when charge_category = 'Usage' then 'Usage-Based' else 'One-Time' end as charge_frequency,
        sku_description as charge_description,
        coalesce(resource_global_name, resource_name) as resource_id,
        region as region_id,
        zone as availability_zone,
        sku_id,
        sku_description as sku_meter,
        case
            when gpu_count is not null then {{ json_object_of([('InstanceType', 'instance_type'), ('GpuCount', 'gpu_count')]) }}
            when model_id is not null then {{ json_object_of([('x_ModelId', 'model_id'), ('x_TokenType', 'token_type')]) }}
        end as sku_price_details,
        case
            when charge_category <> 'Usage' or usage_amount_in_pricing_units is null then null
            when token_type is not null then 'Tokens'
            when usage_pricing_unit = 'k{char}' then '1000 Characters'
            else usage_pricing_unit
        end as pricing_unit,
        case when charge_category = 'Usage' and usage_pricing_unit is not null then usage_amount_in_pricing_units end
            as pricing_quantity,
        case
            when charge_category <> 'Usage' or usage_amount is null then null
            when token_type is not null then 'Tokens'
            else usage_unit
        end as consumed_unit,
        case when charge_category = 'Usage' and usage_unit is not null then usage_amount end as consumed_quantity,
        currency as billing_currency,
        -- the gross cost; credits are their own rows below, so billed and effective totals are net
        cost as billed_cost,
        cost as effective_cost,
        coalesce(cost_at_list, cost) as list_cost,
        cost as contracted_cost,
        cast(null as {{ money_type() }}) as list_unit_price,
        cast(null as {{ money_type() }}) as contracted_unit_price,
        case when charge_category = 'Usage' then 'Standard' end as pricing_category,
        {{ no_commitment_discount_columns() }},
        billing_period_start_at as billing_period_start,
        billing_period_end_at as billing_period_end,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        labels as tags,
        cast(null as {{ json_type() }}) as cost_category,
        model_id,
        token_type,
        case when token_type is not null then usage_amount end as token_count,
        service_tier,
        cast(null as string) as inference_region_scope,
        instance_type,
        gpu_count,
        {{ json_text('labels', '$.team') }} as tag_team,
        {{ json_text('labels', '$.application') }} as tag_application,
        {{ json_text('labels', '$.environment') }} as tag_environment,
        'gcp_project' as account_key_type,
        project_id as account_key,
        cast(null as string) as iam_principal,
        _source_file,
        _source_row
    from {{ ref('int_gcp_billing__charges_classified') }}
),

-- Each credit of a row is a FOCUS Credit row against the same account, project, service and SKU: the row's
-- cost plus its credits is net.
credit_charges as (
    select
        {{ star_except([
            'credit_type',
            'credit_id',
            'credit_name',
            'credit_full_name',
            'credit_amount',
            'credit_number',
            'charge_id',
            'charge_category',
            'charge_class',
            'charge_frequency',
            'charge_description',
            'sku_price_details',
            'pricing_unit',
            'pricing_quantity',
            'consumed_unit',
            'consumed_quantity',
            'billed_cost',
            'effective_cost',
            'list_cost',
            'contracted_cost',
            'pricing_category',
            'token_type',
            'token_count'
        ]) }},
        charge_id || ':credit:' || cast(credit_number as string) as charge_id,
        'Credit' as charge_category,
        cast(null as string) as charge_class,
        'One-Time' as charge_frequency,
        coalesce(credit_full_name, credit_name, credit_type) as charge_description,
        cast(null as {{ json_type() }}) as sku_price_details,
        cast(null as string) as pricing_unit,
        cast(null as {{ money_type() }}) as pricing_quantity,
        cast(null as string) as consumed_unit,
        cast(null as {{ money_type() }}) as consumed_quantity,
        credit_amount as billed_cost,
        credit_amount as effective_cost,
        credit_amount as list_cost,
        credit_amount as contracted_cost,
        cast(null as string) as pricing_category,
        -- a credit is money, not tokens: it keeps the model for reporting but no token type
        cast(null as string) as token_type,
        cast(null as {{ money_type() }}) as token_count
    from (
        select
            gcp_billing.*,
            {{ json_text('credits.credit', '$.type') }} as credit_type,
            {{ json_text('credits.credit', '$.id') }} as credit_id,
            {{ json_text('credits.credit', '$.name') }} as credit_name,
            {{ json_text('credits.credit', '$.full_name') }} as credit_full_name,
            cast({{ json_text('credits.credit', '$.amount') }} as {{ money_type() }}) as credit_amount,
            row_number() over (
                partition by gcp_billing.charge_id
                order by
                    {{ json_text('credits.credit', '$.type') }} nulls last,
                    {{ json_text('credits.credit', '$.id') }} nulls last,
                    {{ json_text('credits.credit', '$.name') }} nulls last,
                    {{ json_text('credits.credit', '$.amount') }} nulls last
            ) as credit_number
        from usage_charges as gcp_billing
        inner join (
            select
                charge_id as credited_charge_id,
                {{ json_array_elements('credits') }} as credit
            from {{ ref('int_gcp_billing__charges_classified') }}
            where credits is not null
        ) as credits on gcp_billing.charge_id = credits.credited_charge_id
    ) as credited
),

-- by name: the credits list their replaced columns after the others
charges as (
    select {{ contract_columns() }} from usage_charges
    union all
    select {{ contract_columns() }} from credit_charges
)

select {{ contract_columns() }}
from charges
