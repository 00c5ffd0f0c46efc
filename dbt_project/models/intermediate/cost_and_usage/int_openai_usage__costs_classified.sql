{#- OpenAI cost buckets with the model, token type and batch flag parsed from the line item text. -#}
{%- set line_item_pattern = '^(.+?), (batch )?(cached input|input|output)$' -%}

with

costs as (
    select * from {{ ref('stg_openai_usage__costs') }}
),

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

parsed as (
    select
        *,
        nullif({{ regex_group('line_item', line_item_pattern, 1) }}, '') as line_item_model,
        {{ regex_group('line_item', line_item_pattern, 2) }} <> '' as is_batch,
        nullif({{ regex_group('line_item', line_item_pattern, 3) }}, '') as line_item_kind
    from costs
)

select
    parsed.*,
    coalesce(model_names.model_id, parsed.line_item_model) as model_id,
    case parsed.line_item_kind
        when 'cached input' then 'cache_read'
        when 'input' then 'input'
        when 'output' then 'output'
    end as token_type,
    case
        when parsed.line_item_model is not null
            then case when parsed.is_batch then 'batch' else 'standard' end
    end as service_tier
from parsed
left join model_names on parsed.line_item_model = model_names.model_name
