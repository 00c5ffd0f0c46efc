{#-
    The AWS FOCUS export as FOCUS charges, where no CUR of the same payer account and period is loaded (the
    native bill wins: nothing counts twice).
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    {{ focus_export_charges(ref('int_aws_focus__charges_classified'), 'aws_focus', ref('int_aws_cur__focus_charges'), 'aws_account', ai_columns=true) }}
)

select {{ contract_columns() }}
from charges
