-- Request cost conservation: the allocated cost the requests carry (int_request_costs_allocated) plus the
-- cost no request carries (int_request_costs_unlinked) equals the allocated AI cost requests could reach
-- (fct_ai_costs_allocated: AI, effective basis, Idle lines aside), per billing period and currency,
-- exactly. A row here is money the spreading over requests created or lost.
{{ config(meta={'dagster': {'ref': {'name': 'int_request_costs_allocated'}}}) }}

with

reachable as (
    select
        billing_period,
        billing_currency,
        sum(effective_cost) as cost
    from {{ ref('fct_ai_costs_allocated') }}
    where is_ai and team <> 'Idle'
    group by all
),

carried as (
    select
        billing_period,
        billing_currency,
        sum(cost) as cost
    from (
        select
            billing_period,
            billing_currency,
            allocated_cost as cost
        from {{ ref('int_request_costs_allocated') }}
        where allocated_cost <> 0
        union all
        select
            billing_period,
            billing_currency,
            unlinked_cost as cost
        from {{ ref('int_request_costs_unlinked') }}
    ) as pieces
    group by all
)

select
    coalesce(reachable.billing_period, carried.billing_period) as billing_period,
    coalesce(reachable.billing_currency, carried.billing_currency) as billing_currency,
    reachable.cost as reachable_cost,
    carried.cost as carried_cost
from reachable
full outer join carried
    on reachable.billing_period = carried.billing_period and reachable.billing_currency = carried.billing_currency
where coalesce(reachable.cost, 0) <> coalesce(carried.cost, 0)
