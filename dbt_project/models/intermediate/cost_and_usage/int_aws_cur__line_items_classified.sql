{#-
    CUR line items classified for FOCUS: charge category from the line item type (seed), service from
    the product code (seed), amortised effective cost, and the AI dimensions parsed from Bedrock usage
    types: {REGION}-{BillingModelName}-{token type}[-{tier}][-cross-region-global|-cross-region-geo].
-#}
{%- set bedrock_usage_type = bedrock_usage_type_pattern() -%}

with

line_items as (
    select * from {{ ref('stg_aws_cur__line_items') }}
),

line_item_types as (
    select * from {{ ref('aws_line_item_types') }}
),

services as (
    select * from {{ ref('aws_services') }}
),

billing_names as (
    select
        alias as billing_model_name,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'bedrock_billing_name'
),

gpu_instance_types as (
    select * from {{ ref('gpu_instance_types') }}
),

parsed as (
    select
        *,
        product_code in ('AmazonBedrock', 'AmazonBedrockService') as is_bedrock,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 1) }}, '') as bedrock_model_name,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 2) }}, '') as bedrock_token_kind,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 3) }}, '') as bedrock_tier,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 4) }}, '') as bedrock_region_scope,
        coalesce(
            instance_type,
            nullif({{ regex_group('usage_type', '(?:Box|Spot|Dedicated|UnusedDed|CapacityBlockFee)[A-Za-z]*:([a-z0-9-]+\\.[a-z0-9]+)$', 1) }}, '')
        ) as resolved_instance_type
    from line_items
),

classified as (
    select
        parsed.*,
        -- A line item type AWS adds after the seed was written still counts, as an Adjustment (the
        -- staging relationship test warns so the seed learns it).
        coalesce(line_item_types.charge_category, 'Adjustment') as charge_category,
        line_item_types.charge_class,
        coalesce(line_item_types.charge_frequency, 'One-Time') as charge_frequency,
        coalesce(services.service_name, parsed.product_code) as service_name,
        coalesce(services.service_category, 'Other') as service_category,
        coalesce(services.service_subcategory, 'Other (Other)') as service_subcategory,
        case
            when parsed.is_bedrock and parsed.bedrock_model_name is not null
                then coalesce(billing_names.model_id, parsed.bedrock_model_name)
        end as model_id,
        case when parsed.is_bedrock then {{ bedrock_token_type('parsed.bedrock_token_kind') }} end as token_type,
        case
            when parsed.is_bedrock and parsed.bedrock_token_kind is not null
                then coalesce(parsed.bedrock_tier, 'standard')
        end as service_tier,
        case
            when parsed.is_bedrock
                then {{ bedrock_region_scope('parsed.bedrock_token_kind', 'parsed.bedrock_region_scope') }}
        end as inference_region_scope,
        gpu_instance_types.gpu_count,
        gpu_instance_types.gpu_model,
        -- Amortised cost the way AWS computes it: commitments replace the on-demand cost of what they
        -- cover, the negation and upfront-fee lines carry no effective cost, and a commitment's recurring
        -- fee keeps only its unused part (the used part is already in the covered usage).
        case parsed.line_item_type
            when 'SavingsPlanCoveredUsage' then coalesce(parsed.savings_plan_effective_cost, parsed.unblended_cost)
            when 'DiscountedUsage' then coalesce(parsed.reservation_effective_cost, parsed.unblended_cost)
            when 'SavingsPlanNegation' then cast(0 as {{ money_type() }})
            when 'SavingsPlanUpfrontFee' then cast(0 as {{ money_type() }})
            when 'SavingsPlanRecurringFee'
                then coalesce(
                    parsed.savings_plan_total_commitment - parsed.savings_plan_used_commitment, parsed.unblended_cost
                )
            when 'RIFee'
                then
                    case
                        when
                            parsed.reservation_unused_recurring_fee is null
                            and parsed.reservation_unused_amortized_upfront_fee is null
                            then parsed.unblended_cost
                        else
                            coalesce(parsed.reservation_unused_recurring_fee, 0)
                            + coalesce(parsed.reservation_unused_amortized_upfront_fee, 0)
                    end
            else parsed.unblended_cost
        end as effective_cost,
        case
            when parsed.savings_plan_arn is not null then parsed.savings_plan_arn
            when parsed.reservation_arn is not null then parsed.reservation_arn
        end as commitment_discount_id,
        case
            when parsed.savings_plan_arn is not null then 'Spend'
            when parsed.reservation_arn is not null then 'Usage'
        end as commitment_discount_category,
        case
            when parsed.savings_plan_arn is not null then 'Savings Plan'
            when parsed.reservation_arn is not null then 'Reserved Instance'
        end as commitment_discount_type,
        -- FOCUS: a status on every commitment-linked usage row (the negation offsets covered usage).
        case
            when
                parsed.line_item_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage', 'SavingsPlanNegation')
                then 'Used'
        end as commitment_discount_status,
        -- Spend commitments (Savings Plans) are measured in money, usage commitments (RIs) in hours.
        case
            when parsed.line_item_type = 'SavingsPlanCoveredUsage' then parsed.savings_plan_effective_cost
            when parsed.line_item_type = 'SavingsPlanNegation' then cast(0 as {{ money_type() }})
            when parsed.line_item_type in ('SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
                then coalesce(parsed.savings_plan_total_commitment, parsed.unblended_cost)
            when parsed.reservation_arn is not null then parsed.usage_amount
        end as commitment_discount_quantity,
        case
            when parsed.savings_plan_arn is not null then parsed.currency_code
            when parsed.reservation_arn is not null then 'Hours'
        end as commitment_discount_unit,
        -- What a commitment fee left unused, in its own unit (money for Savings Plans, hours for RIs).
        case
            when parsed.line_item_type = 'SavingsPlanRecurringFee'
                then parsed.savings_plan_total_commitment - parsed.savings_plan_used_commitment
            when parsed.line_item_type = 'RIFee' then parsed.reservation_unused_quantity
        end as commitment_unused_quantity,
        case
            when line_item_types.charge_category = 'Usage'
                then coalesce(parsed.public_on_demand_cost, parsed.unblended_cost)
            else parsed.unblended_cost
        end as list_cost,
        -- FOCUS pricing category: commitment-covered usage is Committed, Spot is Dynamic.
        case
            when line_item_types.charge_category <> 'Usage' then null
            when parsed.line_item_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage') then 'Committed'
            when parsed.usage_type like '%SpotUsage%' then 'Dynamic'
            else 'Standard'
        end as pricing_category
    from parsed
    left join line_item_types on parsed.line_item_type = line_item_types.line_item_type
    left join services on parsed.product_code = services.product_code
    left join billing_names on parsed.bedrock_model_name = billing_names.billing_model_name
    left join gpu_instance_types on parsed.resolved_instance_type = gpu_instance_types.instance_type
)

select * from classified
