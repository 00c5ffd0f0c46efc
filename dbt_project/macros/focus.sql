{#-
    A provider's unit spelled the way FOCUS UnitFormat asks: `GB-Mo` -> `GB-Months`, `Obj-Month` ->
    `Obj-Months`, `Hrs` -> `Hours`. Other units pass through unchanged.
-#}
{% macro focus_unit(column) -%}
    case
        when {{ column }} in ('Hrs', 'Hour', 'hrs') then 'Hours'
        else regexp_replace(regexp_replace({{ column }}, '-(Mo|Month|Mos)$', '-Months'), '-(Hrs|Hour)$', '-Hours')
    end
{%- endmacro %}
