{#-
    Exact allocation: the cost of each charge group split across its targets in proportion to integer
    weights, to the last of the twelve decimal places, so that the pieces add up to the group exactly.

    Each amount is taken as an integer number of 1e-12 units; every target receives the floor of its
    proportional share, and the units still missing (fewer than the number of targets) go one each to the
    targets with the largest remainders, ties broken by the target key, so the result is deterministic.
    Negative amounts (credits, refunds) are split by their magnitude and keep their sign.
-#}
{% macro allocate_exactly(groups, weights, target_columns, amounts=none) -%}
    {{ return(adapter.dispatch('allocate_exactly', 'aicost')(
        groups, weights, target_columns, amounts or allocated_amounts()
    )) }}
{%- endmacro %}

{#- What every allocation pass splits: both cost bases, the list cost and the invoiced quantity of tokens. -#}
{% macro allocated_amounts() -%}
    {{ return(['billed_cost', 'effective_cost', 'list_cost', 'token_count']) }}
{%- endmacro %}

{% macro default__allocate_exactly(groups, weights, target_columns, amounts) -%}
    select
        shares.charge_group_id,
        {%- for column in target_columns %}
        shares.{{ column }},
        {%- endfor %}
        shares.target_key
        {%- for amount in amounts %},
        {{ units_to_money(
            "shares." ~ amount ~ "_sign * (shares." ~ amount ~ "_floor"
            ~ " + case when shares." ~ amount ~ "_rank <= shares." ~ amount ~ "_missing then 1 else 0 end)"
        ) }} as {{ amount }}
        {%- endfor %}
    from (
        select
            floors.*
            {%- for amount in amounts %},
            abs(floors.{{ amount }}_units)
            - sum(floors.{{ amount }}_floor) over (partition by floors.charge_group_id) as {{ amount }}_missing,
            row_number() over (
                partition by floors.charge_group_id order by floors.{{ amount }}_remainder desc, floors.target_key
            ) as {{ amount }}_rank
            {%- endfor %}
        from (
            select
                units.*
                {%- for amount in amounts %},
                case when units.{{ amount }}_units < 0 then -1 else 1 end as {{ amount }}_sign,
                {{ int_div('abs(units.' ~ amount ~ '_units) * units.weight', 'units.total_weight') }} as {{ amount }}_floor,
                abs(units.{{ amount }}_units) * units.weight % units.total_weight as {{ amount }}_remainder
                {%- endfor %}
            from (
                select
                    weighted.*,
                    {%- for amount in amounts %}
                    {{ money_to_units('coalesce(allocated_groups.' ~ amount ~ ', 0)') }} as {{ amount }}_units,
                    {%- endfor %}
                    sum(weighted.weight) over (partition by weighted.charge_group_id) as total_weight
                from {{ weights }} as weighted
                inner join {{ groups }} as allocated_groups
                    on weighted.charge_group_id = allocated_groups.charge_group_id
                where weighted.weight > 0
            ) as units
        ) as floors
    ) as shares
{%- endmacro %}

{#- An amount of money as an integer number of 1e-12 units (exact: money has twelve decimal places). -#}
{% macro money_to_units(column) -%}
    {{ return(adapter.dispatch('money_to_units', 'aicost')(column)) }}
{%- endmacro %}
{% macro default__money_to_units(column) -%}cast({{ column }} * 1000000000000 as {{ big_int_type() }}){%- endmacro %}

{#- An integer number of 1e-12 units as money. Multiplying keeps DuckDB in DECIMAL (dividing would not). -#}
{% macro units_to_money(expression) -%}
    {{ return(adapter.dispatch('units_to_money', 'aicost')(expression)) }}
{%- endmacro %}
{% macro default__units_to_money(expression) -%}
    cast(cast({{ expression }} as decimal(38, 0)) * cast(0.000000000001 as decimal(13, 12)) as {{ money_type() }})
{%- endmacro %}
{#-
    Spark: decimal(38, 0) x decimal(13, 12) overflows the precision and would drop scale; money below 1e14
    fits decimal(38, 12) in units, and dividing that by 10^12 keeps scale 12 exactly.
-#}
{% macro spark__units_to_money(expression) -%}
    cast(cast({{ expression }} as decimal(38, 12)) / 1000000000000 as {{ money_type() }})
{%- endmacro %}

{#- An allocation weight (a non-negative quantity) as an integer, to one millionth of its unit. -#}
{% macro allocation_weight(expression) -%}
    {{ return(adapter.dispatch('allocation_weight', 'aicost')(expression)) }}
{%- endmacro %}
{% macro default__allocation_weight(expression) -%}
    cast(round(greatest({{ expression }}, 0) * 1000000) as {{ big_int_type() }})
{%- endmacro %}

{#-
    A CTE (`name`, default `cents`) over `relation` adding `<amount>_cents` (DECIMAL(38, 2)) for each amount
    column, rounded by the largest-remainder rule within each partition: every amount is floored to the
    cent, and the cents missing to reach the partition's target go one each to the rows with the largest
    remainders (ties: `order_column`). The target is the partition's exact total rounded to the cent (half
    away from zero), or, with `target_columns` ({amount: column}), the cents that column holds on the
    partition's rows (to share out cents already rounded at a coarser grain).
-#}
{% macro cents_by_largest_remainder(
    relation, amount_columns, partition_columns, order_column, name='cents', target_columns=none
) -%}
    {%- set partition = partition_columns | join(', ') -%}
    {{ name }} as (
        select
            {{ relation }}.*
            {%- for amount in amount_columns %},
            cast(
                cast(
                    {{ amount }}_rounding.floor_cents
                    + case when {{ amount }}_rounding.cent_rank <= {{ amount }}_rounding.missing_cents then 1 else 0 end
                    as decimal(38, 0)
                ) * cast(0.01 as decimal(3, 2)) as decimal(38, 2)
            ) as {{ amount }}_cents
            {%- endfor %}
        from {{ relation }}
        {%- for amount in amount_columns %}
        inner join (
            select
                {{ order_column }},
                floor_cents,
                target_cents - sum(floor_cents) over (partition by {{ partition }}) as missing_cents,
                row_number() over (
                    partition by {{ partition }} order by remainder desc, {{ order_column }}
                ) as cent_rank
            from (
                select
                    {{ order_column }},
                    {{ partition }},
                    {{ floor_divide('units', 10000000000) }} as floor_cents,
                    units - {{ floor_divide('units', 10000000000) }} * 10000000000 as remainder,
                    {%- if target_columns %}
                    max(cast({{ target_columns[amount] }} * 100 as {{ big_int_type() }})) over (partition by {{ partition }})
                    {%- else %}
                    {{ round_half_away_divide('sum(units) over (partition by ' ~ partition ~ ')', 10000000000) }}
                    {%- endif %}
                        as target_cents
                from (
                    select
                        {{ order_column }},
                        {{ partition }},
                        {%- if target_columns %}
                        {{ target_columns[amount] }},
                        {%- endif %}
                        {{ money_to_units(amount) }} as units
                    from {{ relation }}
                ) as amount_units
            ) as floored
        ) as {{ amount }}_rounding
            on {{ relation }}.{{ order_column }} = {{ amount }}_rounding.{{ order_column }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Integer division rounding toward minus infinity (SQL's integer division truncates toward zero). -#}
{% macro floor_divide(numerator, denominator) -%}
    (case
        when {{ numerator }} >= 0 then {{ int_div(numerator, denominator) }}
        else -{{ int_div('-(' ~ numerator ~ ') + ' ~ denominator ~ ' - 1', denominator) }}
    end)
{%- endmacro %}

{#- Integer division rounding to the nearest integer, halves away from zero. -#}
{% macro round_half_away_divide(numerator, denominator) -%}
    (case
        when {{ numerator }} >= 0 then {{ int_div(numerator ~ ' + ' ~ int_div(denominator, 2), denominator) }}
        else -{{ int_div('-(' ~ numerator ~ ') + ' ~ int_div(denominator, 2), denominator) }}
    end)
{%- endmacro %}

{#-
    Weights sending each charge group with nothing to follow whole to the bill's own owner (or
    `Unallocated`): the fallback of every allocation pass. `unless_in` is a SELECT of the group ids that
    have weights of their own.
-#}
{% macro bill_owner_weights(groups, unless_in) -%}
    select
        charge_group_id,
        bill_team as team,
        bill_application as application,
        bill_environment as environment,
        bill_cost_centre_id as cost_centre_id,
        '' as customer_id,
        '' as feature,
        case when bill_team = 'Unallocated' then 'unallocated' else 'bill_keys' end as allocated_method_id,
        '' as allocated_resource_id,
        is_ai,
        cast(1 as {{ big_int_type() }}) as weight
    from {{ groups }}
    where charge_group_id not in ({{ unless_in }})
{%- endmacro %}

{#-
    The allocation layer's two row shapes, named once: a weight (a charge group's target and its weight)
    and an allocated piece (a target and its exact amounts). Relations of one shape are unioned by these
    lists, so the union lines columns up by name on every engine (Spark has no UNION BY NAME).
-#}
{% macro allocation_target_columns() -%}
    {{ return(['team', 'application', 'environment', 'cost_centre_id', 'customer_id', 'feature',
        'allocated_method_id', 'allocated_resource_id', 'is_ai']) }}
{%- endmacro %}
{% macro allocation_weight_columns() -%}
    {{ return(['charge_group_id'] + allocation_target_columns() + ['weight']) }}
{%- endmacro %}
{% macro allocation_piece_columns() -%}
    {{ return(['charge_group_id'] + allocation_target_columns() + ['target_key'] + allocated_amounts()) }}
{%- endmacro %}

{#- `select <columns> from r1 union all select <columns> from r2 ...` (relations or CTE names). -#}
{% macro union_all_columns(relations, columns) -%}
    {%- for relation in relations %}
    select {{ columns | join(', ') }} from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
