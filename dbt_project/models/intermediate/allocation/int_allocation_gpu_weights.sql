{#-
    How a GPU instance's cost is split: by the GPU-hours each workload was allocated on it that day
    (gpu_usage), and the node's GPU-hours no workload held as an `Idle` line, charged to the cost centre
    that owns the instance on the bill. A node's capacity is its GPUs times the hours the bill shows it
    running (24 hours when the bill does not say). A workload whose `team` label names no known team is
    charged to the instance's owner on the bill (its own keys), like anything else no measurement
    identifies. Weights are in millionths of a GPU-hour.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or GPU usage changed, from those periods' charge groups and workload hours.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_charge_groups(ref('int_allocation_charge_groups')) }}",
    )
}}

with

groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
    where
        allocation_kind = 'gpu'
        and {{ incremental_period_filter('billing_period_start') }}
),

workload_hours as (
    select * from {{ ref('stg_gpu_usage__workload_hours') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('usage_date') }}
    {%- endif %}
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
    where key_type = 'team'
),

node_days as (
    select
        resource_id,
        charge_date,
        max(gpu_count) * coalesce(sum(instance_hours), 24) as capacity_gpu_hours
    from groups
    group by all
),

workloads as (
    select
        workload_hours.provider_resource_id as resource_id,
        workload_hours.usage_date as charge_date,
        keys.team,
        coalesce(workload_hours.application_label, 'Unallocated') as application,
        keys.cost_centre_id,
        coalesce(workload_hours.customer_label, '') as customer_id,
        concat_ws('/', workload_hours.cluster, workload_hours.namespace, workload_hours.workload)
            as allocated_resource_id,
        sum(workload_hours.gpu_hours) as gpu_hours
    from workload_hours
    left join keys
        on
            workload_hours.team_label = keys.key_value
            and workload_hours.usage_date >= keys.valid_from
            and (keys.valid_to is null or workload_hours.usage_date < keys.valid_to)
    group by all
),

idle as (
    select
        node_days.resource_id,
        node_days.charge_date,
        greatest(node_days.capacity_gpu_hours - sum(workloads.gpu_hours), 0) as idle_gpu_hours
    from node_days
    inner join workloads
        on node_days.resource_id = workloads.resource_id and node_days.charge_date = workloads.charge_date
    group by node_days.resource_id, node_days.charge_date, node_days.capacity_gpu_hours
)

select
    groups.charge_group_id,
    coalesce(workloads.team, groups.bill_team) as team,
    case when workloads.team is null then groups.bill_application else workloads.application end as application,
    groups.bill_environment as environment,
    coalesce(workloads.cost_centre_id, groups.bill_cost_centre_id) as cost_centre_id,
    workloads.customer_id,
    '' as feature,
    case
        when workloads.team is not null then 'gpu_hours'
        when groups.bill_team = 'Unallocated' then 'unallocated'
        else 'bill_keys'
    end as allocated_method_id,
    workloads.allocated_resource_id,
    groups.is_ai,
    {{ allocation_weight('workloads.gpu_hours') }} as weight
from groups
inner join workloads
    on groups.resource_id = workloads.resource_id and groups.charge_date = workloads.charge_date
union all
select
    groups.charge_group_id,
    'Idle' as team,
    'Idle GPU' as application,
    groups.bill_environment as environment,
    groups.bill_cost_centre_id as cost_centre_id,
    '' as customer_id,
    '' as feature,
    'idle_capacity' as allocated_method_id,
    groups.resource_id as allocated_resource_id,
    groups.is_ai,
    {{ allocation_weight('idle.idle_gpu_hours') }} as weight
from groups
inner join idle on groups.resource_id = idle.resource_id and groups.charge_date = idle.charge_date
