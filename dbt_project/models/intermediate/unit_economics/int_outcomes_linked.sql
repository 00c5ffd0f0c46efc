{#-
    Every business outcome (stg_outcomes__events) with how it links to the LLM requests that produced it.

    An outcome links by the first of its ids that finds requests: its trace id (`trace`), its session id
    (`session`), its conversation id (`conversation`), always within the outcome's team and application, as
    session ids repeat across applications. Requests carry no conversation id of their own: OpenTelemetry's
    gen_ai.conversation.id is the request's session_id (int_otel_genai__requests), so a conversation id is
    matched against session_id. An outcome that names no team or application links by an id only when all
    the requests carrying it belong to one team and application (it then takes theirs). An outcome no id
    links links to the requests of its team, application and feature (any feature when it names none) on
    its day (`workload_day`); one with none of those is `unlinked`.
    int_outcome_request_links lists the linked requests.

    A full table: rpt_cost_per_outcome reads it twice (itself and through int_outcome_request_links) and
    its tests once each. Not incremental by period: an outcome links by id to requests of any month (a
    session that began the month before), so a period's links depend on other periods' requests.
-#}
{{ config(materialized='table') }}

with

outcomes as (
    select
        *,
        coalesce(feature, '') as outcome_feature
    from {{ ref('stg_outcomes__events') }}
),

requests as (
    select
        request_date,
        team,
        application,
        feature,
        session_id,
        trace_id
    from {{ ref('int_request_costs_allocated') }}
),

id_candidates as (
    {%- for method, outcome_column, request_column in [
        ('trace', 'trace_id', 'trace_id'),
        ('session', 'session_id', 'session_id'),
        ('conversation', 'conversation_id', 'session_id'),
    ] %}
        select distinct
            outcomes.outcome_key,
            '{{ method }}' as link_method,
            {{ loop.index }} as link_rank,
            outcomes.{{ outcome_column }} as link_id,
            requests.team,
            requests.application
        from outcomes
        inner join requests
            on
                outcomes.{{ outcome_column }} = requests.{{ request_column }}
                and coalesce(outcomes.team, requests.team) = requests.team
                and coalesce(outcomes.application, requests.application) = requests.application
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- The ids whose requests are of one team and application, ranked by link method.
unambiguous_ids as (
    select
        *,
        row_number() over (partition by outcome_key order by link_rank) as id_rank
    from (
        select
            outcome_key,
            link_method,
            link_id,
            min(link_rank) as link_rank,
            min(team) as team,
            min(application) as application
        from id_candidates
        group by outcome_key, link_method, link_id
        having count(*) = 1
    ) as unambiguous
),

-- The first id that links, when its requests are of one team and application.
id_links as (
    select
        outcome_key,
        link_method,
        link_id,
        team,
        application
    from unambiguous_ids
    where id_rank = 1
),

linked as (
    select
        outcomes.*,
        coalesce(
            id_links.link_method,
            case
                when exists (
                    select 1 from requests
                    where
                        outcomes.team = requests.team
                        and outcomes.application = requests.application
                        and (outcomes.outcome_feature = '' or outcomes.outcome_feature = requests.feature)
                        and outcomes.outcome_date = requests.request_date
                ) then 'workload_day'
            end,
            'unlinked'
        ) as link_method,
        id_links.link_id,
        coalesce(outcomes.team, id_links.team) as resolved_team,
        coalesce(outcomes.application, id_links.application) as resolved_application
    from outcomes
    left join id_links on outcomes.outcome_key = id_links.outcome_key
)

select
    outcome_key,
    outcome_type,
    {{ period_of('outcome_date') }} as billing_period,
    outcome_date,
    resolved_team as team,
    resolved_application as application,
    outcome_feature as feature,
    link_method,
    link_id,
    outcome_value,
    outcome_currency
from linked
