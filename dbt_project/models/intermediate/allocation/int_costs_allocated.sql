{#-
    The allocated pieces of every charge group, described: the rows of the allocation passes (direct usage,
    commitment purchases, shared charges), with the Unallocated and Idle rows a residual rule redistributed
    replaced by their pieces, joined to their charge group's attributes, the cost centre's name and the
    model's tier, with the allocation category and the FOCUS 1.3 AllocatedMethodDetails / AllocatedTags.
    fct_ai_costs_allocated adds cents and the internal price.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills or
    request-level usage changed.
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

passes as (
    select * from {{ ref('int_costs_allocated_passes') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_charge_groups('charge_group_id', ref('int_allocation_charge_groups')) }}
    {%- endif %}
),

residuals as (
    select * from {{ ref('int_costs_allocated_residuals') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_charge_groups('charge_group_id', ref('int_allocation_charge_groups')) }}
    {%- endif %}
),

-- The rows of the three passes, except the Unallocated and Idle rows a residual rule redistributed,
-- which are replaced by their pieces.
allocated as (
    select passes.{{ (allocation_piece_columns() + ['allocation_pass']) | join(', passes.') }}
    from passes
    where
        not exists (
            select 1
            from residuals
            where
                residuals.charge_group_id = passes.charge_group_id
                and residuals.residual_of_pass = passes.allocation_pass
                and residuals.residual_of_target_key = passes.target_key
        )
    union all
    select
        {{ allocation_piece_columns() | join(', ') }},
        'residual' as allocation_pass
    from residuals
),

charge_groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('billing_period_start') }}
    {%- endif %}
),

-- One name per cost centre: the name of its latest validity row (a renamed cost centre keeps one row).
cost_centres as (
    select
        cost_centre_id,
        {{ value_at_max('cost_centre_name', ['valid_from', 'cost_centre_name']) }} as cost_centre_name
    from {{ ref('teams') }}
    group by cost_centre_id
),

models as (
    select * from {{ ref('models') }}
),

described as (
    select
        md5(allocated.charge_group_id || '|' || allocated.allocation_pass || '|' || allocated.target_key)
            as allocation_id,
        allocated.charge_group_id,
        charge_groups.source,
        charge_groups.provider_name,
        charge_groups.billing_account_id,
        charge_groups.sub_account_id,
        charge_groups.invoice_id,
        {{ period_of('charge_groups.billing_period_start') }} as billing_period,
        charge_groups.billing_period_start,
        charge_groups.charge_date,
        charge_groups.billing_currency,
        charge_groups.service_name,
        charge_groups.service_category,
        charge_groups.charge_category,
        charge_groups.allocation_kind,
        allocated.allocation_pass,
        allocated.is_ai,
        charge_groups.model_id,
        models.model_tier,
        charge_groups.token_type,
        charge_groups.resource_id,
        charge_groups.commitment_discount_id,
        allocated.team,
        allocated.application,
        allocated.environment,
        allocated.cost_centre_id,
        coalesce(cost_centres.cost_centre_name, allocated.cost_centre_id) as cost_centre_name,
        allocated.customer_id,
        allocated.feature,
        case
            when allocated.team = 'Unallocated' then 'unallocated'
            when allocated.allocated_method_id = 'unused_commitment' then 'unused_commitment'
            when allocated.team = 'Idle' then 'idle'
            when allocated.allocation_pass = 'residual' then 'residual'
            when allocated.allocation_pass = 'commitment' then 'commitment'
            when allocated.allocation_pass = 'shared' then 'shared'
            else 'usage'
        end as allocation_category,
        allocated.allocated_method_id,
        {{ json_object_of([('pass', 'allocated.allocation_pass'), ('kind', 'charge_groups.allocation_kind'), ('bill_owner', 'charge_groups.bill_team'), ('bill_attribution', 'charge_groups.bill_attribution_method')]) }} as allocated_method_details,
        allocated.allocated_resource_id,
        -- FOCUS 1.3 AllocatedTags: the keys the piece was allocated to (empty ones left out).
        {{ json_object_of([('team', 'allocated.team'), ('application', 'allocated.application'), ('environment', 'allocated.environment'), ('cost_centre', 'allocated.cost_centre_id'), ('customer', "nullif(allocated.customer_id, '')"), ('feature', "nullif(allocated.feature, '')")]) }} as allocated_tags,
        allocated.billed_cost,
        allocated.effective_cost,
        allocated.list_cost,
        allocated.token_count,
        charge_groups.charge_rows as group_charge_rows
    from allocated
    inner join charge_groups on allocated.charge_group_id = charge_groups.charge_group_id
    left join cost_centres on allocated.cost_centre_id = cost_centres.cost_centre_id
    left join models on charge_groups.model_id = models.model_id
)

select * from described
