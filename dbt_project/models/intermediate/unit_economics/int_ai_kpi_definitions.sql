{#- What each KPI of rpt_ai_kpis_monthly measures: one row per KPI, its description a sentence for the reader. -#}

{%- set definitions = [
    ('cost_per_inference', 'All allocated AI cost (fct_ai_costs_allocated, effective, idle capacity and GPUs included) per successful LLM request that reached a model (gateway cache hits excluded): the fully loaded cost of an inference.'),
    ('cost_per_api_call', 'Allocated AI cost carried by requests (int_request_costs_allocated) per LLM API call, failed calls and gateway cache hits included.'),
    ('cost_per_million_tokens', 'Allocated AI cost carried by requests per million tokens they used (gateway cache hits excluded); provisioned capacity is counted against the tokens it served.'),
    ('gpu_utilisation', 'GPU-hours workloads held on GPU instances / all GPU-hours of the instances (held + Idle), from the allocation weights.'),
    ('commitment_utilisation', 'AI usage cost covered by commitments (savings plans, reservations, PTU reservations) / that cost plus the unused commitment cost.'),
    ('ptu_utilisation', 'Hours provisioned throughput served requests / all hours it was provisioned (served + Idle), from the allocation weights.'),
    ('cache_savings', 'What prompt-cache reads saved at list prices: cache-read tokens x (input price - cache-read price), in USD (the price catalogue''s currency).'),
    ('attribution_coverage', 'Share of the AI cost allocated to a team (not Unallocated; Idle counts as attributed to the capacity owner).'),
    ('ai_share_of_cloud_spend', 'AI effective cost / all effective cost of the bills (AI and non-AI).'),
    ('anomaly_count', 'Anomalies of rpt_cost_anomalies on days of the period (all rules and severities; 0 when none).'),
    ('anomaly_detection_rate', 'Share of the anomalies detected live (not is_backfill_detection) first detected within 24 hours of the end of their day (detection_lag_hours <= 24); anomalies a backfill found are left out, as their lag measures when the data was loaded.'),
    ('mean_time_to_detect_hours', 'Mean detection_lag_hours (rpt_cost_anomalies: from the end of the anomaly''s day to its first detection) of the anomalies detected live (not is_backfill_detection).'),
] %}

{% for name, description in definitions %}
    select
        '{{ name }}' as kpi_name,
        '{{ description }}' as description
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
