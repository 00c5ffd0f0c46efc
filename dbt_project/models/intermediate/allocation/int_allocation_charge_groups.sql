{#-
    The charges to allocate, grouped: one row per charge group, the charges that share an invoice cell
    (provider, billing account, model, token type, day) and everything else the allocation needs to keep
    apart (sub-account, service, charge category, the bill's own owner, the resource of a GPU or of
    provisioned capacity, the commitment). Each group gets the allocation kind that decides how it is split:

    - `commitment_purchase`: a commitment bought (RI, Savings Plan, PTU reservation): billed cost only,
      charged to whoever used the commitment (int_costs_allocated_commitments);
    - `unused_commitment`: the commitment's unused part, its own `Idle` line;
    - `shared`: tax, credits, adjustments, support fees and discounts no key owns, which follow the cost they relate to
      (int_costs_allocated_shared);
    - `gpu`: a GPU instance's usage, split by GPU-hours per workload (gpu_usage), idle time as `Idle`;
    - `provisioned`: provisioned AI throughput (Azure PTU, Bedrock provisioned), split by tokens served;
    - `tokens`: token usage, split by request-level usage in its cell;
    - `bill_keys`: everything else, charged by the bill's own tags and accounts.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills
    changed (a group is one period's: billing_period_start is part of it).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('billing_period_start') }}",
    )
}}

select
    charge_group_id,
    source,
    provider_name,
    billing_account_id,
    sub_account_id,
    invoice_id,
    billing_period_start,
    billing_currency,
    charge_date,
    service_name,
    service_category,
    charge_category,
    allocation_kind,
    is_ai,
    model_id,
    token_type,
    resource_id,
    commitment_discount_id,
    instance_type,
    gpu_count,
    bill_attribution_method,
    bill_team,
    bill_application,
    bill_environment,
    bill_cost_centre_id,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost,
    sum(list_cost) as list_cost,
    sum(token_count) as token_count,
    sum(instance_hours) as instance_hours,
    count(*) as charge_rows
from {{ ref('int_allocation_charges_classified') }}
{% if is_incremental() -%}
    where {{ in_rebuilt_upstream_periods('billing_period_start') }}
{%- endif %}
group by all
