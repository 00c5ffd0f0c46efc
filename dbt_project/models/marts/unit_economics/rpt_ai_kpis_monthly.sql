{#-
    The FinOps-for-AI KPIs per billing period, one row per KPI (and currency, for those measured in money),
    each with its numerator and denominator so it can be re-aggregated; definitions in
    int_ai_kpi_definitions. Unit costs divide by counts exactly (divide_money); ratios of money or hours go
    through DuckDB's decimal division.

    A full table: a few rows per period from monthly sums, and its anomaly KPIs count rpt_cost_anomalies,
    whose trailing baselines cross months; cheaper than tracking periods.
-#}

{#- (group, name, unit, source CTE, currency, numerator, denominator, scale, filter) -#}
{%- set kpis = [
    ('unit_cost', 'cost_per_inference', 'currency per inference', 'costs_and_calls', 'billing_currency',
        'ai_cost', 'inferences', 1, 'true'),
    ('unit_cost', 'cost_per_api_call', 'currency per API call', 'costs_and_calls', 'billing_currency',
        'request_cost', 'api_calls', 1, 'true'),
    ('unit_cost', 'cost_per_million_tokens', 'currency per million tokens', 'costs_and_calls', 'billing_currency',
        'request_cost', 'tokens', 1000000, 'true'),
    ('utilisation', 'gpu_utilisation', 'ratio', 'capacity', 'null',
        'used_hours', 'used_hours + idle_hours', 1, "capacity_kind = 'gpu'"),
    ('utilisation', 'ptu_utilisation', 'ratio', 'capacity', 'null',
        'used_hours', 'used_hours + idle_hours', 1, "capacity_kind = 'provisioned'"),
    ('utilisation', 'commitment_utilisation', 'ratio', 'costs_and_calls', 'billing_currency',
        'committed_used_cost', 'committed_used_cost + committed_unused_cost', 1, 'true'),
    ('savings', 'cache_savings', 'currency', 'savings', "'USD'", 'cache_savings', 'null', 1, 'true'),
    ('coverage', 'attribution_coverage', 'ratio', 'costs_and_calls', 'billing_currency',
        'attributed_ai_cost', 'ai_cost', 1, 'true'),
    ('coverage', 'ai_share_of_cloud_spend', 'ratio', 'costs_and_calls', 'billing_currency',
        'ai_cost', 'cloud_cost', 1, 'true'),
    ('anomalies', 'anomaly_count', 'anomalies', 'anomaly_stats', 'null', 'anomalies', 'null', 1, 'true'),
    ('anomalies', 'anomaly_detection_rate', 'ratio', 'anomaly_stats', 'null',
        'detected_in_time', 'live_anomalies', 1, 'true'),
    ('anomalies', 'mean_time_to_detect_hours', 'hours', 'anomaly_stats', 'null',
        'detection_lag_hours', 'lagged_anomalies', 1, 'true'),
] %}

with

costs as (
    select
        billing_period,
        billing_currency,
        sum(effective_cost) as cloud_cost,
        coalesce(sum(effective_cost) filter (where is_ai), 0) as ai_cost,
        coalesce(sum(effective_cost) filter (where is_ai and team <> 'Unallocated'), 0) as attributed_ai_cost,
        -- AI usage a commitment covered (not the purchase, not the unused part) vs the unused commitment
        coalesce(
            sum(effective_cost) filter (
                where
                is_ai and commitment_discount_id <> ''
                and allocation_kind not in ('commitment_purchase', 'unused_commitment')
                and allocation_category <> 'unused_commitment'
            ),
            0
        ) as committed_used_cost,
        coalesce(sum(effective_cost) filter (where is_ai and allocation_kind = 'unused_commitment'), 0)
            as committed_unused_cost
    from {{ ref('fct_ai_costs_allocated') }}
    group by all
),

calls as (
    select
        billing_period,
        billing_currency,
        count(*) as api_calls,
        count(*) filter (where is_success and not is_cache_hit) as inferences,
        sum(total_tokens) filter (where not is_cache_hit) as tokens,
        sum(allocated_cost) as request_cost
    from {{ ref('int_request_costs_allocated') }}
    group by all
),

costs_and_calls as (
    select
        costs.*,
        calls.api_calls,
        calls.inferences,
        calls.tokens,
        calls.request_cost
    from costs
    left join calls on costs.billing_period = calls.billing_period and costs.billing_currency = calls.billing_currency
),

-- list prices, and so cache savings, are in USD
savings as (
    select
        billing_period,
        sum(cache_savings) as cache_savings
    from {{ ref('int_request_costs_allocated') }}
    group by billing_period
),

capacity as (
    select * from {{ ref('int_capacity_hours_monthly') }}
),

-- Every period of the warehouse, so a month without anomalies shows 0 of them.
periods as (
    select billing_period from costs
    union
    select billing_period from calls
    union
    select billing_period from capacity
    union
    select {{ period_of('anomaly_date') }} as billing_period from {{ ref('rpt_cost_anomalies') }}
),

-- Detection speed only over anomalies caught live: a backfill (is_backfill_detection) found the rest late
-- by construction. In time: first detected within 24 hours of the end of the anomaly's day.
anomaly_stats as (
    select
        periods.billing_period,
        count(anomalies.anomaly_date) as anomalies,
        count(anomalies.anomaly_date) filter (where not anomalies.is_backfill_detection) as live_anomalies,
        count(anomalies.anomaly_date) filter (
            where not anomalies.is_backfill_detection and anomalies.detection_lag_hours <= 24
        ) as detected_in_time,
        sum(anomalies.detection_lag_hours) filter (where not anomalies.is_backfill_detection)
            as detection_lag_hours,
        count(anomalies.detection_lag_hours) filter (where not anomalies.is_backfill_detection)
            as lagged_anomalies
    from periods
    left join {{ ref('rpt_cost_anomalies') }} as anomalies
        on periods.billing_period = {{ period_of('anomalies.anomaly_date') }}
    group by periods.billing_period
),

kpis as (
    {%- for kpi_group, kpi_name, kpi_unit, source, currency, numerator, denominator, scale, filter in kpis %}
        select
            billing_period,
            '{{ kpi_group }}' as kpi_group,
            '{{ kpi_name }}' as kpi_name,
            cast({{ currency }} as string) as billing_currency,
            '{{ kpi_unit }}' as kpi_unit,
            cast({{ numerator }} as decimal(38, 12)) as numerator,
            cast({{ denominator }} as decimal(38, 12)) as denominator,
            {{ scale }} as scale
        from {{ source }}
        where {{ filter }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    kpis.billing_period,
    kpis.kpi_group,
    kpis.kpi_name,
    kpis.billing_currency,
    kpis.kpi_unit,
    cast(case
        when kpis.denominator is null then kpis.numerator
        when kpis.kpi_group = 'unit_cost'
            then {{ divide_money('kpis.numerator * kpis.scale', 'nullif(kpis.denominator, 0)') }}
        else {{ ratio('kpis.numerator', 'kpis.denominator') }}
    end as decimal(38, 12)) as kpi_value,
    kpis.numerator,
    kpis.denominator,
    definitions.description
    || case
        when kpis.kpi_group = 'anomalies' and kpis.denominator = 0
            then ' No anomaly of the period was detected live (none, or all found by a backfill): no value.'
        else ''
    end as description
from kpis
inner join {{ ref('int_ai_kpi_definitions') }} as definitions on kpis.kpi_name = definitions.kpi_name
