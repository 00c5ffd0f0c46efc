{#-
    Every invoice-grade charge in FOCUS vocabulary (snake_case), one row per source row.
    A new billing source is one more CTE in this union (and one more name in `billing_sources`); the
    union selects the columns by name, so the order inside each CTE does not matter.
-#}
{%- set charge_columns = [
    'source',
    'source_dataset',
    'charge_id',
    'billing_account_id',
    'billing_account_name',
    'sub_account_id',
    'sub_account_name',
    'invoice_id',
    'invoice_issuer_name',
    'invoicing_entity',
    'provider_name',
    'host_provider_name',
    'publisher_name',
    'service_name',
    'service_category',
    'service_subcategory',
    'charge_category',
    'charge_class',
    'charge_frequency',
    'charge_description',
    'resource_id',
    'region_id',
    'availability_zone',
    'sku_id',
    'sku_meter',
    'sku_price_details',
    'pricing_unit',
    'pricing_quantity',
    'consumed_unit',
    'consumed_quantity',
    'billing_currency',
    'billed_cost',
    'effective_cost',
    'list_cost',
    'contracted_cost',
    'list_unit_price',
    'contracted_unit_price',
    'pricing_category',
    'commitment_discount_id',
    'commitment_discount_category',
    'commitment_discount_type',
    'commitment_discount_status',
    'commitment_discount_quantity',
    'commitment_discount_unit',
    'commitment_unused_quantity',
    'billing_period_start',
    'billing_period_end',
    'charge_period_start',
    'charge_period_end',
    'tags',
    'cost_category',
    'model_id',
    'token_type',
    'token_count',
    'service_tier',
    'inference_region_scope',
    'instance_type',
    'gpu_count',
    'tag_team',
    'tag_application',
    'tag_environment',
    'account_key_type',
    'account_key',
    'iam_principal',
    '_source_file',
    '_source_row'
] -%}
{%- set billing_sources = [
    'aws_cur', 'azure_cost', 'gcp_billing', 'gcp_billing_credits', 'openai_costs',
    'anthropic_costs', 'aws_focus_export', 'azure_focus_export'
] -%}

with

aws_cur as (
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
            when gpu_count is not null then json_object('InstanceType', resolved_instance_type, 'GpuCount', gpu_count)
            when model_id is not null then json_object('x_ModelId', model_id, 'x_TokenType', token_type)
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
),

azure_cost as (
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
            when gpu_count is not null then json_object('InstanceType', instance_type, 'GpuCount', gpu_count)
            when model_id is not null then json_object('x_ModelId', model_id, 'x_TokenType', token_type)
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
        payg_price / pricing_block_size as list_unit_price,
        effective_price / pricing_block_size as contracted_unit_price,
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
        cast(null as json) as cost_category,
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
        cast(null as varchar) as iam_principal,
        _source_file,
        _source_row
    from {{ ref('int_azure_cost__charges_classified') }}
),

gcp_billing as (
    select
        'gcp_billing' as source,
        'billing_export' as source_dataset,
        charge_id,
        billing_account_id,
        billing_account_id as billing_account_name,
        project_id as sub_account_id,
        coalesce(project_name, project_id) as sub_account_name,
        cast(null as varchar) as invoice_id,
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
            when gpu_count is not null then json_object('InstanceType', instance_type, 'GpuCount', gpu_count)
            when model_id is not null then json_object('x_ModelId', model_id, 'x_TokenType', token_type)
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
        cast(null as varchar) as commitment_discount_id,
        cast(null as varchar) as commitment_discount_category,
        cast(null as varchar) as commitment_discount_type,
        cast(null as varchar) as commitment_discount_status,
        cast(null as {{ money_type() }}) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        cast(null as {{ money_type() }}) as commitment_unused_quantity,
        billing_period_start_at as billing_period_start,
        billing_period_end_at as billing_period_end,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        labels as tags,
        cast(null as json) as cost_category,
        model_id,
        token_type,
        case when token_type is not null then usage_amount end as token_count,
        service_tier,
        cast(null as varchar) as inference_region_scope,
        instance_type,
        gpu_count,
        {{ json_text('labels', '$.team') }} as tag_team,
        {{ json_text('labels', '$.application') }} as tag_application,
        {{ json_text('labels', '$.environment') }} as tag_environment,
        'gcp_project' as account_key_type,
        project_id as account_key,
        cast(null as varchar) as iam_principal,
        _source_file,
        _source_row
    from {{ ref('int_gcp_billing__charges_classified') }}
),

-- Each credit of a GCP row (committed use and sustained use discounts, free tier, promotions) is a FOCUS
-- Credit row against the same account, project, service and SKU: the row's cost plus its credits is net.
gcp_billing_credits as (
    select
        * exclude (credit_type, credit_id, credit_name, credit_full_name, credit_amount, credit_number)
        replace (
            charge_id || ':credit:' || cast(credit_number as varchar) as charge_id,
            'Credit' as charge_category,
            cast(null as varchar) as charge_class,
            'One-Time' as charge_frequency,
            coalesce(credit_full_name, credit_name, credit_type) as charge_description,
            cast(null as json) as sku_price_details,
            cast(null as varchar) as pricing_unit,
            cast(null as {{ money_type() }}) as pricing_quantity,
            cast(null as varchar) as consumed_unit,
            cast(null as {{ money_type() }}) as consumed_quantity,
            credit_amount as billed_cost,
            credit_amount as effective_cost,
            credit_amount as list_cost,
            credit_amount as contracted_cost,
            cast(null as varchar) as pricing_category,
            -- a credit is money, not tokens: it keeps the model for reporting but no token type
            cast(null as varchar) as token_type,
            cast(null as {{ money_type() }}) as token_count
        )
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
                order by {{ json_text('credits.credit', '$.type') }}, {{ json_text('credits.credit', '$.id') }}
            ) as credit_number
        from gcp_billing
        inner join (
            select
                charge_id as credited_charge_id,
                unnest(json_extract(credits, '$[*]')) as credit
            from {{ ref('int_gcp_billing__charges_classified') }}
            where credits is not null
        ) as credits on gcp_billing.charge_id = credits.credited_charge_id
    ) as credited
),

