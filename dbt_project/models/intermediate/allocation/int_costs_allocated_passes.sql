{#-
    The pieces of the three allocation passes in one relation, each labelled with its pass (direct,
    commitment, shared): what the residual rules read and what int_costs_allocated describes.
-#}

{%- set columns = allocation_piece_columns() | join(', ') %}
select {{ columns }}, 'direct' as allocation_pass
from {{ ref('int_costs_allocated_direct') }}
union all
select {{ columns }}, 'commitment' as allocation_pass
from {{ ref('int_costs_allocated_commitments') }}
union all
select {{ columns }}, 'shared' as allocation_pass
from {{ ref('int_costs_allocated_shared') }}
