{#-
    How provisioned AI throughput (Azure PTU, Bedrock provisioned throughput) is split: by the tokens it
    served. A day's capacity is 24 equal hours; each hour goes to the attribution keys in proportion to the
    tokens their requests to the provider used in that hour, and an hour in which no request used the
    capacity is an `Idle` line (charged to the cost centre that owns the capacity on the bill). Requests
    made in another account than the capacity's are left out; requests whose account is unknown count.
    Weights are in billionths of an hour.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or requests changed, from those periods' charge groups and requests.
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
        allocation_kind = 'provisioned'
        and {{ incremental_period_filter('billing_period_start') }}
),

capacity_days as (
    select distinct
        provider_name,
        billing_account_id,
        sub_account_id,
        charge_date
    from groups
),

requests as (
    select * from {{ ref('fct_llm_requests') }}
    where
        provider_name in (select distinct groups.provider_name from groups) and not coalesce(is_cache_hit, false)
        and {{ incremental_period_filter('request_date') }}
),

hourly_keys as (
    select
        capacity_days.provider_name,
        capacity_days.billing_account_id,
        capacity_days.sub_account_id,
        capacity_days.charge_date,
        extract(hour from requests.started_at) as usage_hour,
        requests.team,
        requests.application,
        requests.environment,
        requests.cost_centre_id,
        coalesce(requests.customer_id, '') as customer_id,
        coalesce(requests.feature, '') as feature,
        cast(sum(requests.total_tokens) as {{ big_int_type() }}) as tokens
    from capacity_days
    inner join requests
        on
            capacity_days.provider_name = requests.provider_name
            and capacity_days.charge_date = requests.request_date
            and (
                requests.cloud_account_id is null
                or requests.cloud_account_id in (capacity_days.sub_account_id, capacity_days.billing_account_id)
            )
    group by all
    having sum(requests.total_tokens) > 0
),

hour_shares as (
    select
        *,
        {{ int_div(
            'tokens * 1000000000',
            'sum(tokens) over (partition by provider_name, billing_account_id, sub_account_id, charge_date, usage_hour)'
        ) }} as weight
    from hourly_keys
),

served as (
    select
        provider_name,
        billing_account_id,
        sub_account_id,
        charge_date,
        team,
        application,
        environment,
        cost_centre_id,
        customer_id,
        feature,
        sum(weight) as weight
    from hour_shares
    group by all
),

idle as (
    select
        capacity_days.provider_name,
        capacity_days.billing_account_id,
        capacity_days.sub_account_id,
        capacity_days.charge_date,
        cast(24 - count(distinct hour_shares.usage_hour) as {{ big_int_type() }}) * 1000000000 as weight
    from capacity_days
    left join hour_shares
        on
            capacity_days.provider_name = hour_shares.provider_name
            and capacity_days.billing_account_id = hour_shares.billing_account_id
            and capacity_days.sub_account_id = hour_shares.sub_account_id
            and capacity_days.charge_date = hour_shares.charge_date
    group by all
)

select
    groups.charge_group_id,
    served.team,
    served.application,
    served.environment,
    served.cost_centre_id,
    served.customer_id,
    served.feature,
    'tokens_served' as allocated_method_id,
    '' as allocated_resource_id,
    groups.is_ai,
    served.weight
from groups
inner join served
    on
        groups.provider_name = served.provider_name
        and groups.billing_account_id = served.billing_account_id
        and groups.sub_account_id = served.sub_account_id
        and groups.charge_date = served.charge_date
union all
select
    groups.charge_group_id,
    'Idle' as team,
    'Idle provisioned capacity' as application,
    groups.bill_environment as environment,
    groups.bill_cost_centre_id as cost_centre_id,
    '' as customer_id,
    '' as feature,
    'idle_capacity' as allocated_method_id,
    groups.resource_id as allocated_resource_id,
    groups.is_ai,
    idle.weight
from groups
inner join idle
    on
        groups.provider_name = idle.provider_name
        and groups.billing_account_id = idle.billing_account_id
        and groups.sub_account_id = idle.sub_account_id
        and groups.charge_date = idle.charge_date
where idle.weight > 0
