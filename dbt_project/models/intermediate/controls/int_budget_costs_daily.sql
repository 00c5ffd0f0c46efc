{#-
    Each budget of seed `budgets` with its scope's allocated AI cost per day of the month: one row per budget
    and day, every day of the month present (zero when the scope spent nothing), with the budget's as-of
    date. Actuals are fct_ai_costs_allocated's effective cost of AI charges (is_ai) in the budget's
    currency, by charge day. Cost of the scope billed in another currency never counts against the budget
    (there is no exchange rate to convert it at); it is kept beside the actuals (other_currency_cost) so the
    status can show what was left out.
-#}

with

budgets as (
    select
        scope_type,
        scope_value,
        budget_month,
        currency as billing_currency,
        amount as budget_amount,
        soft_threshold_pct,
        hard_threshold_pct,
        cast(budget_month || '-01' as date) as month_start
    from {{ ref('budgets') }}
),

ai_costs as (
    select
        billing_period,
        charge_date,
        billing_currency,
        team,
        cost_centre_id,
        application,
        effective_cost
    from {{ ref('fct_ai_costs_allocated') }}
    where is_ai
),

-- the month's last day with any AI cost: how far the data has reached
months as (
    select
        billing_period as budget_month,
        max(charge_date) as month_last_date
    from ai_costs
    group by billing_period
),

scope_costs as (
    select
        budgets.scope_type,
        budgets.scope_value,
        budgets.budget_month,
        budgets.billing_currency,
        ai_costs.charge_date as cost_date,
        sum(ai_costs.effective_cost) filter (where ai_costs.billing_currency = budgets.billing_currency)
            as daily_cost,
        sum(ai_costs.effective_cost) filter (where ai_costs.billing_currency != budgets.billing_currency)
            as other_currency_cost,
        {{ ordered_string_agg(
            'ai_costs.billing_currency', ', ', 'ai_costs.billing_currency', distinct=true,
            where='ai_costs.billing_currency != budgets.billing_currency'
        ) }} as other_currencies
    from budgets
    inner join ai_costs
        on
            budgets.budget_month = ai_costs.billing_period
            and budgets.scope_value = case budgets.scope_type
                when 'team' then ai_costs.team
                when 'cost_centre' then ai_costs.cost_centre_id
                when 'application' then ai_costs.application
            end
    group by all
),

-- The as-of date is the budget's own: its scope's last day with cost, so a bill that arrives a day or two
-- after the others (one provider's export lagging) is not read as days of zero spend that tilt the
-- forecast down. It is never more than `budget_late_data_days` before the month's last day with data: a
-- scope silent for longer has stopped spending, and its quiet days are real zeros.
scope_last_dates as (
    select
        scope_type,
        scope_value,
        budget_month,
        billing_currency,
        max(cost_date) as last_cost_date
    from scope_costs
    where daily_cost is not null
    group by all
),

as_of_dates as (
    select
        budgets.scope_type,
        budgets.scope_value,
        budgets.budget_month,
        budgets.billing_currency,
        greatest(
            coalesce(scope_last_dates.last_cost_date, budgets.month_start),
            {{ add_days('months.month_last_date', '-' ~ var('budget_late_data_days')) }},
            budgets.month_start
        ) as as_of_date
    from budgets
    -- a month without any AI cost yet has no as-of date and no status
    inner join months on budgets.budget_month = months.budget_month
    left join scope_last_dates
        on
            budgets.scope_type = scope_last_dates.scope_type
            and budgets.scope_value = scope_last_dates.scope_value
            and budgets.budget_month = scope_last_dates.budget_month
            and budgets.billing_currency = scope_last_dates.billing_currency
),

-- day 0 to 30 of a month
day_offsets as (
    {{ day_offsets(31) }}
),

days as (
    select
        budgets.*,
        as_of_dates.as_of_date,
        {{ add_days('budgets.month_start', 'offsets.day_offset') }} as cost_date,
        dayofmonth(last_day(budgets.month_start)) as days_in_month
    from budgets
    inner join as_of_dates
        on
            budgets.scope_type = as_of_dates.scope_type
            and budgets.scope_value = as_of_dates.scope_value
            and budgets.budget_month = as_of_dates.budget_month
            and budgets.billing_currency = as_of_dates.billing_currency
    cross join day_offsets as offsets
    where offsets.day_offset < dayofmonth(last_day(budgets.month_start))
)

select
    days.budget_month,
    days.scope_type,
    days.scope_value,
    days.billing_currency,
    days.budget_amount,
    days.soft_threshold_pct,
    days.hard_threshold_pct,
    days.month_start,
    days.days_in_month,
    days.as_of_date,
    days.cost_date,
    dayofmonth(days.cost_date) as day_of_month,
    days.cost_date <= days.as_of_date as is_actual,
    -- actual days without cost are zero; days after the as-of date are not known yet
    case
        when days.cost_date <= days.as_of_date then coalesce(scope_costs.daily_cost, cast(0 as {{ money_type() }}))
    end as daily_cost,
    coalesce(scope_costs.other_currency_cost, cast(0 as {{ money_type() }})) as other_currency_cost,
    scope_costs.other_currencies
from days
left join scope_costs
    on
        days.scope_type = scope_costs.scope_type
        and days.scope_value = scope_costs.scope_value
        and days.budget_month = scope_costs.budget_month
        and days.billing_currency = scope_costs.billing_currency
        and days.cost_date = scope_costs.cost_date
