{#-
    Allocated cost: every charge of the bill, split to the team, application, environment, cost centre,
    customer and feature that caused it, one row per charge group (see int_allocation_charge_groups) and
    target. Built by exact passes (direct usage, commitment purchases, shared charges, optional residual
    rules); the rows of a
    charge group add up to the group exactly on both bases, so totals per provider, billing account,
    period and currency equal the FOCUS table's. Each row records how it was allocated (FOCUS 1.3
    AllocatedMethodId / AllocatedMethodDetails).

    The cents columns are rounded here, once, by the largest-remainder rule over each provider, billing
    account, billing period and currency, so that they add up to the exact total rounded to the cent (half
    away from zero) on both bases; every export sums them and never rounds again.
-#}

with

passes as (
    select
        *,
        'direct' as allocation_pass
    from {{ ref('int_costs_allocated_direct') }}
    union all by name
    select
        *,
        'commitment' as allocation_pass
    from {{ ref('int_costs_allocated_commitments') }}
    union all by name
    select
        *,
        'shared' as allocation_pass
    from {{ ref('int_costs_allocated_shared') }}
),

residuals as (
    select * from {{ ref('int_costs_allocated_residuals') }}
),

-- The rows of the three passes, except the Unallocated and Idle rows a residual rule redistributed,
-- which are replaced by their pieces.
allocated as (
    select passes.*
    from passes
    where not exists (
        select 1
        from residuals
        where
            residuals.charge_group_id = passes.charge_group_id
            and residuals.residual_of_pass = passes.allocation_pass
            and residuals.residual_of_target_key = passes.target_key
    )
    union all by name
    select
        * exclude (residual_of_pass, residual_of_target_key),
        'residual' as allocation_pass
    from residuals
),

charge_groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
),

cost_centres as (
    select distinct
        cost_centre_id,
        cost_centre_name
    from {{ ref('teams') }}
),

models as (
    select * from {{ ref('models') }}
),

internal_rates as (
    select * from {{ ref('internal_rates') }}
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
        strftime(charge_groups.billing_period_start, '%Y-%m') as billing_period,
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
        json_object(
            'pass', allocated.allocation_pass,
            'kind', charge_groups.allocation_kind,
            'bill_owner', charge_groups.bill_team,
            'bill_attribution', charge_groups.bill_attribution_method
        ) as allocated_method_details,
        allocated.allocated_resource_id,
        -- FOCUS 1.3 AllocatedTags: the keys the piece was allocated to (empty ones left out).
        json_object(
            'team', allocated.team,
            'application', allocated.application,
            'environment', allocated.environment,
            'cost_centre', allocated.cost_centre_id,
            'customer', nullif(allocated.customer_id, ''),
            'feature', nullif(allocated.feature, '')
        ) as allocated_tags,
        allocated.billed_cost,
        allocated.effective_cost,
        allocated.list_cost,
        allocated.token_count,
        charge_groups.charge_rows as group_charge_rows
    from allocated
    inner join charge_groups on allocated.charge_group_id = charge_groups.charge_group_id
    left join cost_centres on allocated.cost_centre_id = cost_centres.cost_centre_id
    left join models on charge_groups.model_id = models.model_id
),

{{ cents_by_largest_remainder('described', ['billed_cost', 'effective_cost'],
    ['provider_name', 'billing_account_id', 'billing_period_start', 'billing_currency'], 'allocation_id') }},

-- The most specific internal rate that applies (more of its columns set), valid on the charge's day.
rated as (
    select
        cents.allocation_id,
        internal_rates.markup_percent,
        row_number() over (
            partition by cents.allocation_id
            order by
                (internal_rates.provider_name is not null)::int
                + (internal_rates.model_tier is not null)::int
                + (internal_rates.model_id is not null)::int
                + (internal_rates.token_type is not null)::int
                + (internal_rates.cost_centre_id is not null)::int desc
        ) as specificity_rank
    from cents
    inner join internal_rates
        on
            (internal_rates.provider_name is null or internal_rates.provider_name = cents.provider_name)
            and (internal_rates.model_tier is null or internal_rates.model_tier = cents.model_tier)
            and (internal_rates.model_id is null or internal_rates.model_id = cents.model_id)
            and (internal_rates.token_type is null or internal_rates.token_type = cents.token_type)
            and (internal_rates.cost_centre_id is null or internal_rates.cost_centre_id = cents.cost_centre_id)
            and cents.charge_date >= internal_rates.valid_from
            and (internal_rates.valid_to is null or cents.charge_date < internal_rates.valid_to)
    qualify specificity_rank = 1
)

select
    cents.*,
    cast(
        cents.effective_cost
        * (1 + cast(coalesce(rated.markup_percent, 0) as decimal(9, 4)) * cast(0.01 as decimal(3, 2)))
        as {{ money_type() }}
    ) as internal_price
from cents
left join rated on cents.allocation_id = rated.allocation_id
