{#-
    Allocated cost: every charge of the bill, split to the team, application, environment, cost centre,
    customer and feature that caused it, one row per charge group (see int_allocation_charge_groups) and
    target. Built by exact passes (direct usage, commitment purchases, shared charges, optional residual
    rules); the rows of a
    charge group add up to the group exactly on both bases, so totals per provider, billing account,
    period and currency equal the FOCUS table's. Each row records how it was allocated (FOCUS 1.3
    AllocatedMethodId / AllocatedMethodDetails).

    The cents columns are rounded here, once, by the largest-remainder rule: over the rows finance books
    (the chargeback grain) within each provider, billing account, billing period and currency, so those add
    up to the exact total rounded to the cent (half away from zero) on both bases and each is within a cent
    of its exact amount; then over the pieces of each booked row. Every export sums them, never rounds again.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills or
    request-level usage changed (the cents are rounded within a period, so a period is rounded alone).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('billing_period_start') }}",
    )
}}

with

described as (
    select * from {{ ref('int_costs_allocated') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('billing_period_start') }}
    {%- endif %}
),

internal_rates as (
    select * from {{ ref('internal_rates') }}
),

-- Cents are rounded at the grain finance books (a chargeback row) first, so each booked row is within a
-- cent of its exact amount and the rows of an invoice add up to it; then each booked row's cents are
-- shared out over its pieces the same way, so the pieces add up to what was booked.
booking_keyed as (
    select
        *,
        md5(concat_ws(
            '|', billing_period, cost_centre_id, cost_centre_name, team, application, environment,
            provider_name, billing_account_id, model_id, cast(is_ai as string), allocation_category,
            billing_currency
        )) as booking_id
    from described
),

booking_rows as (
    select
        booking_id,
        provider_name,
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from booking_keyed
    group by all
),

{{ cents_by_largest_remainder('booking_rows', ['billed_cost', 'effective_cost'],
    ['provider_name', 'billing_account_id', 'billing_period_start', 'billing_currency'], 'booking_id',
    name='booked_cents') }},

booked_pieces as (
    select
        booking_keyed.*,
        booked_cents.billed_cost_cents as booked_billed_cost_cents,
        booked_cents.effective_cost_cents as booked_effective_cost_cents
    from booking_keyed
    inner join booked_cents on booking_keyed.booking_id = booked_cents.booking_id
),

{{ cents_by_largest_remainder('booked_pieces', ['billed_cost', 'effective_cost'], ['booking_id'], 'allocation_id',
    target_columns={'billed_cost': 'booked_billed_cost_cents', 'effective_cost': 'booked_effective_cost_cents'}) }},

-- The most specific internal rate that applies (more of its columns set), valid on the charge's day.
rated as (
    select
        allocation_id,
        markup_percent
    from (
        select
            cents.allocation_id,
            internal_rates.markup_percent,
            row_number() over (
                partition by cents.allocation_id
                -- A model is more specific than its tier; equally specific rates: the latest, then the lowest.
                order by
                    cast((internal_rates.provider_name is not null) as int)
                    + cast((internal_rates.model_tier is not null) as int)
                    + 2 * cast((internal_rates.model_id is not null) as int)
                    + cast((internal_rates.token_type is not null) as int)
                    + cast((internal_rates.cost_centre_id is not null) as int) desc,
                    internal_rates.valid_from desc,
                    internal_rates.markup_percent asc
            ) as specificity_rank
        from cents
        inner join internal_rates
            on
                (internal_rates.provider_name is null or cents.provider_name = internal_rates.provider_name)
                and (internal_rates.model_tier is null or cents.model_tier = internal_rates.model_tier)
                and (internal_rates.model_id is null or cents.model_id = internal_rates.model_id)
                and (
                    internal_rates.token_type is null
                    or internal_rates.token_type
                    = case when cents.token_type = 'reasoning' then 'output' else cents.token_type end
                )
                and (internal_rates.cost_centre_id is null or cents.cost_centre_id = internal_rates.cost_centre_id)
                and cents.charge_date >= internal_rates.valid_from
                and (internal_rates.valid_to is null or cents.charge_date < internal_rates.valid_to)
    ) as ranked_rates
    where specificity_rank = 1
),

priced as (
    select
        cents.*,
        cast(
            cents.effective_cost
            * (1 + cast(coalesce(rated.markup_percent, 0) as decimal(9, 4)) * cast(0.01 as decimal(3, 2)))
            as {{ money_type() }}
        ) as internal_price
    from cents
    left join rated on cents.allocation_id = rated.allocation_id
)

select {{ star_except(['booking_id', 'booked_billed_cost_cents', 'booked_effective_cost_cents']) }}
from priced
