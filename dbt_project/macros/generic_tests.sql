{#- Generic tests written here because dbt packages cannot be installed offline. -#}

{#- Fails for every row where the expression is not true. -#}
{% test expression_is_true(model, expression, where=none) %}
select * from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where %} and ({{ where }}){% endif %}
{% endtest %}

{#- Fails for every duplicated combination of the columns. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Fails when a numeric column is outside [min_value, max_value] (either bound optional). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select * from {{ model }}
where {{ column_name }} is not null and (
    false
    {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
)
{% endtest %}

{#-
    Fails for every row whose validity range [valid_from, valid_to) overlaps the previous range of the same
    key (ranges ordered by start; a null valid_to is open-ended): on any day at most one row of a key applies.
    Comparing each range with the one before it is enough: if any two ranges of a key overlap, two that are
    next to each other in start order do.
-#}
{% test validity_ranges_do_not_overlap(model, partition_by, valid_from='valid_from', valid_to='valid_to') %}
with ranges as (
    select
        {{ partition_by | join(', ') }},
        {{ valid_from }} as range_start,
        {{ valid_to }} as range_end,
        lag({{ valid_from }}) over (
            partition by {{ partition_by | join(', ') }} order by {{ valid_from }}, {{ valid_to }}
        ) as previous_start,
        lag({{ valid_to }}) over (
            partition by {{ partition_by | join(', ') }} order by {{ valid_from }}, {{ valid_to }}
        ) as previous_end
    from {{ model }}
)

select * from ranges
where previous_start is not null and (previous_end is null or previous_end > range_start)
{% endtest %}
