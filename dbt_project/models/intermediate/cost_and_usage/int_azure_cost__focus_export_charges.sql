{#-
    Azure's FOCUS export as FOCUS charges, where no cost-details export covers the account and period (the
    native exports win: nothing counts twice).
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    {{ focus_export_charges(ref('stg_azure_cost__focus_costs'), 'azure_cost', ref('int_azure_cost__focus_charges'), 'azure_subscription') }}
)

select {{ contract_columns() }}
from charges
