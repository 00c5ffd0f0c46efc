{#-
    Budget burn-down: one row per budget (seed `budgets`) and day of its month. Up to the as-of date (the
    month's last day with AI cost), the scope's actual daily and cumulative cost; after it, the forecast
    path: each remaining day at the budget's trend line (int_budget_trends: least squares over the trailing
    days, floored at zero), accumulated from the month-to-date actuals. The soft and hard limits are the
    budget's thresholds in currency, so a chart draws all three lines from this table alone.
-#}

with

days as (
    select * from {{ ref('int_budget_costs_daily') }}
),

trends as (
    select * from {{ ref('int_budget_trends') }}
),

forecast as (
    select
        days.*,
        trends.month_to_date_cost,
        case
            when not days.is_actual
                then greatest(
                    trends.trend_intercept + trends.trend_slope * days.day_of_month, cast(0 as {{ money_type() }})
                )
        end as forecast_daily_cost
    from days
    inner join trends
        on
            days.budget_month = trends.budget_month
            and days.scope_type = trends.scope_type
            and days.scope_value = trends.scope_value
            and days.billing_currency = trends.billing_currency
)

select
    budget_month,
    scope_type,
    scope_value,
    cost_date,
    billing_currency,
    cast(daily_cost as {{ money_type() }}) as daily_cost,
    cast(case
        when is_actual
            then sum(daily_cost) over (
                partition by budget_month, scope_type, scope_value, billing_currency
                order by cost_date rows between unbounded preceding and current row
            )
    end as {{ money_type() }}) as cumulative_cost,
    cast(forecast_daily_cost as {{ money_type() }}) as forecast_daily_cost,
    cast(case
        when not is_actual
            then month_to_date_cost + sum(forecast_daily_cost) over (
                partition by budget_month, scope_type, scope_value, billing_currency
                order by cost_date rows between unbounded preceding and current row
            )
    end as {{ money_type() }}) as forecast_cumulative_cost,
    cast(budget_amount as {{ money_type() }}) as budget_amount,
    cast(budget_amount * soft_threshold_pct * 0.01 as {{ money_type() }}) as soft_limit,
    cast(budget_amount * hard_threshold_pct * 0.01 as {{ money_type() }}) as hard_limit,
    not is_actual as is_forecast
from forecast
