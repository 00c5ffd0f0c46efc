{#-
    Rule new_model_for_team: the first day a team calls a model it had not called in the previous
    `anomaly_new_model_lookback_days` days (a model switch, a new integration, someone trying a frontier
    model). The team's first `anomaly_warmup_days` days of history never alert: everything is new then.

    Severity score: the new model's share of the team's list cost that day (a switch moves most of the
    spend at once, a trial a sliver). Medium from 0.25, high from 0.5 (with the new model's cost that day
    reaching `anomaly_high_min_cost_impact`).
-#}

with

daily as (
    select * from {{ ref('int_anomaly_requests_daily') }}
    where requests > 0
),

team_models as (
    select
        cost_date,
        team,
        model_id,
        billing_currency,
        sum(requests) as requests,
        sum(list_cost) as list_cost,
        {{ ordered_string_agg('application', ', ', 'list_cost desc, application asc') }} as applications,
        {{ first_by('application', ['-list_cost', 'application']) }} as top_application
    from daily
    group by all
),

team_days as (
    select
        cost_date,
        team,
        billing_currency,
        sum(list_cost) as team_cost,
        min(cost_date) over (partition by team) as team_first_date
    from daily
    group by cost_date, team, billing_currency
),

first_uses as (
    select
        *,
        lag(cost_date) over (partition by team, model_id, billing_currency order by cost_date) as previous_use_date
    from team_models
),

new_models as (
    select
        first_uses.*,
        team_days.team_cost,
        coalesce(cast(first_uses.list_cost / nullif(team_days.team_cost, 0) as decimal(38, 12)), 0) as cost_share
    from first_uses
    inner join team_days
        on
            first_uses.cost_date = team_days.cost_date
            and first_uses.team = team_days.team
            and first_uses.billing_currency = team_days.billing_currency
    where
        first_uses.cost_date >= {{ add_days('team_days.team_first_date', var('anomaly_warmup_days')) }}
        and (
            first_uses.previous_use_date is null
            or first_uses.previous_use_date
            < {{ add_days('first_uses.cost_date', -var('anomaly_new_model_lookback_days')) }}
        )
),

evidence as (
    select * from {{ ref('int_anomaly_request_evidence') }}
)

select
    {{ anomaly_id('new_model_for_team', 'new_models.cost_date', ['new_models.team', 'new_models.model_id',
        'new_models.billing_currency']) }} as anomaly_id,
    'new_model_for_team' as rule,
    new_models.cost_date as anomaly_date,
    new_models.team,
    new_models.top_application as application,
    new_models.model_id,
    new_models.billing_currency,
    'model_cost_share' as metric_name,
    new_models.cost_share as observed_value,
    cast(0 as decimal(38, 12)) as expected_value,
    cast(0 as decimal(38, 12)) as threshold,
    new_models.cost_share as score,
    {{ anomaly_severity('new_models.cost_share', 0.25, 0.5, 'new_models.list_cost') }} as severity,
    new_models.list_cost as cost_impact,
    new_models.team || ' called ' || new_models.model_id || ' on ' || cast(new_models.cost_date as string)
    || ', a model it had not used in the previous {{ var("anomaly_new_model_lookback_days") }} days: '
    || new_models.requests || ' requests, ' || {{ money_text('new_models.list_cost') }} || ' '
    || new_models.billing_currency || ' (' || {{ percent_text('new_models.cost_share') }}
    || ' of the team''s list cost that day).' as explanation,
    'applications: ' || new_models.applications
    || coalesce('; previously used ' || cast(new_models.previous_use_date as string), '; never used before')
    || coalesce('; top requests: ' || evidence.top_requests, '')
    || coalesce('; top sessions: ' || evidence.top_sessions, '') as evidence
from new_models
left join evidence
    on
        new_models.cost_date = evidence.cost_date
        and new_models.team = evidence.team
        and new_models.top_application = evidence.application
        and new_models.model_id = evidence.model_id
        and new_models.billing_currency = evidence.billing_currency
