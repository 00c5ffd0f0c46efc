{#- Helpers of the controls marts (budgets and anomalies, models/marts/controls). -#}

{#-
    Severity of an anomaly from its score (how far the observation is from normal, in the rule's own unit):
    high only when the score reaches high_at AND the excess cost reaches anomaly_high_min_cost_impact, so a
    big relative jump on pennies is never high; medium from medium_at; low otherwise.
-#}
{% macro anomaly_severity(score, medium_at, high_at, cost_impact) -%}
    case
        when
            {{ score }} >= {{ high_at }}
            and {{ cost_impact }} >= {{ var('anomaly_high_min_cost_impact') }}
            then 'high'
        when {{ score }} >= {{ medium_at }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- Stable key of an anomaly: the same rule, day and scope give the same id on every run. -#}
{% macro anomaly_id(rule, anomaly_date, scope_columns) -%}
    md5(concat_ws(
        '|', '{{ rule }}', cast({{ anomaly_date }} as string)
        {%- for column in scope_columns %}, coalesce(cast({{ column }} as string), ''){% endfor %}
    ))
{%- endmacro %}

{#- When this run detected something: dbt's run start (UTC), a macro so unit tests can pin it. -#}
{% macro detection_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}

{#- Whole seconds from one timestamp to another. Dispatched to `<adapter>__seconds_between`. -#}
{% macro seconds_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('seconds_between', 'aicost')(start_at, end_at)) }}
{%- endmacro %}
{% macro default__seconds_between(start_at, end_at) -%}
    {{ timestamp_diff('second', start_at, end_at) }}
{%- endmacro %}
{% macro bigquery__seconds_between(start_at, end_at) -%}
    datetime_diff({{ end_at }}, {{ start_at }}, second)
{%- endmacro %}

{#- An amount as text with 2 decimals, for explanations and evidence. -#}
{% macro money_text(amount) -%}
    cast(cast(round({{ amount }}, 2) as decimal(38, 2)) as string)
{%- endmacro %}

{#- A ratio (0.25) as a percentage text with 1 decimal ('25.0%'), for explanations. -#}
{% macro percent_text(ratio) -%}
    cast(cast(round({{ ratio }} * 100, 1) as decimal(38, 1)) as string) || '%'
{%- endmacro %}
