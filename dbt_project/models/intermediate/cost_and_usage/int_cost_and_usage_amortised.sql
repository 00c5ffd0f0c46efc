{#-
    Purchases spread into usage, the way FOCUS models them: a purchase row keeps its BilledCost with
    EffectiveCost 0, and its effective cost moves to an amortisation row (ChargeCategory Usage, BilledCost 0).
    For a commitment fee that row is the commitment's unused part (CommitmentDiscountStatus Unused); the used
    part is already in the covered usage rows. BilledCost and EffectiveCost totals are unchanged.
-#}

with

charges as (
    select * from {{ ref('int_cost_and_usage_unioned') }}
),

as_billed as (
    select
        * replace (
            case
                when charge_category = 'Purchase' then cast(0 as {{ money_type() }}) else effective_cost
            end as effective_cost
        ),
        false as is_amortisation
    from charges
),

amortisation as (
    select
        * replace (
            charge_id || ':amortised' as charge_id,
            'Usage' as charge_category,
            cast(null as string) as charge_class,
            'Usage-Based' as charge_frequency,
            'Amortised: ' || charge_description as charge_description,
            cast(null as string) as pricing_unit,
            cast(null as {{ money_type() }}) as pricing_quantity,
            cast(null as string) as consumed_unit,
            cast(null as {{ money_type() }}) as consumed_quantity,
            cast(0 as {{ money_type() }}) as billed_cost,
            cast(0 as {{ money_type() }}) as list_cost,
            cast(0 as {{ money_type() }}) as contracted_cost,
            cast(null as {{ money_type() }}) as list_unit_price,
            cast(null as {{ money_type() }}) as contracted_unit_price,
            case when commitment_discount_id is not null then 'Committed' else 'Standard' end as pricing_category,
            case when commitment_discount_id is not null then 'Unused' end as commitment_discount_status,
            commitment_unused_quantity as commitment_discount_quantity
        ),
        true as is_amortisation
    from charges
    where charge_category = 'Purchase' and effective_cost <> 0
)

select * from as_billed
union all
select * from amortisation
