{#-
    Daily allocated AI cost per team, application and model (fct_ai_costs_allocated, is_ai, effective
    cost; Idle capacity excluded: nobody's spend, and the optimisation report's subject), one row per series
    and day from the series' first cost to the last day with data (zero on days without cost, so a quiet
    day counts in the baseline), with the trailing `anomaly_trailing_days` days before it: their cost and
    how many of them the series existed (fewer means it is still warming up), and the costliest day of the
    longer `anomaly_seasonal_window_days` lookback (the spike rule's severity). Model is '' for charges that
    are not model usage (GPU hours, tax); such a series is still a team and application's spend.
-#}

with

costs as (
    select
        charge_date as cost_date,
        team,
        application,
        model_id,
        billing_currency,
        sum(effective_cost) as daily_cost,
        {{ ordered_string_agg('allocation_kind', ', ', 'allocation_kind', distinct=true) }} as allocation_kinds
    from {{ ref('fct_ai_costs_allocated') }}
    where is_ai and team != 'Idle'
    group by all
),

series as (
    select
        team,
        application,
        model_id,
        billing_currency,
        min(cost_date) as first_cost_date
    from costs
    group by all
),

calendar as (
    {{ calendar_of('costs', 'cost_date') }}
),

series_days as (
    select
        series.*,
        calendar.cost_date
    from series
    inner join calendar on series.first_cost_date <= calendar.cost_date
),

dense as (
    select
        series_days.cost_date,
        series_days.team,
        series_days.application,
        series_days.model_id,
        series_days.billing_currency,
        coalesce(costs.daily_cost, cast(0 as {{ money_type() }})) as daily_cost,
        costs.allocation_kinds
    from series_days
    left join costs
        on
            series_days.cost_date = costs.cost_date
            and series_days.team = costs.team
            and series_days.application = costs.application
            and series_days.model_id = costs.model_id
            and series_days.billing_currency = costs.billing_currency
)

select
    *,
    sum(daily_cost) over baseline_window as trailing_cost,
    max(daily_cost) over baseline_window as trailing_max_cost,
    count(*) over baseline_window as trailing_days,
    max(daily_cost) over lookback_window as lookback_max_cost
from dense
window
    baseline_window as (
        partition by team, application, model_id, billing_currency
        order by cost_date
        rows between {{ var('anomaly_trailing_days') }} preceding and 1 preceding
    ),

    -- a job that runs every few weeks is judged against its own past runs, not only against a quiet week
    lookback_window as (
        partition by team, application, model_id, billing_currency
        order by cost_date
        rows between {{ var('anomaly_seasonal_window_days') }} preceding and 1 preceding
    )
