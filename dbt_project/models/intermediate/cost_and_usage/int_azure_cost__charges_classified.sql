{#-
    Azure cost details (the rows of the export that counts, int_azure_cost__cost_details_selected) classified
    for FOCUS, with the AI dimensions parsed from Azure OpenAI meter names (`gpt-4o 1120 cached Inp glbl
    Tokens`: model, cached, batch, direction, deployment scope), provisioned throughput (PTU) and GPU virtual
    machines.
-#}
{%- set meter = '(?i)^(.+?)\\s+(?:(cached)\\s+)?(?:(batch)\\s+)?(inp|inpt|input|outp|outpt|opt|output)\\s+(glbl|gl|global|dz|dzone|datazone|regnl|regional)?\\s*(?:1[km]\\s+)?tokens$' -%}
{%- set ptu = '(?i)^provisioned managed\\s+(global|data zone|regional)\\s+unit' -%}

with

selected as (
    select * from {{ ref('int_azure_cost__cost_details_selected') }}
),

pricing_units as (
    select * from {{ ref('azure_pricing_units') }}
),

services as (
    select * from {{ ref('azure_services') }}
),

-- One service per resource type, for rows whose consumed service is not in the mapping with it, and one
-- per consumed service, for rows whose resource id names no known type.
services_by_type as (
    select * from (
        select
            *,
            row_number() over (partition by resource_type order by consumed_service nulls last) as type_rank
        from services
    ) as ranked_by_type
    where type_rank = 1
),

services_by_consumed as (
    select * from (
        select
            *,
            row_number() over (partition by consumed_service order by resource_type) as consumed_rank
        from services
        where consumed_service is not null
    ) as ranked_by_consumed
    where consumed_rank = 1
),

meter_models as (
    select
        alias as meter_model,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'azure_meter_model'
),

gpu_instance_types as (
    select * from {{ ref('gpu_instance_types') }}
),

parsed as (
    select
        selected.*,
        coalesce(pricing_units.pricing_block_size, 1) as pricing_block_size,
        pricing_units.distinct_units,
        nullif({{ regex_group('selected.meter_name', meter, 1) }}, '') as meter_model,
        lower(nullif({{ regex_group('selected.meter_name', meter, 2) }}, '')) as meter_cached,
        lower(nullif({{ regex_group('selected.meter_name', meter, 3) }}, '')) as meter_batch,
        lower(nullif({{ regex_group('selected.meter_name', meter, 4) }}, '')) as meter_direction,
        lower(nullif({{ regex_group('selected.meter_name', meter, 5) }}, '')) as meter_scope,
        lower(nullif({{ regex_group('selected.meter_name', ptu, 1) }}, '')) as ptu_scope,
        {{ json_text('selected.additional_info', '$.ServiceType') }} as vm_size,
        coalesce(selected.meter_subcategory like 'Azure OpenAI%', false)
        or coalesce(selected.product_name like 'Azure OpenAI%', false) as is_azure_openai
    from selected
    left join pricing_units on trim(selected.unit_of_measure) = trim(pricing_units.unit_of_measure)
),

classified as (
    select
        parsed.*,
        -- Azure OpenAI meters (tokens, PTU hours and PTU reservations) are generative AI whatever resource
        -- or consumed service (Microsoft.Capacity for reservations) carries them.
        case
            when parsed.is_azure_openai then 'Azure OpenAI'
            else coalesce(
                service_by_type.service_name, service_by_namespace.service_name, service_by_consumed.service_name,
                parsed.consumed_service, 'Azure'
            )
        end as service_name,
        case
            when parsed.is_azure_openai then 'AI and Machine Learning'
            else coalesce(
                service_by_type.service_category, service_by_namespace.service_category,
                service_by_consumed.service_category, 'Other'
            )
        end as service_category,
        case
            when parsed.is_azure_openai then 'Generative AI'
            else coalesce(
                service_by_type.service_subcategory, service_by_namespace.service_subcategory,
                service_by_consumed.service_subcategory, 'Other (Other)'
            )
        end as service_subcategory,
        case parsed.charge_type
            when 'Usage' then 'Usage'
            when 'UnusedReservation' then 'Usage'
            when 'UnusedSavingsPlan' then 'Usage'
            when 'Purchase' then 'Purchase'
            when 'Refund' then 'Purchase'
            when 'Tax' then 'Tax'
            else 'Adjustment'
        end as charge_category,
        case when parsed.charge_type = 'Refund' then 'Correction' end as charge_class,
        case parsed.frequency
            when 'OneTime' then 'One-Time'
            when 'Recurring' then 'Recurring'
            else 'Usage-Based'
        end as charge_frequency,
        case
            when parsed.charge_type not in ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') then null
            when parsed.pricing_model in ('Reservation', 'SavingsPlan') then 'Committed'
            when parsed.pricing_model = 'Spot' then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        case when parsed.meter_model is not null then coalesce(meter_models.model_id, lower(parsed.meter_model)) end
            as model_id,
        case
            when parsed.meter_model is null then null
            when parsed.meter_cached is not null then 'cache_read'
            when parsed.meter_direction in ('outp', 'outpt', 'opt', 'output') then 'output'
            else 'input'
        end as token_type,
        case
            when parsed.ptu_scope is not null then 'provisioned'
            when parsed.meter_batch is not null then 'batch'
            when parsed.meter_model is not null then 'standard'
        end as service_tier,
        case
            when coalesce(parsed.meter_scope, parsed.ptu_scope) in ('glbl', 'gl', 'global') then 'global'
            when coalesce(parsed.meter_scope, parsed.ptu_scope) in ('dz', 'dzone', 'datazone', 'data zone')
                then 'data_zone'
            when coalesce(parsed.meter_scope, parsed.ptu_scope) in ('regnl', 'regional') then 'regional'
        end as inference_region_scope,
        case when parsed.meter_model is not null then parsed.quantity * parsed.pricing_block_size end as token_count,
        gpu_instance_types.instance_type,
        gpu_instance_types.gpu_count
    from parsed
    left join services as service_by_type
        on parsed.consumed_service = service_by_type.consumed_service and parsed.resource_type = service_by_type.resource_type
    left join services_by_type as service_by_namespace
        on service_by_type.service_name is null and parsed.resource_type = service_by_namespace.resource_type
    left join services_by_consumed as service_by_consumed
        on
            service_by_type.service_name is null
            and service_by_namespace.service_name is null
            and parsed.consumed_service = service_by_consumed.consumed_service
    left join meter_models on lower(replace(parsed.meter_model, '-', ' ')) = meter_models.meter_model
    left join gpu_instance_types on parsed.vm_size = gpu_instance_types.instance_type
)

select * from classified
