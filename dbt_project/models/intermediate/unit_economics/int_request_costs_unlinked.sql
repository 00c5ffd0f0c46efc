{#-
    The allocated AI cost no request carries: every piece of fct_ai_costs_allocated (AI, effective basis,
    except the `Idle` lines of idle capacity and unused commitments) of which int_request_cost_pieces
    spread nothing, or less than all, with the reason. It is workload-level cost: GPU instances, tokens the
    bill alone saw, Unallocated bill lines, a day with no matching request. With the requests' allocated
    cost it adds up to the AI cost requests could reach (test assert_request_costs_conserve_allocation).
-#}

with

allocated as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    where is_ai and team <> 'Idle'
),

linked as (
    select
        allocation_id,
        sum(allocated_cost) as linked_cost
    from {{ ref('int_request_cost_pieces') }}
    group by allocation_id
)

select
    allocated.allocation_id,
    allocated.billing_period,
    allocated.charge_date,
    allocated.billing_currency,
    allocated.provider_name,
    allocated.service_name,
    allocated.allocation_kind,
    allocated.allocated_method_id,
    allocated.model_id,
    allocated.token_type,
    allocated.team,
    allocated.application,
    allocated.environment,
    allocated.cost_centre_id,
    allocated.customer_id,
    allocated.feature,
    case
        when allocated.allocation_kind = 'gpu' then 'gpu_workload'
        when allocated.allocated_method_id = 'unallocated' then 'unallocated'
        when allocated.allocated_method_id = 'bill_keys' then 'bill_only_usage'
        when allocated.allocated_method_id in ('request_usage', 'tokens_served') then 'no_matching_request'
        else 'not_request_driven'
    end as unlinked_reason,
    allocated.effective_cost - coalesce(linked.linked_cost, 0) as unlinked_cost
from allocated
left join linked on allocated.allocation_id = linked.allocation_id
where allocated.effective_cost <> coalesce(linked.linked_cost, 0)
