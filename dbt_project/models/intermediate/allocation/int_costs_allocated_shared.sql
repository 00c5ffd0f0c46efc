{#-
    Third allocation pass: tax, credits and support fees follow the cost they relate to, in proportion to
    the cost the first two passes allocated: the billed amount by allocated billed cost, the effective
    amount by allocated effective cost. The related cost is the most specific that exists in the same provider,
    billing account, billing period and currency: (1) the same resource, (2) the same sub-account and
    service, (3) the same service, (4) the whole billing account. A shared charge with nothing to follow
    (a refund in a month with no usage left on the account) stays with the bill's own owner, or
    `Unallocated`. Each piece keeps the AI flag of the cost it follows.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or request-level usage changed; a shared charge follows the cost of its own period.
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
    where
        allocation_kind = 'shared'
        and {{ incremental_period_filter('billing_period_start') }}
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
        allocated.billed_cost as billed_driver,
        allocated.effective_cost as effective_driver
    from (
        {{- union_all_columns([
            ref('int_costs_allocated_direct'), ref('int_costs_allocated_commitments')
        ], allocation_piece_columns()) }}
    ) as allocated
    inner join {{ ref('int_allocation_charge_groups') }} as charge_groups
        on allocated.charge_group_id = charge_groups.charge_group_id
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('charge_groups.billing_period_start') }}
    {%- endif %}
),

{%- for basis in ['billed', 'effective'] %}

    {{ basis }}_candidates as (
        {%- for level in levels %}
            select
                charge_groups.charge_group_id,
                {{ loop.index }} as scope_level,
                {%- for column in target_columns %}
                    drivers.{{ column }},
                {%- endfor %}
                {{ allocation_weight('sum(drivers.' ~ basis ~ '_driver)') }} as weight
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

    {{ basis }}_levels as (
        select
            charge_group_id,
            min(scope_level) as scope_level
        from (
            select
                charge_group_id,
                scope_level
            from {{ basis }}_candidates
            group by all
            having sum(weight) > 0
        ) as positive
        group by charge_group_id
    ),

    {{ basis }}_weights as (
        select
            *,
            concat_ws('|', {{ target_columns | join(', ') }}) as target_key
        from (
            select candidates.{{ allocation_weight_columns() | join(', candidates.') }}
            from {{ basis }}_candidates as candidates
            inner join {{ basis }}_levels as levels
                on
                    candidates.charge_group_id = levels.charge_group_id
                    and candidates.scope_level = levels.scope_level
            union all
            -- Nothing to follow on this basis: the bill's own owner, or Unallocated.
        {{ bill_owner_weights(
            'charge_groups',
            'select ' ~ basis ~ '_levels.charge_group_id from ' ~ basis ~ '_levels'
        ) }}
        ) as all_weights
    ),
{%- endfor %}

billed_pieces as (
    {{ allocate_exactly('charge_groups', 'billed_weights', target_columns, amounts=['billed_cost']) }}
),

effective_pieces as (
    {{ allocate_exactly(
        'charge_groups', 'effective_weights', target_columns,
        amounts=['effective_cost', 'list_cost', 'token_count']
    ) }}
)

-- The billed amount follows billed cost, the effective amount effective cost (a commitment's users count
-- once on each basis: by the purchase billed to them, and by the amortised usage).
select
    coalesce(billed_pieces.charge_group_id, effective_pieces.charge_group_id) as charge_group_id,
    {%- for column in target_columns %}
        coalesce(billed_pieces.{{ column }}, effective_pieces.{{ column }}) as {{ column }},
    {%- endfor %}
    coalesce(billed_pieces.target_key, effective_pieces.target_key) as target_key,
    coalesce(billed_pieces.billed_cost, 0) as billed_cost,
    coalesce(effective_pieces.effective_cost, 0) as effective_cost,
    coalesce(effective_pieces.list_cost, 0) as list_cost,
    coalesce(effective_pieces.token_count, 0) as token_count
from billed_pieces
full outer join effective_pieces
    on
        billed_pieces.charge_group_id = effective_pieces.charge_group_id
        and billed_pieces.target_key = effective_pieces.target_key
