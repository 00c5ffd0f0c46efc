{#-
    GCP billing export rows classified for FOCUS, with the AI dimensions parsed from Vertex AI SKU descriptions
    (`Gemini 2.5 Flash GA Thinking Text Output - Batch Predictions`: model, thinking, modality, direction,
    priority, batch) and GPUs from the machine spec system label. Credits are kept for their own FOCUS rows.
-#}
{%- set sku = '(?i)^(gemini [0-9.]+ (?:flash-lite|flash|pro))(?: ga)?(?: (thinking|cached))? (?:text|image|video|audio) (input|output)(?: (priority))?(?: - (batch )?predictions)?$' -%}

with

lines as (
    select * from {{ ref('stg_gcp_billing__cost_lines') }}
),

services as (
    select * from {{ ref('gcp_services') }}
),

sku_models as (
    select
        alias as sku_model,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'vertex_sku_model'
),

gpu_instance_types as (
    select * from {{ ref('gpu_instance_types') }}
),

parsed as (
    select
        *,
        nullif({{ regex_group('sku_description', sku, 1) }}, '') as sku_model,
        lower(nullif({{ regex_group('sku_description', sku, 2) }}, '')) as sku_variant,
        lower(nullif({{ regex_group('sku_description', sku, 3) }}, '')) as sku_direction,
        lower(nullif({{ regex_group('sku_description', sku, 4) }}, '')) as sku_priority,
        lower(nullif({{ regex_group('sku_description', sku, 5) }}, '')) as sku_batch,
        {{ json_text('system_labels', '$."compute.googleapis.com/machine_spec"') }} as machine_spec
    from lines
),

classified as (
    select
        parsed.*,
        coalesce(services.service_category, 'Other') as service_category,
        coalesce(services.service_subcategory, 'Other (Other)') as service_subcategory,
        case parsed.cost_type
            when 'regular' then 'Usage'
            when 'tax' then 'Tax'
            else 'Adjustment'
        end as charge_category,
        case when parsed.sku_model is not null then coalesce(sku_models.model_id, lower(parsed.sku_model)) end
            as model_id,
        case
            when parsed.sku_model is null then null
            when parsed.sku_variant = 'cached' then 'cache_read'
            when parsed.sku_variant = 'thinking' then 'reasoning'
            else parsed.sku_direction
        end as token_type,
        case
            when parsed.sku_model is null then null
            when parsed.sku_batch is not null then 'batch'
            when parsed.sku_priority is not null then 'priority'
            else 'standard'
        end as service_tier,
        gpu_instance_types.instance_type,
        gpu_instance_types.gpu_count
    from parsed
    left join services on parsed.service_description = services.service_description
    left join sku_models on lower(parsed.sku_model) = sku_models.sku_model
    left join gpu_instance_types on parsed.machine_spec = gpu_instance_types.instance_type
)

select * from classified
