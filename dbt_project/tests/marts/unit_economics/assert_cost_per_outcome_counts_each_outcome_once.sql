-- Every outcome counts once: per billing period and outcome type, the outcomes of rpt_cost_per_outcome and
-- of rpt_cost_per_outcome_summary each add up to the number of distinct outcomes (stg_outcomes__events),
-- whatever the currencies of their value and of the cost linked to them. A row here is an outcome dropped
-- or counted twice (for instance once per currency of the cost).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_cost_per_outcome_summary'}}}) }}

with

events as (
    select
        {{ period_of('outcome_date') }} as billing_period,
        outcome_type,
        count(distinct outcome_key) as outcomes
    from {{ ref('stg_outcomes__events') }}
    group by all
),

detail as (
    select
        billing_period,
        outcome_type,
        sum(outcomes) as outcomes
    from {{ ref('rpt_cost_per_outcome') }}
    group by all
),

summary as (
    select
        billing_period,
        outcome_type,
        sum(outcomes) as outcomes
    from {{ ref('rpt_cost_per_outcome_summary') }}
    group by all
)

select
    events.billing_period,
    events.outcome_type,
    events.outcomes as distinct_outcomes,
    detail.outcomes as detail_outcomes,
    summary.outcomes as summary_outcomes
from events
full outer join detail
    on events.billing_period = detail.billing_period and events.outcome_type = detail.outcome_type
full outer join summary
    on
        coalesce(events.billing_period, detail.billing_period) = summary.billing_period
        and coalesce(events.outcome_type, detail.outcome_type) = summary.outcome_type
where
    coalesce(events.outcomes, 0) <> coalesce(detail.outcomes, 0)
    or coalesce(events.outcomes, 0) <> coalesce(summary.outcomes, 0)
