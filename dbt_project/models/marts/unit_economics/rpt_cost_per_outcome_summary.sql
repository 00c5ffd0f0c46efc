{#-
    Cost per outcome at the workload grain: rpt_cost_per_outcome summed over features and link methods,
    one row per billing period, outcome type, team, application and currency. The workload's AI cost
    counts once: the whole application's when any of the outcomes names no feature (it includes every
    feature), else the sum over the distinct features the outcomes name (rpt_cost_per_outcome repeats it on
    each link method's row). Currencies are kept apart as in rpt_cost_per_outcome.

    A full table: reads one small table (rpt_cost_per_outcome); cheaper than tracking periods.
-#}

with

detail as (
    select * from {{ ref('rpt_cost_per_outcome') }}
),

summed as (
    select
        billing_period,
        outcome_type,
        team,
        application,
        billing_currency,
        cast(sum(outcomes) as {{ big_int_type() }}) as outcomes,
        sum(outcome_value) as outcome_value,
        sum(linked_cost) as linked_cost
    from detail
    group by all
),

-- one workload cost per feature named (the same on every link method's row)
feature_workloads as (
    select distinct
        billing_period,
        outcome_type,
        team,
        application,
        feature,
        billing_currency,
        workload_cost
    from detail
),

workloads as (
    select
        billing_period,
        outcome_type,
        team,
        application,
        billing_currency,
        coalesce(max(workload_cost) filter (where feature = ''), sum(workload_cost)) as workload_cost
    from feature_workloads
    group by all
),

grouped as (
    select
        summed.*,
        workloads.workload_cost,
        cast(sum(summed.outcomes) over workload_window as {{ big_int_type() }}) as group_outcomes,
        sum(case when summed.outcomes > 0 or summed.linked_cost <> 0 then 1 else 0 end) over workload_window
            as value_currencies
    from summed
    inner join workloads
        on
            summed.billing_period = workloads.billing_period
            and summed.outcome_type = workloads.outcome_type
            and summed.team is not distinct from workloads.team
            and summed.application is not distinct from workloads.application
            and summed.billing_currency = workloads.billing_currency
    window workload_window as (partition by summed.billing_period, summed.outcome_type, summed.team, summed.application)
)

select
    billing_period,
    outcome_type,
    team,
    application,
    billing_currency,
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
