{#-
    Rule seasonal_spend: a robust, weekday-aware detector of a team's daily allocated AI cost. Each team and
    day is judged against the `anomaly_seasonal_window_days` days before it (the day itself never sits in
    its own baseline, so a spike cannot hide itself by inflating the spread):
      1. residual of each history day = its cost - the median cost of the same weekday in the window
         (weekday seasonality: weekend traffic, weekly batch jobs);
      2. expected cost of the day = the median of its weekday + the median residual;
      3. robust z-score = (cost - expected) / scale, scale = the larger of 1.4826 * MAD (median absolute
         deviation of the residuals from their median: an estimate of the standard deviation that a few
         outliers do not move) and 1.2533 * their mean absolute deviation (Iglewicz and Hoaglin's fallback
         for bursty spend, GPU jobs on some days and none on others, whose MAD is near zero though its days
         are anything but alike), floored at `anomaly_min_daily_spend` so a flat series never divides by ~0.
    A day is anomalous when z >= `anomaly_seasonal_z_threshold` and its cost is at least
    `anomaly_min_daily_spend` above expected. Only rises alert (a fall in spend is not a cost risk). A team
    needs `anomaly_seasonal_min_days` days of history (two of each weekday at 14). Medians are quantile_disc
    (an actual value, exact decimal; the lower middle of an even count).

    Severity score: z. Medium from 6, high from 12 (with the excess cost reaching `anomaly_high_min_cost_impact`).
-#}

with

team_days as (
    select
        cost_date,
        team,
        billing_currency,
        sum(daily_cost) as daily_cost
    from {{ ref('int_anomaly_spend_daily') }}
    group by all
),

-- every (team, day judged) with each day of its window (the days before it)
windows as (
    select
        judged.cost_date as anomaly_date,
        judged.team,
        judged.billing_currency,
        judged.daily_cost as observed_cost,
        history.cost_date,
        history.daily_cost,
        dayofweek(history.cost_date) as weekday
    from team_days as judged
    inner join team_days as history
        on
            judged.team = history.team
            and judged.billing_currency = history.billing_currency
            and judged.cost_date > history.cost_date
            and {{ add_days('judged.cost_date', -var('anomaly_seasonal_window_days')) }} <= history.cost_date
),

residuals as (
    select
        *,
        {{ exact_quantile(
            'daily_cost', 0.5, over='partition by team, billing_currency, anomaly_date, weekday'
        ) }} as weekday_median,
        count(*) over (partition by team, billing_currency, anomaly_date) as window_days
    from windows
),

centred as (
    select
        *,
        {{ exact_quantile(
            'daily_cost - weekday_median', 0.5, over='partition by team, billing_currency, anomaly_date'
        ) }} as median_residual
    from residuals
    where window_days >= {{ var('anomaly_seasonal_min_days') }}
),

scaled as (
    select
        anomaly_date,
        team,
        billing_currency,
        max(observed_cost) as observed_cost,
        max(window_days) as window_days,
        max(weekday_median) filter (where weekday = dayofweek(anomaly_date)) as weekday_median,
        max(median_residual) as median_residual,
        {{ exact_quantile('abs(daily_cost - weekday_median - median_residual)', 0.5) }} as mad,
        -- sum / count rather than avg(), which returns a double on decimals in DuckDB
        {{ divide_money('sum(abs(daily_cost - weekday_median - median_residual))', 'count(*)') }}
            as mean_absolute_deviation
    from centred
    group by all
),

scored as (
    select
        *,
        weekday_median + median_residual as expected_cost,
        observed_cost - weekday_median - median_residual as excess_cost,
        cast(
            (observed_cost - weekday_median - median_residual)
            / greatest(1.4826 * mad, 1.2533 * mean_absolute_deviation, {{ var('anomaly_min_daily_spend') }})
            as decimal(38, 12)
        ) as score
    from scaled
),

-- what rose that day: the team's applications and models furthest above their trailing average
contributors as (
    select
        cost_date,
        team,
        billing_currency,
        {% call ordered_string_agg(none, ', ', 'daily_cost - usual_cost desc, application asc, model_id asc', where='rise_rank <= 3') -%}
            application || coalesce(' / ' || nullif(model_id, ''), '') || ' ' || {{ money_text('daily_cost') }}
            || ' (usually ' || {{ money_text('usual_cost') }} || ')'
        {%- endcall %} as top_contributors
    from (
        select
            *,
            {{ divide_money('trailing_cost', 'greatest(trailing_days, 1)') }} as usual_cost,
            row_number() over (
                partition by cost_date, team, billing_currency
                order by
                    daily_cost - {{ divide_money('trailing_cost', 'greatest(trailing_days, 1)') }} desc,
                    application asc,
                    model_id asc
            ) as rise_rank
        from {{ ref('int_anomaly_spend_daily') }}
    ) as series
    group by all
)

select
    {{ anomaly_id('seasonal_spend', 'scored.anomaly_date', ['scored.team', 'scored.billing_currency']) }}
        as anomaly_id,
    'seasonal_spend' as rule,
    scored.anomaly_date,
    scored.team,
    cast(null as string) as application,
    cast(null as string) as model_id,
    scored.billing_currency,
    'daily_cost' as metric_name,
    scored.observed_cost as observed_value,
    scored.expected_cost as expected_value,
    cast({{ var('anomaly_seasonal_z_threshold') }} as decimal(38, 12)) as threshold,
    scored.score,
    {{ anomaly_severity('scored.score', 6, 12, 'scored.excess_cost') }} as severity,
    scored.excess_cost as cost_impact,
    scored.team || ' cost ' || {{ money_text('scored.observed_cost') }} || ' ' || scored.billing_currency || ' on '
    || cast(scored.anomaly_date as string) || ' against an expected ' || {{ money_text('scored.expected_cost') }}
    || ' for that weekday (robust z-score ' || cast(round(scored.score, 1) as string) || ' over '
    || scored.window_days || ' days).' as explanation,
    'weekday residuals over ' || scored.window_days || ' days: median ' || {{ money_text('scored.median_residual') }}
    || ', MAD ' || {{ money_text('scored.mad') }} || ', mean absolute deviation ' || {{ money_text('scored.mean_absolute_deviation') }}
    || coalesce('; top contributors: ' || contributors.top_contributors, '') as evidence
from scored
left join contributors
    on
        scored.anomaly_date = contributors.cost_date
        and scored.team = contributors.team
        and scored.billing_currency = contributors.billing_currency
where
    scored.score >= {{ var('anomaly_seasonal_z_threshold') }}
    and scored.excess_cost >= {{ var('anomaly_min_daily_spend') }}
