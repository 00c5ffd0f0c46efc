{#-
    When each anomaly was first detected: one row per anomaly id ever found, with the start of the dbt run
    that first found it. Append-only and never rebuilt (full_refresh=false: `dbt build --full-refresh`
    keeps it), so the time from an anomaly's day to its detection (MTTD, rpt_cost_anomalies) survives
    later runs, restated data and re-detections alike. A run adds only the ids not already here.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
    )
}}

with

anomalies as (
    -- the alias is used by the incremental filter only (sqlfluff lints the first-run rendering)
    select distinct anomaly_id from {{ ref('int_cost_anomalies') }} as current_anomalies  -- noqa: AL05
    {% if is_incremental() -%}
        where not exists (
            select 1 from {{ this }} as detected where detected.anomaly_id = current_anomalies.anomaly_id
        )
    {%- endif %}
)

select
    anomaly_id,
    {{ detection_timestamp() }} as first_detected_at
from anomalies
