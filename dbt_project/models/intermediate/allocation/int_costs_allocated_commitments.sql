{#-
    Second allocation pass: a commitment's purchase (its billed cost; its effective cost is 0 and was
    amortised into usage) is charged to whoever used the commitment, in proportion to the effective cost
    the first pass allocated from that commitment in the same billing period and currency: the covered
    usage's owners, and the `Idle` line of its unused part. A purchase whose commitment shows no use in
    its period (an upfront purchase amortised later) stays with the bill's own owner, or `Unallocated`.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or request-level usage changed; a purchase reads the first pass of its own period.
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
        allocation_kind = 'commitment_purchase'
        and {{ incremental_period_filter('billing_period_start') }}
),

first_pass as (
    select
        allocated.*,
        charge_groups.commitment_discount_id,
        charge_groups.billing_period_start,
        charge_groups.billing_currency
    from {{ ref('int_costs_allocated_direct') }} as allocated
    inner join {{ ref('int_allocation_charge_groups') }} as charge_groups
        on allocated.charge_group_id = charge_groups.charge_group_id
    where
        charge_groups.commitment_discount_id <> ''
        and {{ incremental_period_filter('charge_groups.billing_period_start') }}
),

usage_weights as (
    select
        charge_groups.charge_group_id,
        first_pass.team,
        first_pass.application,
        first_pass.environment,
        first_pass.cost_centre_id,
        first_pass.customer_id,
        first_pass.feature,
        case
            when first_pass.allocated_method_id in ('idle_capacity', 'unused_commitment', 'unallocated')
                then first_pass.allocated_method_id
            else 'commitment_usage'
        end as allocated_method_id,
        first_pass.allocated_resource_id,
        first_pass.is_ai,
        {{ allocation_weight('sum(first_pass.effective_cost)') }} as weight
    from charge_groups
    inner join first_pass
        on
            charge_groups.commitment_discount_id = first_pass.commitment_discount_id
            and charge_groups.billing_period_start = first_pass.billing_period_start
            and charge_groups.billing_currency = first_pass.billing_currency
    group by all
),

used_groups as (
    select charge_group_id
    from usage_weights
    group by charge_group_id
    having sum(weight) > 0
),

unused_weights as (
    {{ bill_owner_weights('charge_groups', 'select used_groups.charge_group_id from used_groups') }}
),

weights as (
    select
        *,
        concat_ws('|', {{ target_columns | join(', ') }}) as target_key
    from (
        {{- union_all_columns(['usage_weights', 'unused_weights'], allocation_weight_columns()) }}
    ) as all_weights
)

{{ allocate_exactly('charge_groups', 'weights', target_columns) }}
