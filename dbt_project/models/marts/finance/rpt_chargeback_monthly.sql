{#-
    Chargeback: who owes what for a billing period, one row per cost centre x team x application x
    provider x model x currency. Sums of billed_cost per period and currency equal the invoices exactly:
    every charge lands on a row, and what no mapping identifies is an explicit `Unallocated` row.
-#}

with charges as (
    select * from {{ ref('int_cost_and_usage_attributed') }}
)

select
    strftime(billing_period_start, '%Y-%m') as billing_period,
    cost_centre_id,
    cost_centre_name,
    team,
    application,
    provider_name,
    coalesce(model_id, '') as model_id,
    billing_currency,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost,
    sum(case when charge_category = 'Tax' then billed_cost else 0 end) as tax_cost,
    sum(case when charge_category = 'Credit' then billed_cost else 0 end) as credit_cost,
    count(*) as charge_rows
from charges
group by all
