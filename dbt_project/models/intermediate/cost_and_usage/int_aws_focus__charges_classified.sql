{#-
    The AWS FOCUS export with the AI dimensions the FOCUS columns do not carry: Bedrock usage types
    (`x_UsageType`, else `SkuMeter`) parsed into model, token type, tier and scope exactly as for the CUR.
-#}
{%- set bedrock_usage_type = bedrock_usage_type_pattern() -%}

with

charges as (
    select
        *,
        coalesce(x_UsageType, SkuMeter) as usage_type
    from {{ ref('stg_aws_focus__focus_costs') }}
),

billing_names as (
    select
        alias as billing_model_name,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'bedrock_billing_name'
),

parsed as (
    select
        *,
        ServiceName like '%Bedrock%' as is_bedrock,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 1) }}, '') as bedrock_model_name,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 2) }}, '') as bedrock_token_kind,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 3) }}, '') as bedrock_tier,
        nullif({{ regex_group('usage_type', bedrock_usage_type, 4) }}, '') as bedrock_region_scope
    from charges
)

select
    parsed.*,
    case
        when parsed.is_bedrock and parsed.bedrock_token_kind is not null
            then coalesce(billing_names.model_id, parsed.bedrock_model_name)
    end as model_id,
    case when parsed.is_bedrock then {{ bedrock_token_type('parsed.bedrock_token_kind') }} end as token_type,
    case
        when parsed.is_bedrock and parsed.bedrock_token_kind is not null and parsed.ChargeCategory = 'Usage'
            then parsed.ConsumedQuantity
    end as token_count,
    case
        when parsed.is_bedrock and parsed.bedrock_token_kind is not null then coalesce(parsed.bedrock_tier, 'standard')
    end as service_tier,
    case
        when parsed.is_bedrock then {{ bedrock_region_scope('parsed.bedrock_token_kind', 'parsed.bedrock_region_scope') }}
    end as inference_region_scope
from parsed
left join billing_names on parsed.bedrock_model_name = billing_names.billing_model_name
