{#-
    Budget status: one row per budget of seed `budgets` whose month has AI cost, as of the budget's as-of
    date (its scope's last day with cost, at most `budget_late_data_days` before the month's last day with
    data: int_budget_costs_daily). Month-to-date actuals, the month's daily run rate (actuals / days
    elapsed), the trend-aware forecast to month end (actuals + the burn-down's forecast path: least squares
    over the trailing `budget_forecast_window_days` days, see int_budget_trends), both as percentages of
    the budget, and the first day the cumulative actuals reached each threshold. The scope's cost billed in other
    currencies is not converted and never counts; it is shown (excluded_other_currency_cost) so a budget
    that looks healthy because its spend moved to another currency's bill does not pass unnoticed.

    Status, most serious first: hard_breach (actuals reached the hard threshold), soft_breach (the soft
    one), forecast_over_hard, forecast_over_soft (the forecast reaches it by month end), else ok.
-#}

with

burndown as (
    select * from {{ ref('rpt_budget_burndown_daily') }}
),

trends as (
    select * from {{ ref('int_budget_trends') }}
),

budgets as (
    select
        scope_type,
        scope_value,
        budget_month,
        currency as billing_currency,
        soft_threshold_pct,
        hard_threshold_pct
    from {{ ref('budgets') }}
),

crossings as (
    select
        budget_month,
        scope_type,
        scope_value,
        billing_currency,
        max(budget_amount) as budget_amount,
        max(soft_limit) as soft_limit,
        max(hard_limit) as hard_limit,
        coalesce(sum(forecast_daily_cost), 0) as forecast_remaining_cost,
        min(cost_date) filter (where cumulative_cost >= soft_limit) as soft_breached_on,
        min(cost_date) filter (where cumulative_cost >= hard_limit) as hard_breached_on
    from burndown
    group by all
),

measured as (
    select
        crossings.*,
        budgets.soft_threshold_pct,
        budgets.hard_threshold_pct,
        trends.as_of_date,
        trends.days_elapsed,
        trends.days_in_month,
        trends.month_to_date_cost,
        trends.daily_run_rate,
        trends.trend_slope,
        trends.excluded_other_currency_cost,
        trends.excluded_currencies,
        trends.month_to_date_cost + crossings.forecast_remaining_cost as forecast_month_end
    from crossings
    inner join trends
        on
            crossings.budget_month = trends.budget_month
            and crossings.scope_type = trends.scope_type
            and crossings.scope_value = trends.scope_value
            and crossings.billing_currency = trends.billing_currency
    inner join budgets
        on
            crossings.budget_month = budgets.budget_month
            and crossings.scope_type = budgets.scope_type
            and crossings.scope_value = budgets.scope_value
            and crossings.billing_currency = budgets.billing_currency
)

select
    budget_month,
    scope_type,
    scope_value,
    billing_currency,
    cast(budget_amount as {{ money_type() }}) as budget_amount,
    cast(soft_threshold_pct as decimal(9, 4)) as soft_threshold_pct,
    cast(hard_threshold_pct as decimal(9, 4)) as hard_threshold_pct,
    cast(soft_limit as {{ money_type() }}) as soft_limit,
    cast(hard_limit as {{ money_type() }}) as hard_limit,
    as_of_date,
    cast(days_elapsed as integer) as days_elapsed,
    cast(days_in_month as integer) as days_in_month,
    cast(month_to_date_cost as {{ money_type() }}) as month_to_date_cost,
    cast(daily_run_rate as {{ money_type() }}) as daily_run_rate,
    cast(trend_slope as {{ money_type() }}) as trend_slope,
    cast(forecast_month_end as {{ money_type() }}) as forecast_month_end,
    {{ ratio('month_to_date_cost * 100', 'budget_amount') }} as consumed_pct,
    {{ ratio('forecast_month_end * 100', 'budget_amount') }} as forecast_pct,
    cast(excluded_other_currency_cost as {{ money_type() }}) as excluded_other_currency_cost,
    excluded_currencies,
    soft_breached_on,
    hard_breached_on,
    case
        when hard_breached_on is not null then 'hard_breach'
        when soft_breached_on is not null then 'soft_breach'
        when forecast_month_end >= hard_limit then 'forecast_over_hard'
        when forecast_month_end >= soft_limit then 'forecast_over_soft'
        else 'ok'
    end as status,
    hard_breached_on is not null as is_hard_breach
from measured
