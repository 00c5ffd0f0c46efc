-- Every budget's month-to-date actuals equal the allocated AI cost of its scope, currency and month up to
-- the as-of date in fct_ai_costs_allocated: the budget marts neither drop nor double count a charge.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_budget_status'}}}) }}
with

status as (
    select * from {{ ref('rpt_budget_status') }}
),

costs as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    where is_ai
),

recomputed as (
    select
        status.budget_month,
        status.scope_type,
        status.scope_value,
        status.billing_currency,
        status.month_to_date_cost,
        coalesce(sum(costs.effective_cost), 0) as allocated_cost
    from status
    left join costs
        on
            status.budget_month = costs.billing_period
            and status.billing_currency = costs.billing_currency
            and status.as_of_date >= costs.charge_date
            and status.scope_value = case status.scope_type
                when 'team' then costs.team
                when 'cost_centre' then costs.cost_centre_id
                when 'application' then costs.application
            end
    group by all
)

select * from recomputed
where month_to_date_cost != allocated_cost
