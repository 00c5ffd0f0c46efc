{#-
    Every anomaly the rules find on the data as it stands, one row per rule, day and scope (the rules are
    int_anomalies_*; see rpt_cost_anomalies). Recomputed on every run; when each anomaly was first seen is
    kept by int_anomaly_detections.

    A table, built once per run: rpt_cost_anomalies, int_anomaly_detections and the tests read it (as a view,
    every reader recomputed every rule). A full table, not incremental: the rules' baselines (trailing
    averages, weekday seasonality, a model's first use) span months.
-#}

{{ config(materialized='table') }}

{%- set rules = [
    'int_anomalies_daily_spend_spike',
    'int_anomalies_request_cost_outlier',
    'int_anomalies_new_model_for_team',
    'int_anomalies_cache_hit_rate_drop',
    'int_anomalies_retry_rate_jump',
    'int_anomalies_seasonal_spend',
] %}

{%- for rule in rules %}
    select
        anomaly_id,
        rule,
        anomaly_date,
        team,
        nullif(application, '') as application,
        -- '' (charges that are not model usage) and null (a team-level rule) both read as no model
        nullif(model_id, '') as model_id,
        billing_currency,
        metric_name,
        cast(observed_value as decimal(38, 12)) as observed_value,
        cast(expected_value as decimal(38, 12)) as expected_value,
        cast(threshold as decimal(38, 12)) as threshold,
        cast(score as decimal(38, 12)) as score,
        severity,
        cast(cost_impact as {{ money_type() }}) as cost_impact,
        explanation,
        evidence
    from {{ ref(rule) }}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
