{#-
    Cost anomalies: one row per rule, day and scope found on the current data, with its severity, a
    sentence explaining it, the evidence (requests, sessions, charges or contributors behind it) and when
    it was first detected. Rules (int_anomalies_*, thresholds in dbt_project.yml vars `anomaly_*`):
    daily_spend_spike, request_cost_outlier, new_model_for_team, cache_hit_rate_drop, retry_rate_jump and
    the robust weekday-aware seasonal_spend. first_detected_at comes from int_anomaly_detections, which
    keeps it across runs; detection_lag_hours is from the end of the anomaly's day (UTC) to then.

    is_backfill_detection: first detected more than `anomaly_backfill_after_hours` (48) after its day
    ended, i.e. by a run for which the day was already history (the warehouse's first build over months of
    data, a late backfill). A nightly run sees yesterday within about 26 hours, so such a lag measures when
    the warehouse was set up, not how fast anomalies are caught: MTTD and detection rate leave these out.
    is_new_in_latest_run: first detected by the run that built this table (what `aicost alerts` sends).
-#}

with

anomalies as (
    select * from {{ ref('int_cost_anomalies') }}
),

detections as (
    select * from {{ ref('int_anomaly_detections') }}
),

lags as (
    select
        anomalies.*,
        detections.first_detected_at,
        {{ seconds_between('cast(' ~ add_days('anomalies.anomaly_date', 1) ~ ' as timestamp)', 'detections.first_detected_at') }}
            as detection_lag_seconds
    from anomalies
    inner join detections on anomalies.anomaly_id = detections.anomaly_id
)

select
    anomaly_id,
    rule,
    anomaly_date,
    team,
    application,
    model_id,
    billing_currency,
    metric_name,
    observed_value,
    expected_value,
    threshold,
    score,
    severity,
    cost_impact,
    explanation,
    evidence,
    first_detected_at,
    {{ divide_money('cast(detection_lag_seconds as decimal(38, 12))', 3600) }} as detection_lag_hours,
    detection_lag_seconds > {{ var('anomaly_backfill_after_hours') }} * 3600 as is_backfill_detection,
    -- this mart is rebuilt by every run, so "first detected by the run that built it" is knowable here
    -- (aicost alerts sends only these: an anomaly alerts once, not again on every later run)
    first_detected_at = {{ detection_timestamp() }} as is_new_in_latest_run
from lags
