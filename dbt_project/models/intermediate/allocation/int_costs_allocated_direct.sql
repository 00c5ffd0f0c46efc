{#-
    First allocation pass: every charge group that is not a commitment purchase or a shared charge, split
    exactly (allocate_exactly) by its weights: token cells by request-level usage, provisioned capacity by
    tokens served, GPU instances by workload GPU-hours. A group nothing measured (no weights) goes whole to
    the bill's own owner, or `Unallocated`; an unused commitment goes whole to an `Idle` line.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or request-level usage changed; a group's split reads only its own weights.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_charge_groups(ref('int_allocation_charge_groups')) }}",
    )
}}

{%- set target_columns = [
    'team', 'application', 'environment', 'cost_centre_id', 'customer_id', 'feature',
    'allocated_method_id', 'allocated_resource_id', 'is_ai'
] %}

with

charge_groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
    where
        allocation_kind not in ('commitment_purchase', 'shared')
        and {{ incremental_period_filter('billing_period_start') }}
),

measured_weights as (
    select * from (
        {{- union_all_columns([
            ref('int_allocation_token_weights'),
            ref('int_allocation_provisioned_weights'),
            ref('int_allocation_gpu_weights'),
        ], allocation_weight_columns()) }}
    ) as all_measured
    {% if is_incremental() -%}
        where {{ in_rebuilt_charge_groups('charge_group_id', ref('int_allocation_charge_groups')) }}
    {%- endif %}
),

measured_groups as (
    select charge_group_id
    from measured_weights
    group by charge_group_id
    having sum(weight) > 0
),

unmeasured_weights as (
    select
        charge_group_id,
        case when allocation_kind = 'unused_commitment' then 'Idle' else bill_team end as team,
        case when allocation_kind = 'unused_commitment' then 'Unused commitment' else bill_application end
            as application,
        bill_environment as environment,
        bill_cost_centre_id as cost_centre_id,
        '' as customer_id,
        '' as feature,
        case
            when allocation_kind = 'unused_commitment' then 'unused_commitment'
            when bill_team = 'Unallocated' then 'unallocated'
            else 'bill_keys'
        end as allocated_method_id,
        case when allocation_kind = 'unused_commitment' then commitment_discount_id else '' end
            as allocated_resource_id,
        is_ai,
        cast(1 as {{ big_int_type() }}) as weight
    from charge_groups
    where charge_group_id not in (select measured_groups.charge_group_id from measured_groups)
),

weights as (
    select
        *,
        concat_ws('|', {{ target_columns | join(', ') }}) as target_key
    from (
        {{- union_all_columns(['measured_weights', 'unmeasured_weights'], allocation_weight_columns()) }}
    ) as all_weights
)

{{ allocate_exactly('charge_groups', 'weights', target_columns) }}
