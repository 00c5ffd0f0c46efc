{#-
    Fourth, optional pass: residual rules (seed `allocation_residual_rules`) redistribute what the first
    three passes left `Unallocated` or on `Idle` lines, per provider and cost centre: `proportional` to the
    effective cost allocated to owners in the same provider, billing account, period and currency; `even`
    over the teams allocated there; `fixed` percentages to named teams. `leave` (the default) keeps them.
    Of the rules matching a residual row, the most specific (provider and cost centre set) applies. The
    output is the pieces, each naming the residual row it replaces (group, pass and target key).

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or request-level usage changed; a residual is spread within its own period.
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

with

allocated as (
    select
        passes.*,
        {%- for column in scope %}
            charge_groups.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_costs_allocated_passes') }} as passes
    inner join {{ ref('int_allocation_charge_groups') }} as charge_groups
        on passes.charge_group_id = charge_groups.charge_group_id
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('charge_groups.billing_period_start') }}
    {%- endif %}
),

rules as (
    select
        *,
        (provider_name is not null)::int + (cost_centre_id is not null)::int as specificity
    from {{ ref('allocation_residual_rules') }}
),

residual_rows as (
    select
        allocated.*,
        case when allocated.team = 'Idle' then 'idle' else 'unallocated' end as residual
    from allocated
    where allocated.team in ('Unallocated', 'Idle')
),

-- The rule of each residual row: the most specific that matches; `leave` keeps the row as it is, and
-- wins a tie, so two equally specific rules never override it silently.
matched as (
    select
        residual_rows.*,
        rules.rule,
        rules.provider_name as rule_provider_name,
        rules.cost_centre_id as rule_cost_centre_id,
        rank() over (
            partition by residual_rows.charge_group_id, residual_rows.allocation_pass, residual_rows.target_key
            order by rules.specificity desc
        ) as specificity_rank
    from residual_rows
    inner join rules
        on
            residual_rows.residual = rules.residual
            and (rules.provider_name is null or residual_rows.provider_name = rules.provider_name)
            and (rules.cost_centre_id is null or residual_rows.cost_centre_id = rules.cost_centre_id)
),

ruled as (
    select
        *,
        bool_or(rule = 'leave') over (partition by charge_group_id, allocation_pass, target_key) as is_left
    from matched
    where specificity_rank = 1
),

-- One rule per row: of equally specific rules (a seed error the validator reports), the first by name.
applied as (
    select
        *,
        row_number() over (
            partition by charge_group_id, allocation_pass, target_key
            order by rule, rule_provider_name nulls last, rule_cost_centre_id nulls last
        ) as rule_rank
    from ruled
    where not is_left
),

taken as (
    select
        md5(charge_group_id || '|' || allocation_pass || '|' || target_key) as charge_group_id,
        charge_group_id as residual_of_group_id,
        allocation_pass as residual_of_pass,
        target_key as residual_of_target_key,
        rule,
        rule_provider_name,
        rule_cost_centre_id,
        residual,
        application as residual_application,
        is_ai as residual_is_ai,
        {%- for column in scope %}
            {{ column }},
        {%- endfor %}
        billed_cost,
        effective_cost,
        list_cost,
        token_count
    from applied
    where rule_rank = 1
),

owners as (
    select
        {%- for column in scope %}
            {{ column }},
        {%- endfor %}
        team,
        application,
        environment,
        cost_centre_id,
        customer_id,
        feature,
        sum(effective_cost) as effective_cost
    from allocated
    where team not in ('Unallocated', 'Idle')
    group by all
),

teams as (
    select distinct
        {%- for column in scope %}
            {{ column }},
        {%- endfor %}
        team,
        cost_centre_id
    from owners
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
    where key_type = 'team'
),

weights as (
    select
        *,
        concat_ws('|', {{ target_columns | join(', ') }}) as target_key
    from (
        select
            taken.charge_group_id,
            owners.team,
            owners.application,
            owners.environment,
            owners.cost_centre_id,
            owners.customer_id,
            owners.feature,
            'residual_proportional' as allocated_method_id,
            '' as allocated_resource_id,
            taken.residual_is_ai as is_ai,
            {{ allocation_weight('owners.effective_cost') }} as weight
        from taken
        inner join owners
            on
                {%- for column in scope %}
                    taken.{{ column }} = owners.{{ column }}{% if not loop.last %} and{% endif %}
                {%- endfor %}
        where taken.rule = 'proportional'
        union all
        select
            taken.charge_group_id,
            teams.team,
            taken.residual_application as application,
            'unknown' as environment,
            teams.cost_centre_id,
            '' as customer_id,
            '' as feature,
            'residual_even' as allocated_method_id,
            '' as allocated_resource_id,
            taken.residual_is_ai as is_ai,
            cast(1 as {{ big_int_type() }}) as weight
        from taken
        inner join teams
            on
                {%- for column in scope %}
                    taken.{{ column }} = teams.{{ column }}{% if not loop.last %} and{% endif %}
                {%- endfor %}
        where taken.rule = 'even'
        union all
        select
            taken.charge_group_id,
            fixed.target_team as team,
            taken.residual_application as application,
            'unknown' as environment,
            coalesce(keys.cost_centre_id, 'Unallocated') as cost_centre_id,
            '' as customer_id,
            '' as feature,
            'residual_fixed' as allocated_method_id,
            '' as allocated_resource_id,
            taken.residual_is_ai as is_ai,
            {{ allocation_weight('fixed.percent') }} as weight
        from taken
        inner join rules as fixed
            on
                fixed.rule = 'fixed'
                and taken.residual = fixed.residual
                and taken.rule_provider_name is not distinct from fixed.provider_name
                and taken.rule_cost_centre_id is not distinct from fixed.cost_centre_id
        left join keys
            on
                fixed.target_team = keys.key_value
                and (taken.billing_period_start)::date >= keys.valid_from
                and (keys.valid_to is null or (taken.billing_period_start)::date < keys.valid_to)
        where taken.rule = 'fixed'
    ) as all_weights
)

-- A residual row no weight applies to (a proportional rule with no owner in its scope) yields no
-- pieces and stays as it was: fct_ai_costs_allocated replaces only the rows that have pieces here.
select
    taken.residual_of_group_id as charge_group_id,
    {%- for column in target_columns %}
        pieces.{{ column }},
    {%- endfor %}
    taken.residual_of_target_key || '>' || pieces.target_key as target_key,
    pieces.billed_cost,
    pieces.effective_cost,
    pieces.list_cost,
    pieces.token_count,
    taken.residual_of_pass,
    taken.residual_of_target_key
from ({{ allocate_exactly('taken', 'weights', target_columns) }}) as pieces
inner join taken on pieces.charge_group_id = taken.charge_group_id
