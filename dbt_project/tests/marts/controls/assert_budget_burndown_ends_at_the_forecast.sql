-- The burn-down's last day ends where the status's forecast does (the actuals when the month is complete),
-- and its last actual day at the month-to-date actuals: the chart and the alert tell the same story.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_budget_status'}}}) }}
with

status as (
    select * from {{ ref('rpt_budget_status') }}
),

ends as (
    select
        budget_month,
        scope_type,
        scope_value,
        billing_currency,
        max(cumulative_cost) filter (where cost_date = last_actual_date) as actual_end,
        max(coalesce(forecast_cumulative_cost, cumulative_cost)) filter (where cost_date = last_date) as path_end
    from (
        select
            *,
            max(cost_date) over (partition by budget_month, scope_type, scope_value, billing_currency) as last_date,
            max(case when not is_forecast then cost_date end) over (
                partition by budget_month, scope_type, scope_value, billing_currency
            ) as last_actual_date
        from {{ ref('rpt_budget_burndown_daily') }}
    ) as days
    group by all
)

select
    status.*,
    ends.actual_end,
    ends.path_end
from status
left join ends
    on
        status.budget_month = ends.budget_month
        and status.scope_type = ends.scope_type
        and status.scope_value = ends.scope_value
        and status.billing_currency = ends.billing_currency
where
    ends.actual_end is distinct from status.month_to_date_cost
    or ends.path_end is distinct from status.forecast_month_end
