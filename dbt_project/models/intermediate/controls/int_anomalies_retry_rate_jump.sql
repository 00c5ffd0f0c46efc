{#-
    Rule retry_rate_jump: a team, application and model whose retry rate (share of requests that retry a
    failed call: int_request_costs_allocated.is_retry) is at least `anomaly_retry_jump_ratio` times its
    trailing `anomaly_trailing_days`-day rate and at least `anomaly_retry_min_increase` higher (a provider
    outage, a rate limit, a broken tool call looping). Only on enough traffic: `anomaly_min_requests`
    requests on the day and in the window. Only the first day of a jump alerts (the days after it, while
    the rate stays up, are the same incident).

    Cost impact: the day's retry cost above the window's retry rate (list cost). Severity score: the rate
    over the baseline rate (floored at 1%). Medium from 4, high from 10 (with the cost impact reaching
    `anomaly_high_min_cost_impact`).
-#}

with

rates as (
    select
        *,
        cast(retries as decimal(38, 12)) / nullif(requests, 0) as retry_rate,
        cast(trailing_retries as decimal(38, 12)) / nullif(trailing_requests, 0) as baseline_rate
    from {{ ref('int_anomaly_requests_daily') }}
),

judged as (
    select
        *,
        coalesce(
            trailing_days = {{ var('anomaly_trailing_days') }}
            and requests >= {{ var('anomaly_min_requests') }}
            and trailing_requests >= {{ var('anomaly_min_requests') }}
            and retry_rate >= {{ var('anomaly_retry_jump_ratio') }} * baseline_rate
            and retry_rate - baseline_rate >= {{ var('anomaly_retry_min_increase') }},
            false
        ) as is_jump
    from rates
),

onsets as (
    select
        *,
        lag(is_jump) over (partition by team, application, model_id, billing_currency order by cost_date) as was_jump
    from judged
),

jumps as (
    select
        *,
        cast(retry_rate / greatest(baseline_rate, 0.01) as decimal(38, 12)) as score,
        greatest(
            retry_cost - cast(baseline_rate * list_cost as {{ money_type() }}), cast(0 as {{ money_type() }})
        ) as excess_cost
    from onsets
    -- the first day of a jump only (the series' previous day was not one)
    where is_jump and not coalesce(was_jump, false)
),

evidence as (
    select * from {{ ref('int_anomaly_request_evidence') }}
)

select
    {{ anomaly_id('retry_rate_jump', 'jumps.cost_date', ['jumps.team', 'jumps.application', 'jumps.model_id',
        'jumps.billing_currency']) }} as anomaly_id,
    'retry_rate_jump' as rule,
    jumps.cost_date as anomaly_date,
    jumps.team,
    jumps.application,
    jumps.model_id,
    jumps.billing_currency,
    'retry_rate' as metric_name,
    cast(jumps.retry_rate as decimal(38, 12)) as observed_value,
    cast(jumps.baseline_rate as decimal(38, 12)) as expected_value,
    cast(greatest(
        {{ var('anomaly_retry_jump_ratio') }} * jumps.baseline_rate,
        jumps.baseline_rate + {{ var('anomaly_retry_min_increase') }}
    ) as decimal(38, 12)) as threshold,
    jumps.score,
    {{ anomaly_severity('jumps.score', 4, 10, 'jumps.excess_cost') }} as severity,
    jumps.excess_cost as cost_impact,
    jumps.team || ' / ' || jumps.application || ' / ' || jumps.model_id || ' retried '
    || {{ percent_text('jumps.retry_rate') }} || ' of its requests on ' || cast(jumps.cost_date as string)
    || ', against ' || {{ percent_text('jumps.baseline_rate') }} || ' over the trailing '
    || '{{ var("anomaly_trailing_days") }} days (retries cost ' || {{ money_text('jumps.retry_cost') }} || ' '
    || jumps.billing_currency || ').' as explanation,
    jumps.retries || ' retries of ' || jumps.requests || ' requests'
    || coalesce('; top requests: ' || evidence.top_requests, '')
    || coalesce('; top sessions: ' || evidence.top_sessions, '') as evidence
from jumps
left join evidence
    on
        jumps.cost_date = evidence.cost_date
        and jumps.team = evidence.team
        and jumps.application = evidence.application
        and jumps.model_id = evidence.model_id
        and jumps.billing_currency = evidence.billing_currency
