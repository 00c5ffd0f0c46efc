{#-
    The pieces of the three allocation passes in one relation, each labelled with its pass (direct,
    commitment, shared): what the residual rules read and what int_costs_allocated describes.
-#}

select
    *,
    'direct' as allocation_pass
from {{ ref('int_costs_allocated_direct') }}
union all by name
select
    *,
    'commitment' as allocation_pass
from {{ ref('int_costs_allocated_commitments') }}
union all by name
select
    *,
    'shared' as allocation_pass
from {{ ref('int_costs_allocated_shared') }}
