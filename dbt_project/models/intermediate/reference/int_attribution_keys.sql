{#-
    Every key a charge, a request or a usage row can be attributed by, with the team, application and
    environment it names and the cost centre it is charged to, for the dates each applies: the one place keys
    resolve to teams and teams to cost centres (seeds `attribution_keys`, `teams`, `attribution_key_types`).
    A team is also a key of itself (key type `team`), for tags and span attributes that name a team directly,
    and for the team -> cost centre lookup.

    Both seeds are dated, so a key row is split by the team rows valid during it: each output row holds for
    [valid_from, valid_to) (null valid_to: open-ended) and its cost centre is the key's override, else the
    team's on those days. Consumers join on key type, key value and a day within the range, and rank the keys
    that match by precedence (1 wins).
-#}

with

attribution_keys as (
    select * from {{ ref('attribution_keys') }}
),

teams as (
    select * from {{ ref('teams') }}
),

key_types as (
    select * from {{ ref('attribution_key_types') }}
),

-- a cost centre's name as the teams seed spells it (an override names only the id)
cost_centres as (
    select
        cost_centre_id,
        max(cost_centre_name) as cost_centre_name
    from teams
    group by cost_centre_id
),

keys as (
    select
        key_type,
        key_value,
        team,
        application,
        environment,
        cost_centre_id as cost_centre_override,
        valid_from,
        valid_to
    from attribution_keys
    union all
    select
        'team' as key_type,
        team as key_value,
        team,
        cast(null as string) as application,
        cast(null as string) as environment,
        cast(null as string) as cost_centre_override,
        valid_from,
        valid_to
    from teams
),

dated as (
    select
        keys.*,
        teams.team_name,
        teams.cost_centre_id as team_cost_centre_id,
        teams.cost_centre_name as team_cost_centre_name,
        -- the part of the key's range during which this team row applies (the key's own without one)
        case
            when teams.valid_from is null or keys.valid_from >= teams.valid_from then keys.valid_from
            else teams.valid_from
        end as range_start,
        case
            when teams.valid_to is null then keys.valid_to
            when keys.valid_to is null or teams.valid_to < keys.valid_to then teams.valid_to
            else keys.valid_to
        end as range_end
    from keys
    left join teams
        on
            keys.team = teams.team
            and (keys.valid_to is null or keys.valid_to > teams.valid_from)
            and (teams.valid_to is null or keys.valid_from < teams.valid_to)
)

select
    dated.key_type,
    dated.key_value,
    dated.team,
    dated.application,
    dated.environment,
    dated.team_name,
    coalesce(dated.cost_centre_override, dated.team_cost_centre_id) as cost_centre_id,
    case
        when dated.cost_centre_override is null then dated.team_cost_centre_name
        else cost_centres.cost_centre_name
    end as cost_centre_name,
    key_types.precedence,
    dated.cost_centre_override is not null as is_cost_centre_overridden,
    dated.range_start as valid_from,
    dated.range_end as valid_to
from dated
left join key_types on dated.key_type = key_types.key_type
left join cost_centres on dated.cost_centre_override = cost_centres.cost_centre_id
