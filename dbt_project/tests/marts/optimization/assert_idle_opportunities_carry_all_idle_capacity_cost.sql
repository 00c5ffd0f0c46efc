-- Every cent of idle GPU and idle provisioned capacity the allocation books (team Idle) must show up as the
-- current cost of an idle opportunity: per period, currency and kind, nothing lost or counted twice.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_optimization_opportunities'}}}) }}

with

allocated as (
    select
        'idle_' || allocation_kind as opportunity_type,
        billing_period,
        billing_currency,
        sum(idle_cost) as idle_cost
    from (
        select
            allocation_kind,
            billing_period,
            billing_currency,
            resource_id,
            sum(effective_cost) as idle_cost
        from {{ ref('fct_ai_costs_allocated') }}
        where allocation_kind in ('gpu', 'provisioned') and team = 'Idle'
        group by all
    ) as per_resource
    where idle_cost > 0
    group by all
),

opportunities as (
    select
        opportunity_type,
        billing_period,
        billing_currency,
        sum(current_cost) as idle_cost
    from {{ ref('rpt_optimization_opportunities') }}
    where opportunity_type in ('idle_gpu', 'idle_provisioned')
    group by all
)

select
    coalesce(allocated.opportunity_type, opportunities.opportunity_type) as opportunity_type,
    coalesce(allocated.billing_period, opportunities.billing_period) as billing_period,
    allocated.idle_cost as allocated_idle_cost,
    opportunities.idle_cost as opportunity_idle_cost
from allocated
full outer join opportunities
    on
        allocated.opportunity_type = opportunities.opportunity_type
        and allocated.billing_period = opportunities.billing_period
        and allocated.billing_currency = opportunities.billing_currency
where allocated.idle_cost is distinct from opportunities.idle_cost
