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
        {{ star_replace(ref('int_cost_and_usage_unioned'), {
            'effective_cost': "case when charge_category = 'Purchase' then cast(0 as " ~ money_type() ~ ") else effective_cost end",
        }) }},
        false as is_amortisation
    from charges
),

amortisation as (
    select
        {{ star_replace(ref('int_cost_and_usage_unioned'), {
            'charge_id': "charge_id || ':amortised'",
            'charge_category': "'Usage'",
            'charge_class': 'cast(null as string)',
            'charge_frequency': "'Usage-Based'",
            'charge_description': "'Amortised: ' || charge_description",
            'pricing_unit': 'cast(null as string)',
            'pricing_quantity': 'cast(null as ' ~ money_type() ~ ')',
            'consumed_unit': 'cast(null as string)',
            'consumed_quantity': 'cast(null as ' ~ money_type() ~ ')',
            'billed_cost': 'cast(0 as ' ~ money_type() ~ ')',
            'list_cost': 'cast(0 as ' ~ money_type() ~ ')',
            'contracted_cost': 'cast(0 as ' ~ money_type() ~ ')',
            'list_unit_price': 'cast(null as ' ~ money_type() ~ ')',
            'contracted_unit_price': 'cast(null as ' ~ money_type() ~ ')',
            'pricing_category': "case when commitment_discount_id is not null then 'Committed' else 'Standard' end",
            'commitment_discount_status': "case when commitment_discount_id is not null then 'Unused' end",
            'commitment_discount_quantity': 'commitment_unused_quantity',
        }) }},
        true as is_amortisation
    from charges
    where charge_category = 'Purchase' and effective_cost <> 0
)

select * from as_billed
union all
select * from amortisation
