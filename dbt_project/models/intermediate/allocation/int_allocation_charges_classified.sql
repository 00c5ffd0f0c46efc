{#-
    Every charge of the bill with what the allocation needs to know about it: its day, whether it is AI
    spend, its allocation kind (how it is split: see int_allocation_charge_groups) and the charge group it
    belongs to. The FOCUS table joins it to record each charge's allocation method.
-#}

with

charges as (
    select * from {{ ref('int_cost_and_usage_attributed') }}
),

gpu_instance_types as (
    select * from {{ ref('gpu_instance_types') }}
),

classified as (
    select
        charges.*,
        cast(charges.charge_period_start as date) as charge_date,
        gpu_instance_types.instance_type is not null as is_gpu_instance,
        case
            when charges.charge_category = 'Purchase' and charges.commitment_discount_id is not null
                then 'commitment_purchase'
            when charges.commitment_discount_status = 'Unused' then 'unused_commitment'
            when
                charges.charge_category in ('Tax', 'Credit')
                or lower(charges.service_name) like '%support%'
                then 'shared'
            when gpu_instance_types.instance_type is not null and charges.resource_id is not null then 'gpu'
            when charges.service_tier = 'provisioned' then 'provisioned'
            when charges.model_id is not null and charges.token_type is not null then 'tokens'
            else 'bill_keys'
        end as allocation_kind
    from charges
    left join gpu_instance_types on charges.instance_type = gpu_instance_types.instance_type
),

keyed as (
    select
        *,
        service_category = 'AI and Machine Learning' or is_gpu_instance as is_ai,
        coalesce(sub_account_id, '') as group_sub_account_id,
        coalesce(model_id, '') as group_model_id,
        coalesce(token_type, '') as group_token_type,
        case when allocation_kind in ('gpu', 'provisioned', 'shared') then coalesce(resource_id, '') else '' end
            as group_resource_id,
        case
            when allocation_kind in ('commitment_purchase', 'unused_commitment', 'gpu', 'provisioned')
                then coalesce(commitment_discount_id, '')
            else ''
        end as group_commitment_discount_id,
        coalesce(instance_type, '') as group_instance_type
    from classified
)

select
    *,
    md5(concat_ws(
        '|', source, provider_name, billing_account_id, group_sub_account_id, invoice_id,
        cast(billing_period_start as varchar), billing_currency, cast(charge_date as varchar), service_name,
        service_category, charge_category, allocation_kind, group_model_id, group_token_type, group_resource_id,
        group_commitment_discount_id, group_instance_type, attribution_method, team, application,
        environment, cost_centre_id
    )) as charge_group_id
from keyed
