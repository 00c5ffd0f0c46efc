-- Every anomaly the rules find today reaches rpt_cost_anomalies with a first detection no later than this
-- run: int_anomaly_detections has appended every new id, and kept none in the future.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_cost_anomalies'}}}) }}
select anomalies.anomaly_id
from {{ ref('int_cost_anomalies') }} as anomalies
left join {{ ref('rpt_cost_anomalies') }} as reported on anomalies.anomaly_id = reported.anomaly_id
where reported.anomaly_id is null or reported.first_detected_at > {{ detection_timestamp() }}