openai_costs as (
    select
        'openai_usage' as source,
        'costs_api' as source_dataset,
        '{{ var("openai_organization_id") }}' as billing_account_id,
        'OpenAI organization' as billing_account_name,
        project_id as sub_account_id,
        project_id as sub_account_name,
        'OpenAI' as invoice_issuer_name,
        'OpenAI, L.L.C.' as invoicing_entity,
        'OpenAI' as provider_name,
        'OpenAI' as host_provider_name,
        'OpenAI' as publisher_name,
        'OpenAI API' as service_name,
        coalesce(line_item, 'OpenAI usage') as charge_description,
        cast(null as varchar) as region_id,
        line_item as sku_id,
        line_item as sku_meter,
        case
            when model_id is not null
                then json_object('x_ModelId', model_id, 'x_TokenType', token_type)
        end as sku_price_details,
        case when token_type is not null then 'Tokens' end as pricing_unit,
        quantity as pricing_quantity,
        case when token_type is not null then 'Tokens' end as consumed_unit,
        quantity as consumed_quantity,
        currency_code as billing_currency,
        model_id,
        token_type,
        case when token_type is not null then quantity end as token_count,
        service_tier,
        cast(null as varchar) as inference_region_scope,
        'openai_project' as account_key_type,
        project_id as account_key,
        {{ provider_api_charge_columns() }}
    from {{ ref('int_openai_usage__costs_classified') }}
),

-- Anthropic's cost report: amounts were in cents (staging made them dollars); token counts come from the
-- usage report where its groups match.
anthropic_costs as (
    select
        'anthropic_usage' as source,
        'cost_report' as source_dataset,
        '{{ var("anthropic_organization_id") }}' as billing_account_id,
        'Anthropic organization' as billing_account_name,
        coalesce(workspace_id, 'default') as sub_account_id,
        coalesce(workspace_id, 'Default workspace') as sub_account_name,
        'Anthropic' as invoice_issuer_name,
        'Anthropic, PBC' as invoicing_entity,
        'Anthropic' as provider_name,
        'Anthropic' as host_provider_name,
        'Anthropic' as publisher_name,
        'Claude API' as service_name,
        coalesce(description, 'Claude API usage') as charge_description,
        inference_geo as region_id,
        description as sku_id,
        coalesce(report_token_type, cost_type) as sku_meter,
        case
            when model_id is not null
                then json_object(
                    'x_ModelId', model_id, 'x_TokenType', token_type, 'x_CacheTtl', cache_ttl,
                    'x_ContextWindow', context_window
                )
        end as sku_price_details,
        case when token_count is not null then 'Tokens' end as pricing_unit,
        cast(token_count as {{ money_type() }}) as pricing_quantity,
        case when token_count is not null then 'Tokens' end as consumed_unit,
        cast(token_count as {{ money_type() }}) as consumed_quantity,
        currency_code as billing_currency,
        model_id,
        token_type,
        cast(token_count as {{ money_type() }}) as token_count,
        service_tier,
        -- Anthropic's inference_geo is global or a geography (us): the latter keeps data in a zone.
        case when inference_geo = 'global' then 'global' when inference_geo is not null then 'data_zone' end
            as inference_region_scope,
        'anthropic_workspace' as account_key_type,
        coalesce(workspace_id, 'default') as account_key,
        {{ provider_api_charge_columns() }}
    from {{ ref('int_anthropic_usage__costs_classified') }}
),

-- Providers' own FOCUS exports, where the native bill of the same account and period is not loaded.
aws_focus_export as (
    {{ focus_export_charges(ref('int_aws_focus__charges_classified'), 'aws_focus', 'aws_cur', 'aws_account', ai_columns=true) }}
),

azure_focus_export as (
    {{ focus_export_charges(ref('stg_azure_cost__focus_costs'), 'azure_cost', 'azure_cost', 'azure_subscription') }}
)

{% for cte in billing_sources %}
    select {{ charge_columns | join(', ') }} from {{ cte }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
