{#-
    Every charge of the bill with what the allocation needs to know about it: its day, whether it is AI
    spend, its allocation kind (how it is split: see int_allocation_charge_groups) and the charge group it
    belongs to, with the amounts the groups sum. The FOCUS table joins it (on source and charge_id) to record
    each charge's allocation method.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills
    changed. A table, read by the charge groups and the FOCUS table.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('billing_period_start') }}",
    )
}}

with

charges as (
    select * from {{ ref('int_cost_and_usage_attributed') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('billing_period_start') }}
    {%- endif %}
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
            -- Discounts the bill does not tie to an owner (AWS EDP, private pricing, free-tier bundles are
            -- negative Usage lines) are shared like credits: they lower the cost they were earned on.
            when
                charges.charge_category in ('Tax', 'Credit', 'Adjustment')
                or lower(charges.service_name) like '%support%'
                or (charges.billed_cost < 0 and charges.attributed_team is null)
                then 'shared'
            when gpu_instance_types.instance_type is not null and charges.resource_id is not null then 'gpu'
            -- Azure PTU carries the provisioned tier; Bedrock Provisioned Throughput bills model units by the
            -- hour, named so in its usage type and description.
            when
                charges.service_tier = 'provisioned'
                or (
                    charges.service_category = 'AI and Machine Learning'
                    and {{ regex_matches(
                        "lower(coalesce(charges.sku_meter, '') || ' ' || coalesce(charges.charge_description, ''))",
                        'provisioned ?throughput|model ?units?'
                    ) }}
                )
                then 'provisioned'
            when charges.model_id is not null and charges.token_type is not null then 'tokens'
            else 'bill_keys'
        end as allocation_kind
    from charges
    left join gpu_instance_types on charges.instance_type = gpu_instance_types.instance_type
),

keyed as (
    select
        source,
        charge_id,
        provider_name,
        billing_account_id,
        coalesce(sub_account_id, '') as sub_account_id,
        invoice_id,
        billing_period_start,
        billing_currency,
        charge_date,
        service_name,
        service_category,
        charge_category,
        allocation_kind,
        service_category = 'AI and Machine Learning' or is_gpu_instance as is_ai,
        coalesce(model_id, '') as model_id,
        coalesce(token_type, '') as token_type,
        case when allocation_kind in ('gpu', 'provisioned', 'shared') then coalesce(resource_id, '') else '' end
            as resource_id,
        -- The commitment is kept wherever it matters: a purchase, its unused part, and every charge it
        -- covered (the commitments pass charges a purchase to the users of that usage).
        case
            when
                allocation_kind in ('commitment_purchase', 'unused_commitment', 'gpu', 'provisioned')
                or commitment_discount_status = 'Used'
                then coalesce(commitment_discount_id, '')
            else ''
        end as commitment_discount_id,
        coalesce(instance_type, '') as instance_type,
        coalesce(gpu_count, 0) as gpu_count,
        attribution_method as bill_attribution_method,
        team as bill_team,
        application as bill_application,
        environment as bill_environment,
        cost_centre_id as bill_cost_centre_id,
        billed_cost,
        effective_cost,
        coalesce(list_cost, 0) as list_cost,
        coalesce(token_count, 0) as token_count,
        -- Instance hours, for a GPU node's capacity (GCP meters seconds).
        case
            when lower(consumed_unit) in ('hrs', 'hours', 'hour', 'h') then consumed_quantity
            when lower(consumed_unit) in ('seconds', 's') then {{ divide_money('consumed_quantity', 3600) }}
        end as instance_hours
    from classified
)

select
    md5(concat_ws(
        '|', source, provider_name, billing_account_id, sub_account_id, coalesce(invoice_id, ''),
        cast(billing_period_start as string), billing_currency, cast(charge_date as string), service_name,
        service_category, charge_category, allocation_kind, model_id, token_type, resource_id,
        commitment_discount_id, instance_type, bill_attribution_method, bill_team, bill_application,
        bill_environment, bill_cost_centre_id
    )) as charge_group_id,
    *
from keyed
