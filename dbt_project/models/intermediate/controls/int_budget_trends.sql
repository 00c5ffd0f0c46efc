{#-
    Per budget, the month-to-date actuals and the trend the forecast follows.

    Forecast method: an ordinary least-squares line through the daily cost of the trailing
    `budget_forecast_window_days` days up to the as-of date (within the month), x = day of the month. Each
    remaining day of the month is forecast at intercept + slope * day, floored at zero (a falling trend
    never forecasts a refund); see rpt_budget_burndown_daily. With a single day of data the line is flat at
    that day's cost. Why a fitted line rather than the month's run rate: a team whose spend is climbing
    (or has just been cut) shows it within days, where the month's average lags by weeks. A one-off charge
    in the window (a monthly fee on the 1st) tilts the line down until it leaves the window.

    slope = (n * sum(xy) - sum(x) * sum(y)) / (n * sum(x^2) - sum(x)^2), intercept = (sum(y) - slope * sum(x)) / n:
    both divisors are whole numbers, so divide_money gives them exactly (to 1e-12).
-#}

with

all_days as (
    select * from {{ ref('int_budget_costs_daily') }}
),

days as (
    select * from all_days
    where is_actual
),

-- the scope's cost billed in other currencies, all of the month's data (it never counts against the budget)
other_currency_costs as (
    select
        budget_month,
        scope_type,
        scope_value,
        billing_currency,
        sum(other_currency_cost) as excluded_other_currency_cost
    from all_days
    group by all
),

-- ... and which currencies those are (each day lists its own, e.g. 'EUR, GBP')
other_currency_codes as (
    select
        all_days.budget_month,
        all_days.scope_type,
        all_days.scope_value,
        all_days.billing_currency,
        {{ ordered_string_agg('codes.code', ', ', 'codes.code', distinct=true) }} as excluded_currencies
    from all_days
    {{ split_rows('all_days.other_currencies', ', ', 'codes', 'code') }}
    group by all
),

month_to_date as (
    select
        budget_month,
        scope_type,
        scope_value,
        billing_currency,
        max(as_of_date) as as_of_date,
        max(days_in_month) as days_in_month,
        count(*) as days_elapsed,
        sum(daily_cost) as month_to_date_cost
    from days
    group by all
),

window_sums as (
    select
        budget_month,
        scope_type,
        scope_value,
        billing_currency,
        count(*) as trend_days,
        sum(day_of_month) as sum_x,
        sum(day_of_month * day_of_month) as sum_xx,
        sum(daily_cost) as sum_y,
        sum(daily_cost * day_of_month) as sum_xy
    from days
    where cost_date > {{ add_days('as_of_date', -var('budget_forecast_window_days')) }}
    group by all
),

slopes as (
    select
        *,
        case
            when trend_days >= 2
                then {{ divide_money('(trend_days * sum_xy - sum_x * sum_y)', '(trend_days * sum_xx - sum_x * sum_x)') }}
            else cast(0 as {{ money_type() }})
        end as trend_slope
    from window_sums
)

select
    month_to_date.budget_month,
    month_to_date.scope_type,
    month_to_date.scope_value,
    month_to_date.billing_currency,
    month_to_date.as_of_date,
    month_to_date.days_elapsed,
    month_to_date.days_in_month,
    month_to_date.month_to_date_cost,
    {{ divide_money('month_to_date.month_to_date_cost', 'month_to_date.days_elapsed') }} as daily_run_rate,
    slopes.trend_days,
    slopes.trend_slope,
    {{ divide_money('(slopes.sum_y - slopes.trend_slope * slopes.sum_x)', 'slopes.trend_days') }} as trend_intercept,
    other_currency_costs.excluded_other_currency_cost,
    other_currency_codes.excluded_currencies
from month_to_date
inner join slopes
    on
        month_to_date.budget_month = slopes.budget_month
        and month_to_date.scope_type = slopes.scope_type
        and month_to_date.scope_value = slopes.scope_value
        and month_to_date.billing_currency = slopes.billing_currency
inner join other_currency_costs
    on
        month_to_date.budget_month = other_currency_costs.budget_month
        and month_to_date.scope_type = other_currency_costs.scope_type
        and month_to_date.scope_value = other_currency_costs.scope_value
        and month_to_date.billing_currency = other_currency_costs.billing_currency
left join other_currency_codes
    on
        month_to_date.budget_month = other_currency_codes.budget_month
        and month_to_date.scope_type = other_currency_codes.scope_type
        and month_to_date.scope_value = other_currency_codes.scope_value
        and month_to_date.billing_currency = other_currency_codes.billing_currency
