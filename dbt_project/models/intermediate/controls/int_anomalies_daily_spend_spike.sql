{#-
    Rule daily_spend_spike: a team, application and model whose allocated AI cost on a day is above
    `anomaly_spike_ratio` times its average over the trailing `anomaly_trailing_days` days (quiet days
    counting as zero), by at least `anomaly_min_daily_spend` (pennies never alert). A series needs a full
    trailing window of history before it is judged.

    Severity score: the day's cost over the costliest day of the last `anomaly_seasonal_window_days` days
    (floored at the minimum spend): a series that spends in bursts (a GPU job every week or two) keeps a
    high peak and scores low when it bursts again, even after a quiet week; one that never spent like this
    scores high. Medium from 3, high from 10 (with the excess cost
    reaching `anomaly_high_min_cost_impact`).
-#}

with

spend as (
    select
        *,
        {{ divide_money('trailing_cost', var('anomaly_trailing_days')) }} as expected_cost
    from {{ ref('int_anomaly_spend_daily') }}
    where trailing_days = {{ var('anomaly_trailing_days') }}
),

spikes as (
    select
        *,
        daily_cost - expected_cost as excess_cost,
        cast(daily_cost / greatest(lookback_max_cost, {{ var('anomaly_min_daily_spend') }}) as decimal(38, 12))
            as score
    from spend
    where
        daily_cost > {{ var('anomaly_spike_ratio') }} * expected_cost
        and daily_cost - expected_cost >= {{ var('anomaly_min_daily_spend') }}
),

evidence as (
    select * from {{ ref('int_anomaly_request_evidence') }}
)

select
    {{ anomaly_id('daily_spend_spike', 'spikes.cost_date', ['spikes.team', 'spikes.application', 'spikes.model_id',
        'spikes.billing_currency']) }} as anomaly_id,
    'daily_spend_spike' as rule,
    spikes.cost_date as anomaly_date,
    spikes.team,
    spikes.application,
    spikes.model_id,
    spikes.billing_currency,
    'daily_cost' as metric_name,
    spikes.daily_cost as observed_value,
    spikes.expected_cost as expected_value,
    cast({{ var('anomaly_spike_ratio') }} * spikes.expected_cost as {{ money_type() }}) as threshold,
    spikes.score,
    {{ anomaly_severity('spikes.score', 3, 10, 'spikes.excess_cost') }} as severity,
    spikes.excess_cost as cost_impact,
    spikes.team || ' / ' || spikes.application || coalesce(' / ' || nullif(spikes.model_id, ''), '')
    || ' cost ' || {{ money_text('spikes.daily_cost') }} || ' ' || spikes.billing_currency || ' on '
    || cast(spikes.cost_date as string) || ', above ' || '{{ var("anomaly_spike_ratio") }}'
    || 'x its trailing {{ var("anomaly_trailing_days") }}-day average of ' || {{ money_text('spikes.expected_cost') }}
    || ' (costliest of those days: ' || {{ money_text('spikes.trailing_max_cost') }} || ').' as explanation,
    'charges: ' || coalesce(spikes.allocation_kinds, 'none')
    || coalesce(
        '; ' || evidence.requests || ' requests in ' || evidence.sessions || ' sessions; top requests: '
        || evidence.top_requests || coalesce('; top sessions: ' || evidence.top_sessions, ''),
        '; no gateway requests'
    ) as evidence
from spikes
left join evidence
    on
        spikes.cost_date = evidence.cost_date
        and spikes.team = evidence.team
        and spikes.application = evidence.application
        and spikes.model_id = evidence.model_id
        and spikes.billing_currency = evidence.billing_currency
