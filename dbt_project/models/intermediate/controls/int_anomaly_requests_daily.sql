{#-
    Daily request metrics per team, application and model (int_request_costs_allocated), one row per
    series and day from the series' first request to the last day with requests (zeros on quiet days),
    with the same sums over the trailing `anomaly_trailing_days` days before it: the baselines of the
    cache-hit-rate and retry-rate rules. Costs are list costs (the request's own price; its allocated cost
    also carries capacity and tax shares that say nothing about how the request behaved).
-#}

{%- set measures = ['requests', 'list_cost', 'prompt_tokens', 'cache_read_tokens', 'retries', 'retry_cost'] %}

with

daily as (
    select
        request_date as cost_date,
        team,
        application,
        coalesce(model_id, '') as model_id,
        billing_currency,
        count(*) as requests,
        sum(coalesce(list_cost, 0)) as list_cost,
        sum(input_tokens + cache_read_tokens + cache_write_tokens) as prompt_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        count(*) filter (where is_retry) as retries,
        coalesce(sum(list_cost) filter (where is_retry), 0) as retry_cost
    from {{ ref('int_request_costs_allocated') }}
    group by all
),

series as (
    select
        team,
        application,
        model_id,
        billing_currency,
        min(cost_date) as first_cost_date
    from daily
    group by all
),

calendar as (
    {{ calendar_of('daily', 'cost_date') }}
),

dense as (
    select
        calendar.cost_date,
        series.team,
        series.application,
        series.model_id,
        {%- for measure in measures %}
            coalesce(daily.{{ measure }}, 0) as {{ measure }},
        {%- endfor %}
        series.billing_currency
    from series
    inner join calendar on series.first_cost_date <= calendar.cost_date
    left join daily
        on
            calendar.cost_date = daily.cost_date
            and series.team = daily.team
            and series.application = daily.application
            and series.model_id = daily.model_id
            and series.billing_currency = daily.billing_currency
)

select
    *,
    {%- for measure in measures %}
        sum({{ measure }}) over baseline_window as trailing_{{ measure }},
    {%- endfor %}
    count(*) over baseline_window as trailing_days
from dense
window baseline_window as (
    partition by team, application, model_id, billing_currency
    order by cost_date
    rows between {{ var('anomaly_trailing_days') }} preceding and 1 preceding
)
