{#-
    Azure cost details of the export that counts for each row. Actual and amortized exports describe the
    same charges, so for each billing account and period:
    - BilledCost comes from the actual export (the invoice);
    - with an amortized export too, commitment-covered usage and unused commitments come from it (BilledCost
      0, EffectiveCost amortised), and commitment purchases in the actual export get EffectiveCost 0;
    - with only an amortized export, its costs are used for both (documented approximation).
-#}

with

details as (
    select * from {{ ref('stg_azure_cost__cost_details') }}
),

datasets as (
    select
        billing_account_id,
        billing_period_start_at,
        max(case when cost_dataset = 'actual' then 1 else 0 end) = 1 as has_actual,
        max(case when cost_dataset = 'amortized' then 1 else 0 end) = 1 as has_amortized
    from details
    group by billing_account_id, billing_period_start_at
),

flagged as (
    select
        details.*,
        datasets.has_actual,
        datasets.has_amortized,
        -- PricingModel is optional in older exports: a missing one is no commitment (never a NULL flag,
        -- which would drop the row from both exports below)
        coalesce(details.charge_type = 'Usage' and details.pricing_model in ('Reservation', 'SavingsPlan'), false)
            as is_commitment_covered,
        coalesce(details.charge_type in ('UnusedReservation', 'UnusedSavingsPlan'), false) as is_commitment_unused,
        coalesce(
            details.charge_type in ('Purchase', 'Refund') and details.pricing_model in ('Reservation', 'SavingsPlan'),
            false
        ) as is_commitment_purchase
    from details
    inner join datasets
        on
            details.billing_account_id = datasets.billing_account_id
            and details.billing_period_start_at = datasets.billing_period_start_at
),

selected as (
    select
        *,
        case when cost_dataset = 'actual' or not has_actual then cost else cast(0 as {{ money_type() }}) end
            as billed_cost,
        case
            when cost_dataset = 'actual' and has_amortized and is_commitment_purchase then cast(0 as {{ money_type() }})
            else cost
        end as effective_cost
    from flagged
    where
        (cost_dataset = 'actual' and not (has_amortized and is_commitment_covered))
        or (cost_dataset = 'amortized' and not has_actual)
        or (cost_dataset = 'amortized' and (is_commitment_covered or is_commitment_unused))
)

select * from selected
