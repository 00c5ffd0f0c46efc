-- Every charge group is split exactly once: its allocated pieces (one pass per group, plus the residual
-- rules' pieces of its Unallocated and Idle rows) add up to the group
-- on both bases, to the last decimal place. A row here is a group whose pieces are off, or a group lost.
{{ config(meta={'dagster': {'ref': {'name': 'fct_ai_costs_allocated'}}}) }}

with

pieces as (
    select
        charge_group_id,
        count(distinct allocation_pass) filter (where allocation_pass <> 'residual') as passes,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_ai_costs_allocated') }}
    group by charge_group_id
)

select
    charge_groups.charge_group_id,
    charge_groups.billed_cost as group_billed_cost,
    pieces.billed_cost as allocated_billed_cost,
    charge_groups.effective_cost as group_effective_cost,
    pieces.effective_cost as allocated_effective_cost,
    pieces.passes
from {{ ref('int_allocation_charge_groups') }} as charge_groups
left join pieces on charge_groups.charge_group_id = pieces.charge_group_id
where
    pieces.charge_group_id is null
    or pieces.passes <> 1
    or charge_groups.billed_cost <> pieces.billed_cost
    or charge_groups.effective_cost <> pieces.effective_cost
