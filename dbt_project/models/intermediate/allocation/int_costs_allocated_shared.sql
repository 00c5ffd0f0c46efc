{#-
    Third allocation pass: tax, credits and support fees follow the cost they relate to, in proportion to
    the cost the first two passes allocated (the larger of billed and effective, so a purchase and its
    amortised usage both count). The related cost is the most specific that exists in the same provider,
    billing account, billing period and currency: (1) the same resource, (2) the same sub-account and
    service, (3) the same service, (4) the whole billing account. A shared charge with nothing to follow
    (a refund in a month with no usage left on the account) stays with the bill's own owner, or
    `Unallocated`. Each piece keeps the AI flag of the cost it follows.
-#}

{{ config(materialized='table') }}

{%- set target_columns = [
    'team', 'application', 'environment', 'cost_centre_id', 'customer_id', 'feature',
    'allocated_method_id', 'allocated_resource_id', 'is_ai'
] %}
{%- set scope = ['provider_name', 'billing_account_id', 'billing_period_start', 'billing_currency'] %}
{%- set levels = [
    ['resource_id'],
    ['sub_account_id', 'service_name'],
    ['service_name'],
    [],
] %}

with

charge_groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
    where allocation_kind = 'shared'
),

drivers as (
    select
        {%- for column in scope + ['resource_id', 'sub_account_id', 'service_name'] %}
            charge_groups.{{ column }},
        {%- endfor %}
        allocated.team,
        allocated.application,
        allocated.environment,
        allocated.cost_centre_id,
        allocated.customer_id,
        allocated.feature,
        case
            when allocated.allocated_method_id in ('idle_capacity', 'unused_commitment', 'unallocated')
                then allocated.allocated_method_id
            else 'shared_proportional'
        end as allocated_method_id,
        allocated.allocated_resource_id,
        allocated.is_ai,
        greatest(allocated.billed_cost, allocated.effective_cost) as driver_cost
    from (
        select * from {{ ref('int_costs_allocated_direct') }}
        union all by name
        select * from {{ ref('int_costs_allocated_commitments') }}
    ) as allocated
    inner join {{ ref('int_allocation_charge_groups') }} as charge_groups
        on allocated.charge_group_id = charge_groups.charge_group_id
),

candidates as (
    {%- for level in levels %}
        select
            charge_groups.charge_group_id,
            {{ loop.index }} as scope_level,
            {%- for column in target_columns %}
                drivers.{{ column }},
            {%- endfor %}
            {{ allocation_weight('sum(drivers.driver_cost)') }} as weight
        from charge_groups
        inner join drivers
            on
                {%- for column in scope + level %}
                    charge_groups.{{ column }} = drivers.{{ column }}{% if not loop.last %} and{% endif %}
                {%- endfor %}
        {%- if level == ['resource_id'] %}
            where charge_groups.resource_id <> ''
        {%- endif %}
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

chosen_levels as (
    select
        charge_group_id,
        min(scope_level) as scope_level
    from (
        select
            charge_group_id,
            scope_level
        from candidates
        group by all
        having sum(weight) > 0
    ) as positive
    group by charge_group_id
),

related_weights as (
    select candidates.*
    from candidates
    inner join chosen_levels
        on
            candidates.charge_group_id = chosen_levels.charge_group_id
            and candidates.scope_level = chosen_levels.scope_level
),

unrelated_weights as (
    select
        charge_group_id,
        bill_team as team,
        bill_application as application,
        bill_environment as environment,
        bill_cost_centre_id as cost_centre_id,
        '' as customer_id,
        '' as feature,
        case when bill_team = 'Unallocated' then 'unallocated' else 'bill_keys' end as allocated_method_id,
        '' as allocated_resource_id,
        is_ai,
        cast(1 as hugeint) as weight
    from charge_groups
    where charge_group_id not in (select chosen_levels.charge_group_id from chosen_levels)
),

weights as (
    select
        *,
        concat_ws('|', {{ target_columns | join(', ') }}) as target_key
    from (
        select * exclude (scope_level) from related_weights
        union all by name
        select * from unrelated_weights
    ) as all_weights
)

{{ allocate_exactly('charge_groups', 'weights', target_columns) }}
