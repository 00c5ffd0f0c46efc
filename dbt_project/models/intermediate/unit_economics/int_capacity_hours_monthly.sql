{#-
    Used and idle hours of AI capacity per billing period, from the allocation's own weights: GPU-hours of
    GPU instances (int_allocation_gpu_weights: workloads' GPU-hours vs the `Idle` GPU-hours) and hours of
    provisioned throughput (int_allocation_provisioned_weights: hours the capacity served requests vs
    `Idle` hours). Every charge group of a node or capacity day carries the same weights, so each day's
    weights are counted once. Hours are rounded to the millionth (the weights are floored shares).
-#}

with

groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
),

gpu as (
    select distinct
        groups.resource_id as capacity_id,
        groups.charge_date,
        {{ period_of('groups.billing_period_start') }} as billing_period,
        weights.team,
        weights.application,
        weights.cost_centre_id,
        weights.customer_id,
        weights.allocated_resource_id,
        cast(weights.weight as decimal(38, 12)) * cast(0.000001 as decimal(7, 6)) as hours
    from {{ ref('int_allocation_gpu_weights') }} as weights
    inner join groups on weights.charge_group_id = groups.charge_group_id
),

provisioned as (
    select distinct
        groups.provider_name || '|' || groups.billing_account_id || '|' || groups.sub_account_id as capacity_id,
        groups.charge_date,
        {{ period_of('groups.billing_period_start') }} as billing_period,
        weights.team,
        weights.application,
        weights.environment,
        weights.cost_centre_id,
        weights.customer_id,
        weights.feature,
        cast(weights.weight as decimal(38, 12)) * cast(0.000000001 as decimal(10, 9)) as hours
    from {{ ref('int_allocation_provisioned_weights') }} as weights
    inner join groups on weights.charge_group_id = groups.charge_group_id
)

select
    billing_period,
    'gpu' as capacity_kind,
    cast(round(coalesce(sum(hours) filter (where team <> 'Idle'), 0), 6) as decimal(38, 12)) as used_hours,
    cast(round(coalesce(sum(hours) filter (where team = 'Idle'), 0), 6) as decimal(38, 12)) as idle_hours
from gpu
group by billing_period
union all
select
    billing_period,
    'provisioned' as capacity_kind,
    cast(round(coalesce(sum(hours) filter (where team <> 'Idle'), 0), 6) as decimal(38, 12)) as used_hours,
    cast(round(coalesce(sum(hours) filter (where team = 'Idle'), 0), 6) as decimal(38, 12)) as idle_hours
from provisioned
group by billing_period
