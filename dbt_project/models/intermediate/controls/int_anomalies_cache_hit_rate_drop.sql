{#-
    Rule cache_hit_rate_drop: a team, application and model whose prompt-cache hit rate (cache-read tokens
    / prompt tokens: input + cache read + cache write) falls to `anomaly_cache_drop_ratio` of its trailing
    `anomaly_trailing_days`-day rate or below (a prompt change that broke the cached prefix, a cache TTL
    change). Rates are only compared on enough traffic: `anomaly_min_requests` requests on the day and in
    the window, and a baseline rate of at least `anomaly_cache_min_baseline_rate`. Only the first day of a
    drop alerts: the days after it, while the rate stays down, are the same regression, not new ones.

    Cost impact: the day's list cost above what its requests would have cost at the window's cost per
    request. Severity score: the relative drop (1 - rate / baseline rate). Medium from 0.75, high from 0.9
    (with the cost impact reaching `anomaly_high_min_cost_impact`).
-#}

with

rates as (
    select
        *,
        cast(cache_read_tokens as decimal(38, 12)) / nullif(prompt_tokens, 0) as hit_rate,
        cast(trailing_cache_read_tokens as decimal(38, 12)) / nullif(trailing_prompt_tokens, 0) as baseline_rate,
        greatest(
            list_cost - {{ divide_money('(trailing_list_cost * requests)', 'nullif(trailing_requests, 0)') }},
            cast(0 as {{ money_type() }})
        ) as excess_cost
    from {{ ref('int_anomaly_requests_daily') }}
),

judged as (
    select
        *,
        coalesce(
            trailing_days = {{ var('anomaly_trailing_days') }}
            and requests >= {{ var('anomaly_min_requests') }}
            and trailing_requests >= {{ var('anomaly_min_requests') }}
            and baseline_rate >= {{ var('anomaly_cache_min_baseline_rate') }}
            and hit_rate <= {{ var('anomaly_cache_drop_ratio') }} * baseline_rate,
            false
        ) as is_drop
    from rates
),

onsets as (
    select
        *,
        lag(is_drop) over (partition by team, application, model_id, billing_currency order by cost_date) as was_drop
    from judged
),

drops as (
    select
        *,
        cast(1 - hit_rate / baseline_rate as decimal(38, 12)) as score
    from onsets
    -- the first day of a drop only (the series' previous day was not one)
    where is_drop and not coalesce(was_drop, false)
),

evidence as (
    select * from {{ ref('int_anomaly_request_evidence') }}
)

select
    {{ anomaly_id('cache_hit_rate_drop', 'drops.cost_date', ['drops.team', 'drops.application', 'drops.model_id',
        'drops.billing_currency']) }} as anomaly_id,
    'cache_hit_rate_drop' as rule,
    drops.cost_date as anomaly_date,
    drops.team,
    drops.application,
    drops.model_id,
    drops.billing_currency,
    'cache_hit_rate' as metric_name,
    cast(drops.hit_rate as decimal(38, 12)) as observed_value,
    cast(drops.baseline_rate as decimal(38, 12)) as expected_value,
    cast({{ var('anomaly_cache_drop_ratio') }} * drops.baseline_rate as decimal(38, 12)) as threshold,
    drops.score,
    {{ anomaly_severity('drops.score', 0.75, 0.9, 'drops.excess_cost') }} as severity,
    drops.excess_cost as cost_impact,
    drops.team || ' / ' || drops.application || ' / ' || drops.model_id || ' read '
    || {{ percent_text('drops.hit_rate') }} || ' of its prompt tokens from the cache on '
    || cast(drops.cost_date as string) || ', against ' || {{ percent_text('drops.baseline_rate') }}
    || ' over the trailing {{ var("anomaly_trailing_days") }} days; the day cost '
    || {{ money_text('drops.excess_cost') }} || ' ' || drops.billing_currency || ' more than its usual cost per request.'
        as explanation,
    drops.requests || ' requests, ' || drops.prompt_tokens || ' prompt tokens, ' || drops.cache_read_tokens
    || ' read from cache' || coalesce('; top requests: ' || evidence.top_requests, '')
    || coalesce('; top sessions: ' || evidence.top_sessions, '') as evidence
from drops
left join evidence
    on
        drops.cost_date = evidence.cost_date
        and drops.team = evidence.team
        and drops.application = evidence.application
        and drops.model_id = evidence.model_id
        and drops.billing_currency = evidence.billing_currency
