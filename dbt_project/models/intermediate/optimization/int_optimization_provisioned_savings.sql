{#-
    Opportunity `provisioned_break_even`, direction 1: provisioned capacity dearer than on demand, per billing
    period, deployment, team, application and model. The capacity a team and application were allocated for
    the hours they used it (fct_ai_costs_allocated, allocation_kind `provisioned`; idle hours are the separate
    `idle_provisioned` opportunity, so the two add up) is shared over their models by tokens served, and
    compared with the standard list cost of the same requests (the ones the allocation counts: the host's, on
    the capacity's days, from its account or an unknown one; cache hits aside).
        savings = capacity cost - on-demand list cost, only where positive
    A request counts once: when several deployments could have served it (same host, day and account), the
    bill does not say which did, so it is shared over them in proportion to their capacity cost that day (the
    allocation charges each of them to the request's team in the same proportion), equally when none cost
    anything. Its requests, tokens and list cost are split alike (requests and tokens rounded to whole units).
    Direction 2 (on-demand spend that would pay for provisioning) is int_optimization_provisioning_candidates.
-#}

with

allocated as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    where allocation_kind = 'provisioned'
),

capacity_days as (
    select
        provider_name,
        billing_account_id,
        sub_account_id,
        resource_id,
        billing_period,
        charge_date,
        sum(effective_cost) as day_cost
    from allocated
    group by all
),

capacity_costs as (
    select
        billing_period,
        provider_name,
        resource_id,
        team,
        application,
        billing_currency,
        count(distinct charge_date) as capacity_days,
        sum(effective_cost) as capacity_cost
    from allocated
    where team <> 'Idle'
    group by all
),

requests as (
    select * from {{ ref('fct_llm_requests') }}
    where
        provider_name in (select capacity_days.provider_name from capacity_days)
        and not coalesce(is_cache_hit, false)
),

-- each request against every deployment that could have served it, with its share of the request
matched as (
    select
        capacity_days.billing_period,
        capacity_days.provider_name,
        capacity_days.resource_id,
        requests.team,
        requests.application,
        requests.model_id,
        requests.total_tokens,
        requests.list_cost,
        case
            when sum(capacity_days.day_cost) over request_matches > 0
                then
                    cast(
                        cast(capacity_days.day_cost as {{ money_type() }})
                        / sum(capacity_days.day_cost) over request_matches
                        as {{ money_type() }}
                    )
            else cast(1.0 / count(*) over request_matches as {{ money_type() }})
        end as request_share
    from capacity_days
    inner join requests
        on
            capacity_days.provider_name = requests.provider_name
            and capacity_days.charge_date = requests.request_date
            and (
                requests.cloud_account_id is null
                or requests.cloud_account_id in (capacity_days.sub_account_id, capacity_days.billing_account_id)
            )
    window request_matches as (partition by requests.request_source, requests.request_id)
),

served as (
    select
        billing_period,
        provider_name,
        resource_id,
        team,
        application,
        model_id,
        cast(round(sum(request_share)) as bigint) as requests,
        cast(round(sum(total_tokens * request_share)) as bigint) as tokens,
        sum(cast(list_cost * request_share as {{ money_type() }})) as on_demand_cost
    from matched
    group by all
),

joined as (
    select
        capacity_costs.*,
        served.model_id,
        coalesce(served.requests, 0) as requests,
        coalesce(served.tokens, 0) as tokens,
        coalesce(served.on_demand_cost, 0) as on_demand_cost,
        sum(served.tokens) over (
            partition by
                capacity_costs.billing_period, capacity_costs.resource_id, capacity_costs.team,
                capacity_costs.application
        ) as workload_tokens
    from capacity_costs
    left join served
        on
            capacity_costs.billing_period = served.billing_period
            and capacity_costs.resource_id = served.resource_id
            and capacity_costs.team = served.team
            and capacity_costs.application = served.application
),

-- a workload's capacity cost shared over its models by tokens (all of it when nothing was served)
compared as (
    select
        *,
        case
            when workload_tokens > 0 then {{ divide_money('capacity_cost * tokens', 'workload_tokens') }}
            else capacity_cost
        end as model_capacity_cost
    from joined
)

select
    'provisioned_break_even' as opportunity_type,
    billing_period,
    team,
    application,
    provider_name,
    model_id,
    resource_id,
    'Move ' || coalesce(model_id, 'this traffic') || ' of ' || application || ' from provisioned capacity to on-demand'
        as suggested_action,
    model_capacity_cost as current_cost,
    model_capacity_cost - on_demand_cost as estimated_savings,
    billing_currency,
    'On ' || cast(capacity_days as string) || ' days provisioned deployment ' || resource_id || ' served '
    || cast(requests as string) || ' requests (' || cast(tokens as string) || ' tokens) of '
    || coalesce(model_id, 'no model') || '; their share of the capacity cost ' || cast(cast(model_capacity_cost as decimal(38, 2)) as string)
    || ' ' || billing_currency || ' is above their on-demand list cost '
    || cast(cast(on_demand_cost as decimal(38, 2)) as string) || ' ' || billing_currency || '.' as evidence,
    requests,
    tokens
from compared
where model_capacity_cost > on_demand_cost
