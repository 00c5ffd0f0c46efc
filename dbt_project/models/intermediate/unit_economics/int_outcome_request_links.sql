{#-
    The requests behind each group of outcomes and the share of their allocated cost the group carries: one
    row per outcome type, billing period, team, application, feature, link method and linked request
    (int_outcomes_linked says how each outcome links). `outcomes` is how many outcomes of the group link
    the request: by its id (trace, session or conversation), or all the group's outcomes of the request's
    day (workload_day).

    A request's cost counts once per outcome type however many outcomes it served: it is shared, exactly
    (allocate_exactly), over the outcomes of that type linking it, in proportion to their number (a session
    that resolved two tickets gives each half, not each the whole).
-#}

with

outcomes as (
    select * from {{ ref('int_outcomes_linked') }}
),

requests as (
    select * from {{ ref('int_request_costs_allocated') }}
),

-- One join per request column an id is matched against (an equality on the id itself: matching team and
-- application alone would pair each outcome with every request of its workload first).
id_links as (
    {%- for request_column, link_methods in [
        ('trace_id', ['trace']),
        ('session_id', ['session', 'conversation']),
    ] %}
        select
            outcomes.outcome_type,
            outcomes.billing_period,
            outcomes.team,
            outcomes.application,
            outcomes.feature,
            outcomes.link_method,
            requests.request_source,
            requests.request_id,
            count(*) as outcomes
        from outcomes
        inner join requests
            on
                outcomes.link_id = requests.{{ request_column }}
                and outcomes.team = requests.team
                and outcomes.application = requests.application
        where outcomes.link_method in ('{{ link_methods | join("', '") }}')
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

outcome_days as (
    select
        outcome_type,
        billing_period,
        outcome_date,
        team,
        application,
        feature,
        count(*) as outcomes
    from outcomes
    where link_method = 'workload_day'
    group by all
),

day_links as (
    select
        outcome_days.outcome_type,
        outcome_days.billing_period,
        outcome_days.team,
        outcome_days.application,
        outcome_days.feature,
        'workload_day' as link_method,
        requests.request_source,
        requests.request_id,
        outcome_days.outcomes
    from outcome_days
    inner join requests
        on
            outcome_days.team = requests.team
            and outcome_days.application = requests.application
            and (outcome_days.feature = '' or outcome_days.feature = requests.feature)
            and outcome_days.outcome_date = requests.request_date
),

links as (
    select
        *,
        outcome_type || '|' || request_source || '|' || request_id as charge_group_id,
        concat_ws('|', billing_period, team, application, feature, link_method) as target_key,
        cast(outcomes as {{ big_int_type() }}) as weight
    from (
        select * from id_links
        union all
        select * from day_links
    ) as all_links
),

-- One group per outcome type and request: the request's cost, to be shared over the outcomes linking it.
request_groups as (
    select distinct
        links.charge_group_id,
        requests.allocated_cost,
        requests.billing_currency
    from links
    inner join requests
        on links.request_source = requests.request_source and links.request_id = requests.request_id
),

shared as (
    {{ allocate_exactly(
        'request_groups', 'links',
        ['outcome_type', 'billing_period', 'team', 'application', 'feature', 'link_method',
            'request_source', 'request_id', 'outcomes'],
        amounts=['allocated_cost']
    ) }}
)

select
    shared.outcome_type,
    shared.billing_period,
    shared.team,
    shared.application,
    shared.feature,
    shared.link_method,
    shared.request_source,
    shared.request_id,
    request_groups.billing_currency,
    shared.outcomes,
    shared.allocated_cost as linked_cost
from shared
inner join request_groups on shared.charge_group_id = request_groups.charge_group_id
