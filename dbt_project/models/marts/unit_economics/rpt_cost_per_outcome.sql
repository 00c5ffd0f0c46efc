{#-
    Cost per business outcome: per billing period, outcome type, team, application, feature, link method
    and currency, the outcomes, their value, the allocated AI cost of the requests linked to them
    (int_outcome_request_links: each request counted once per outcome type), the workload's whole
    allocated AI cost and the share of it the links reach, cost and value per outcome and ROI.
    Outcomes nothing links are a row of their own (link_method `unlinked`, no linked cost).

    Currencies are never mixed: a group (period, type, team, application, feature, link method) has a row
    per currency its outcomes are valued in, its linked cost or its workload's cost is billed in. Each
    outcome counts on the row of its own currency only (once), cost on the row of its billing currency;
    cost per outcome divides a currency's linked cost by all the group's outcomes (group_outcomes), and ROI
    is only given when the group's outcomes and linked cost are all in the row's currency.

    A full table: outcomes link by id to requests of any month (a session begun the month before), so a
    period's rows depend on other periods' requests; it reads the small int_outcomes_linked table and the
    links, cheaper to rebuild than to track.
-#}

{%- set group_keys = ['billing_period', 'outcome_type', 'team', 'application', 'feature', 'link_method'] %}

with

outcomes as (
    select
        billing_period,
        outcome_type,
        team,
        application,
        feature,
        link_method,
        -- an outcome without a value has no currency: it counts in the reporting currency
        coalesce(outcome_currency, '{{ var("reporting_currency") }}') as billing_currency,
        count(*) as outcomes,
        sum(outcome_value) as outcome_value
    from {{ ref('int_outcomes_linked') }}
    group by all
),

linked as (
    select
        billing_period,
        outcome_type,
        team,
        application,
        feature,
        link_method,
        billing_currency,
        sum(linked_cost) as linked_cost
    from {{ ref('int_outcome_request_links') }}
    group by all
),

groups as (
    select distinct
        billing_period,
        outcome_type,
        team,
        application,
        feature,
        link_method
    from outcomes
),

-- All allocated AI cost of the workload, per currency: the team and application, and the feature when
-- outcomes name one.
workload_costs as (
    select
        workloads.billing_period,
        workloads.team,
        workloads.application,
        workloads.feature,
        allocated.billing_currency,
        sum(allocated.effective_cost) as workload_cost
    from (
        select distinct
            billing_period,
            team,
            application,
            feature
        from groups
    ) as workloads
    inner join {{ ref('fct_ai_costs_allocated') }} as allocated
        on
            allocated.is_ai
            and workloads.billing_period = allocated.billing_period
            and workloads.team = allocated.team
            and workloads.application = allocated.application
            and (workloads.feature = '' or workloads.feature = allocated.feature)
    group by all
),

group_currencies as (
    select distinct
        {{ group_keys | join(',\n        ') }},
        billing_currency
    from outcomes
    union
    select distinct
        {{ group_keys | join(',\n        ') }},
        billing_currency
    from linked
    union
    select
        groups.*,
        workload_costs.billing_currency
    from groups
    inner join workload_costs
        on
            groups.billing_period = workload_costs.billing_period
            and groups.team = workload_costs.team
            and groups.application = workload_costs.application
            and groups.feature = workload_costs.feature
),

-- Outcomes without a team or application (unlinked) keep a null key: joins on them are null-safe.
joined as (
    select
        group_currencies.*,
        coalesce(outcomes.outcomes, 0) as outcomes,
        outcomes.outcome_value,
        coalesce(linked.linked_cost, 0) as linked_cost,
        coalesce(workload_costs.workload_cost, 0) as workload_cost
    from group_currencies
    left join outcomes
        on
            group_currencies.billing_period = outcomes.billing_period
            and group_currencies.outcome_type = outcomes.outcome_type
            and group_currencies.team is not distinct from outcomes.team
            and group_currencies.application is not distinct from outcomes.application
            and group_currencies.feature = outcomes.feature
            and group_currencies.link_method = outcomes.link_method
            and group_currencies.billing_currency = outcomes.billing_currency
    left join linked
        on
            group_currencies.billing_period = linked.billing_period
            and group_currencies.outcome_type = linked.outcome_type
            and group_currencies.team is not distinct from linked.team
            and group_currencies.application is not distinct from linked.application
            and group_currencies.feature = linked.feature
            and group_currencies.link_method = linked.link_method
            and group_currencies.billing_currency = linked.billing_currency
    left join workload_costs
        on
            group_currencies.billing_period = workload_costs.billing_period
            and group_currencies.team is not distinct from workload_costs.team
            and group_currencies.application is not distinct from workload_costs.application
            and group_currencies.feature = workload_costs.feature
            and group_currencies.billing_currency = workload_costs.billing_currency
),

grouped as (
    select
        *,
        cast(sum(outcomes) over group_window as {{ big_int_type() }}) as group_outcomes,
        -- currencies holding outcomes or linked cost: ROI needs value and cost in one currency
        sum(case when outcomes > 0 or linked_cost <> 0 then 1 else 0 end) over group_window as value_currencies
    from joined
    window group_window as (partition by billing_period, outcome_type, team, application, feature, link_method)
)

select
    billing_period,
    outcome_type,
    team,
    application,
    feature,
    link_method,
    billing_currency,
    case when outcomes > 0 then billing_currency end as outcome_currency,
    outcomes,
    group_outcomes,
    cast(outcome_value as {{ money_type() }}) as outcome_value,
    cast(linked_cost as {{ money_type() }}) as linked_cost,
    cast(workload_cost as {{ money_type() }}) as workload_cost,
    {{ ratio('linked_cost', 'workload_cost') }} as linked_cost_share,
    cast({{ divide_money('linked_cost', 'group_outcomes') }} as {{ money_type() }}) as cost_per_outcome,
    cast({{ divide_money('outcome_value', 'nullif(outcomes, 0)') }} as {{ money_type() }}) as value_per_outcome,
    case
        when value_currencies = 1 and outcomes = group_outcomes then
            {{ ratio('outcome_value - linked_cost', 'linked_cost') }}
    end as roi
from grouped
