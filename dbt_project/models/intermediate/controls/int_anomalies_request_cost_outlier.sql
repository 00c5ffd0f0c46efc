{#-
    Rule request_cost_outlier: requests whose list cost is above `anomaly_request_cost_threshold`, one
    anomaly per day, team, application and model (a loop of costly calls is one event, not hundreds), with
    the costliest requests as evidence. List cost is the request's own price; its allocated cost also
    carries capacity and tax shares that say nothing about the request. List prices come from the price
    catalogue, in USD, whatever currency the request is billed in: so the threshold is in USD, the amounts
    of the anomaly (observed value, cost impact) are USD list cost and its billing_currency is `USD`.

    Severity score: the costliest request over the threshold. Medium from 2, high from 10 (with the
    flagged requests' cost reaching `anomaly_high_min_cost_impact`).
-#}

with

requests as (
    select
        request_date as cost_date,
        team,
        application,
        coalesce(model_id, '') as model_id,
        -- the currency of list prices (the catalogue's), not the request's billing currency
        'USD' as billing_currency,
        request_id,
        coalesce(session_id, trace_id) as session_key,
        list_cost
    from {{ ref('int_request_costs_allocated') }}
    where list_cost > {{ var('anomaly_request_cost_threshold') }}
),

outliers as (
    select
        cost_date,
        team,
        application,
        model_id,
        billing_currency,
        count(*) as requests,
        count(distinct session_key) as sessions,
        max(list_cost) as max_cost,
        sum(list_cost) as flagged_cost,
        {% call ordered_string_agg(none, ', ', 'list_cost desc, request_id asc', where='request_rank <= 3') -%}
            request_id || ' (' || {{ money_text('list_cost') }} || coalesce(', session ' || session_key, '') || ')'
        {%- endcall %} as top_requests
    from (
        select
            *,
            row_number() over (
                partition by cost_date, team, application, model_id, billing_currency
                order by list_cost desc, request_id asc
            ) as request_rank
        from requests
    ) as ranked
    group by all
)

select
    {{ anomaly_id('request_cost_outlier', 'cost_date', ['team', 'application', 'model_id', 'billing_currency']) }}
        as anomaly_id,
    'request_cost_outlier' as rule,
    cost_date as anomaly_date,
    team,
    application,
    model_id,
    billing_currency,
    'max_request_cost' as metric_name,
    max_cost as observed_value,
    cast(null as {{ money_type() }}) as expected_value,
    cast({{ var('anomaly_request_cost_threshold') }} as {{ money_type() }}) as threshold,
    cast(max_cost / {{ var('anomaly_request_cost_threshold') }} as decimal(38, 12)) as score,
    {{ anomaly_severity('max_cost / ' ~ var('anomaly_request_cost_threshold'), 2, 10, 'flagged_cost') }} as severity,
    flagged_cost as cost_impact,
    requests || ' request(s) of ' || team || ' / ' || application || ' on ' || model_id || ' cost more than '
    || '{{ var("anomaly_request_cost_threshold") }} ' || billing_currency || ' each on ' || cast(cost_date as string)
    || ' (costliest ' || {{ money_text('max_cost') }} || ', together ' || {{ money_text('flagged_cost') }} || ').'
        as explanation,
    requests || ' requests in ' || sessions || ' sessions; top requests: ' || top_requests as evidence
from outliers
