{#-
    Every key a charge, a request or a usage row can be attributed by, with the team, application and
    environment it names and that team's cost centre: the one place keys resolve to teams and teams to cost
    centres (seeds `attribution_keys` and `teams`). A team is also a key of itself (key type `team`), for
    tags and span attributes that name a team directly, and for the team -> cost centre lookup.
-#}

with

attribution_keys as (
    select * from {{ ref('attribution_keys') }}
),

teams as (
    select * from {{ ref('teams') }}
),

keys as (
    select
        key_type,
        key_value,
        team,
        application,
        environment
    from attribution_keys
    union all
    select
        'team' as key_type,
        team as key_value,
        team,
        cast(null as varchar) as application,
        cast(null as varchar) as environment
    from teams
)

select
    keys.key_type,
    keys.key_value,
    keys.team,
    keys.application,
    keys.environment,
    teams.team_name,
    teams.cost_centre_id,
    teams.cost_centre_name
from keys
left join teams on keys.team = teams.team
