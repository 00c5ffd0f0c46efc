{#-
    Opportunities `idle_gpu` and `idle_provisioned`: the cost of a GPU instance's or a provisioned
    deployment's idle hours (fct_ai_costs_allocated rows of team `Idle`, allocation_kind `gpu` or
    `provisioned`), per billing period and instance or deployment, shown against the team and application
    that own it on the bill (who can release or shrink it). The hours come from the allocation's weights:
    idle and total GPU-hours of a node-day (int_allocation_gpu_weights, millionths of a GPU-hour), idle and
    capacity hours of a deployment-day (int_allocation_provisioned_weights, billionths of an hour; 24 a day).
    A resource billed in several charges a day counts its hours once (the largest of its charges').
        savings = idle cost x the recoverable share (vars `optimization_idle_gpu_recoverable_pct`,
        `optimization_idle_provisioned_recoverable_pct`; 100 = all of it)
-#}

with

groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
    where allocation_kind in ('gpu', 'provisioned')
),

weights as (
    select
        'gpu' as allocation_kind,
        charge_group_id,
        team,
        cast(weight as decimal(38, 12)) * cast(0.000001 as decimal(38, 12)) as hours
    from {{ ref('int_allocation_gpu_weights') }}
    union all
    select
        'provisioned' as allocation_kind,
        charge_group_id,
        team,
        cast(weight as decimal(38, 12)) * cast(0.000000001 as decimal(38, 12)) as hours
    from {{ ref('int_allocation_provisioned_weights') }}
),

charge_hours as (
    select
        groups.allocation_kind,
        groups.resource_id,
        groups.charge_date,
        groups.charge_group_id,
        sum(weights.hours) filter (where weights.team = 'Idle') as idle_hours,
        sum(weights.hours) as capacity_hours
    from groups
    inner join weights on groups.charge_group_id = weights.charge_group_id
    group by all
),

resource_hours as (
    select
        allocation_kind,
        resource_id,
        {{ period_of('charge_date') }} as billing_period,
        sum(idle_hours) as idle_hours,
        sum(capacity_hours) as capacity_hours
    from (
        select
            allocation_kind,
            resource_id,
            charge_date,
            coalesce(max(idle_hours), 0) as idle_hours,
            max(capacity_hours) as capacity_hours
        from charge_hours
        group by all
    ) as daily
    group by all
),

owners as (
    select
        resource_id,
        min(bill_team) as team,
        min(bill_application) as application,
        min(instance_type) as instance_type
    from groups
    group by resource_id
),

idle_costs as (
    select
        allocation_kind,
        billing_period,
        provider_name,
        resource_id,
        billing_currency,
        sum(effective_cost) as idle_cost
    from {{ ref('fct_ai_costs_allocated') }}
    where allocation_kind in ('gpu', 'provisioned') and team = 'Idle'
    group by all
),

rated as (
    select
        idle_costs.*,
        owners.team,
        owners.application,
        owners.instance_type,
        coalesce(resource_hours.idle_hours, 0) as idle_hours,
        coalesce(resource_hours.capacity_hours, 0) as capacity_hours,
        case idle_costs.allocation_kind
            when 'gpu' then {{ var('optimization_idle_gpu_recoverable_pct') }}
            else {{ var('optimization_idle_provisioned_recoverable_pct') }}
        end as recoverable_pct
    from idle_costs
    left join owners on idle_costs.resource_id = owners.resource_id
    left join resource_hours
        on
            idle_costs.allocation_kind = resource_hours.allocation_kind
            and idle_costs.resource_id = resource_hours.resource_id
            and idle_costs.billing_period = resource_hours.billing_period
)

select
    'idle_' || allocation_kind as opportunity_type,
    billing_period,
    coalesce(team, 'Unallocated') as team,
    coalesce(application, 'Unallocated') as application,
    provider_name,
    cast(null as string) as model_id,
    resource_id,
    case allocation_kind
        when 'gpu' then 'Release or right-size idle GPU capacity of ' || resource_id
        else 'Shrink provisioned deployment ' || resource_id || ' to its busy hours'
    end as suggested_action,
    idle_cost as current_cost,
    idle_cost * cast(recoverable_pct as decimal(9, 4)) * cast(0.01 as decimal(3, 2)) as estimated_savings,
    billing_currency,
    case allocation_kind
        when 'gpu'
            then
                coalesce(instance_type || ' ', '') || resource_id || ' was idle '
                || cast(cast(idle_hours as decimal(38, 1)) as string) || ' of '
                || cast(cast(capacity_hours as decimal(38, 1)) as string) || ' GPU-hours'
        else
            'Provisioned deployment ' || resource_id || ' served no request in '
            || cast(cast(idle_hours as decimal(38, 1)) as string) || ' of '
            || cast(cast(capacity_hours as decimal(38, 1)) as string) || ' hours'
    end
    || '; those hours cost ' || cast(cast(idle_cost as decimal(38, 2)) as string) || ' ' || billing_currency
    || ' (' || cast(recoverable_pct as string) || '% counted as recoverable).' as evidence,
    cast(null as bigint) as requests,
    cast(null as bigint) as tokens
from rated
where idle_cost > 0
