{#-
    The requests behind a day of a team, application and model, as evidence for its anomalies: how many
    requests and sessions, the three costliest requests and the three costliest sessions (list cost), as
    text an alert can print.

    A table read by four anomaly rules (a view was computed once per rule and per reader of
    int_cost_anomalies), incremental by billing period (month of cost_date; macros/rebuilt_periods.sql): a
    day's evidence is made of that day's requests only, so the rebuilt months are deleted and built again.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('cost_date') }}",
    )
}}

with

requests as (
    select
        request_date as cost_date,
        team,
        application,
        coalesce(model_id, '') as model_id,
        billing_currency,
        request_id,
        coalesce(session_id, trace_id) as session_key,
        coalesce(list_cost, 0) as list_cost
    from {{ ref('int_request_costs_allocated') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
),

top_requests as (
    select
        cost_date,
        team,
        application,
        model_id,
        billing_currency,
        count(*) as requests,
        count(distinct session_key) as sessions,
        {% call ordered_string_agg(none, ', ', 'list_cost desc, request_id asc', where='request_rank <= 3') -%}
            request_id || ' (' || {{ money_text('list_cost') }} || ')'
        {%- endcall %} as top_requests
    from (
        select
            *,
            row_number() over (
                partition by cost_date, team, application, model_id, billing_currency
                order by list_cost desc, request_id asc
            ) as request_rank
        from requests
    ) as ranked_requests
    group by all
),

sessions as (
    select * from (
        select
            *,
            row_number() over (
                partition by cost_date, team, application, model_id, billing_currency
                order by list_cost desc, requests desc, session_key asc
            ) as session_rank
        from (
            select
                cost_date,
                team,
                application,
                model_id,
                billing_currency,
                session_key,
                count(*) as requests,
                sum(list_cost) as list_cost
            from requests
            where session_key is not null
            group by cost_date, team, application, model_id, billing_currency, session_key
        ) as session_totals
    ) as ranked_sessions
    -- a subquery, not QUALIFY: Spark reads QUALIFY from 4.2 only
    where session_rank <= 3
),

top_sessions as (
    select
        cost_date,
        team,
        application,
        model_id,
        billing_currency,
        {% call ordered_string_agg(none, ', ', 'list_cost desc, requests desc, session_key asc') -%}
            session_key || ' (' || requests || ' requests, ' || {{ money_text('list_cost') }} || ')'
        {%- endcall %} as top_sessions
    from sessions
    group by all
)

select
    top_requests.*,
    top_sessions.top_sessions
from top_requests
left join top_sessions
    on
        top_requests.cost_date = top_sessions.cost_date
        and top_requests.team = top_sessions.team
        and top_requests.application = top_sessions.application
        and top_requests.model_id = top_sessions.model_id
        and top_requests.billing_currency = top_sessions.billing_currency
