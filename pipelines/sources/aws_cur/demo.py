"""Demo CUR 2.0 delivery: every line item type, Bedrock token lines of the calls, GPU instances, non-AI services."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import ACCOUNTS, GPU_FLEETS, PAYER_ACCOUNT, TAX_RATE
from pipelines.demo.world import DemoWorld

OTHER_CUR_LINES_PER_SCALE = 15_000

CUR_EXPORT = "ai-cost-cur"

CUR_ROWS_PER_FILE = 2_000_000


def _write_cur(con: duckdb.DuckDBPyConnection, options: DemoWorld, start: datetime, end: datetime) -> int:
    seed = int(options.seed)
    hours = int((end - start).total_seconds() // 3600)
    n_other = max(500, int(OTHER_CUR_LINES_PER_SCALE * options.scale))
    gpu_values = ", ".join(
        f"('{team}', '{app}', '{itype}', '{prefix}', {rate}::DECIMAL(38, 12), {max(1, round(n * options.scale / 10))})"
        for team, app, itype, prefix, rate, n in GPU_FLEETS
    )
    accounts = ", ".join(f"('{a}', '{name}')" for a, name in ACCOUNTS.items())
    con.execute(
        f"""
        CREATE TABLE cur_usage AS
        WITH bedrock AS (
            SELECT date_trunc('hour', started_at) AS usage_start, account_id, principal, application, team,
                   environment, product_code, billing_name, model_id, cross_region,
                   unnest([
                     {{'suffix': 'input-tokens', 'tokens': input_tokens, 'price': price_input}},
                     {{'suffix': 'output-tokens', 'tokens': output_tokens, 'price': price_output}},
                     {{'suffix': 'cache-read-input-token-count', 'tokens': cache_read_tokens, 'price': price_cache_read}},
                     {{'suffix': 'cache-write-input-token-count', 'tokens': cache_write_tokens, 'price': price_cache_write}}
                   ]) AS t
            FROM billed_calls WHERE provider = 'bedrock'
        ), bedrock_lines AS (
            SELECT usage_start, account_id, product_code,
                   'USE1-' || billing_name || '-' || t.suffix || cross_region AS usage_type,
                   'InvokeModelInference' AS operation,
                   'arn:aws:bedrock:us-east-1:' || account_id || ':application-inference-profile/'
                       || coalesce(application, 'default') AS resource_id,
                   principal,
                   CASE WHEN team IS NULL THEN MAP {{}}::MAP(VARCHAR, VARCHAR)
                        ELSE MAP {{'user_team': team, 'user_application': application, 'user_environment': environment}}
                   END AS resource_tags,
                   sum(t.tokens)::DECIMAL(38, 12) AS usage_amount,
                   t.price / 1000000 AS rate,
                   'Tokens' AS pricing_unit,
                   'Machine Learning' AS product_family, NULL::VARCHAR AS instance_type,
                   billing_name || ' ' || replace(t.suffix, '-', ' ') AS description
            FROM bedrock WHERE t.tokens > 0
            GROUP BY ALL
        ), fleets(team, application, instance_type, prefix, rate, instances) AS (VALUES {gpu_values}),
        gpu_lines AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' + to_hours(h.range) AS usage_start,
                   '111100002222' AS account_id, 'AmazonEC2' AS product_code,
                   f.prefix || ':' || f.instance_type AS usage_type, 'RunInstances' AS operation,
                   'i-' || printf('%017x', hash({seed}, f.instance_type, i.range)) AS resource_id,
                   NULL::VARCHAR AS principal,
                   MAP {{'user_team': f.team, 'user_application': f.application, 'user_environment': 'prod'}}
                       AS resource_tags,
                   1::DECIMAL(38, 12) AS usage_amount, f.rate, 'Hrs' AS pricing_unit,
                   'Compute Instance' AS product_family, f.instance_type,
                   '$' || f.rate::VARCHAR || ' per ' || f.instance_type || ' ' || f.prefix || ' hour' AS description
            FROM fleets AS f, range(f.instances) AS i, range({hours}) AS h
            -- training fleets run in bursts (about one hour in four); spot inference runs all month
            WHERE f.prefix <> 'BoxUsage' OR hash({seed}, i.range, h.range // 6) % 4 = 0
        ), accounts(account_id, account_name) AS (VALUES {accounts}),
        other_lines AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' + to_hours((hash({seed}, r.range, 21) % {hours})::BIGINT)
                       AS usage_start,
                   (SELECT list(account_id ORDER BY account_id) FROM accounts)[(1 + hash({seed}, r.range, 22) % 4)::BIGINT]
                       AS account_id,
                   s.product_code, s.usage_type, s.operation,
                   s.resource_prefix || printf('%08x', hash({seed}, r.range, 23) % 5000) AS resource_id,
                   NULL::VARCHAR AS principal,
                   CASE WHEN hash({seed}, r.range, 24) % 3 = 0 THEN MAP {{}}::MAP(VARCHAR, VARCHAR)
                        ELSE MAP {{'user_team': 'platform', 'user_application': 'shared-infra',
                                   'user_environment': 'prod'}} END AS resource_tags,
                   round(0.01 + (hash({seed}, r.range, 25) % 100000) / 10000.0, 4)::DECIMAL(38, 12) AS usage_amount,
                   s.rate, s.pricing_unit, s.product_family, NULL::VARCHAR AS instance_type, s.description
            FROM range({n_other}) AS r
            JOIN (VALUES
                (0, 'AmazonS3', 'TimedStorage-ByteHrs', 'StandardStorage', 'arn:aws:s3:::bucket-',
                 0.000031944444::DECIMAL(38, 12), 'GB-Hours', 'Storage', 'S3 Standard storage'),
                (1, 'AmazonEC2', 'BoxUsage:m5.large', 'RunInstances', 'i-',
                 0.096::DECIMAL(38, 12), 'Hrs', 'Compute Instance', 'On Demand Linux m5.large Instance Hour'),
                (2, 'AWSLambda', 'Request', 'Invoke', 'arn:aws:lambda:us-east-1:fn-',
                 0.0000002::DECIMAL(38, 12), 'Requests', 'Serverless', 'Lambda requests'),
                (3, 'AmazonCloudWatch', 'CW:MetricMonitorUsage', 'MetricStorage', 'metric-',
                 0.000416666667::DECIMAL(38, 12), 'Metrics', 'Metric', 'CloudWatch metrics')
            ) AS s(k, product_code, usage_type, operation, resource_prefix, rate, pricing_unit, product_family,
                   description) ON s.k = hash({seed}, r.range, 26) % 4
        )
        SELECT *, round(usage_amount * rate, 10)::DECIMAL(38, 12) AS cost FROM (
            SELECT * FROM bedrock_lines UNION ALL SELECT * FROM gpu_lines UNION ALL SELECT * FROM other_lines
        )
        """
    )
    con.execute(
        f"""
        CREATE TABLE cur_lines AS
        WITH usage AS (
            -- EC2 m5.large is covered by a Compute Savings Plan (28% off) and the p5 training fleet by a
            -- reserved instance (40% off): AWS bills them at on-demand price and then negates or amortises.
            SELECT CASE usage_type WHEN 'BoxUsage:m5.large' THEN 'SavingsPlanCoveredUsage'
                                   WHEN 'BoxUsage:p5.48xlarge' THEN 'DiscountedUsage' ELSE 'Usage' END
                       AS line_item_type,
                   usage_start, usage_start + INTERVAL 1 HOUR AS usage_end,
                   account_id, product_code, usage_type, operation, resource_id, principal, resource_tags,
                   usage_amount, rate,
                   CASE WHEN usage_type = 'BoxUsage:p5.48xlarge' THEN 0::DECIMAL(38, 12) ELSE cost END AS cost,
                   pricing_unit, product_family, instance_type, description,
                   CASE WHEN usage_type = 'BoxUsage:m5.large' THEN round(cost * 0.72, 10)::DECIMAL(38, 12) END
                       AS sp_effective_cost,
                   CASE WHEN usage_type = 'BoxUsage:p5.48xlarge' THEN round(cost * 0.6, 10)::DECIMAL(38, 12) END
                       AS ri_effective_cost,
                   cost AS on_demand_cost
            FROM cur_usage
        ), month_line AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' AS usage_start, TIMESTAMPTZ '{end.isoformat()}' AS usage_end,
                   NULL::VARCHAR AS operation, NULL::VARCHAR AS resource_id, NULL::VARCHAR AS principal,
                   MAP {{}}::MAP(VARCHAR, VARCHAR) AS resource_tags, NULL::DECIMAL(38, 12) AS usage_amount,
                   NULL::DECIMAL(38, 12) AS rate, NULL::VARCHAR AS pricing_unit, NULL::VARCHAR AS product_family,
                   NULL::VARCHAR AS instance_type
        ), negation AS (
            SELECT 'SavingsPlanNegation', usage_start, usage_end, account_id, product_code, usage_type, operation,
                   resource_id, principal, resource_tags, usage_amount, rate, -cost, pricing_unit, product_family,
                   instance_type, 'SavingsPlanNegation used by AccountId : ' || account_id,
                   NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12)
            FROM usage WHERE line_item_type = 'SavingsPlanCoveredUsage'
        ), commitments AS (
            -- The monthly commitment fees, a little above what was used (the unused part stays a cost).
            SELECT 'SavingsPlanRecurringFee' AS line_item_type, m.usage_start, m.usage_end, u.account_id,
                   'ComputeSavingsPlans' AS product_code, 'ComputeSP:1yrNoUpfront' AS usage_type, m.operation,
                   'arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/demo-sp' AS resource_id, m.principal,
                   m.resource_tags, m.usage_amount, m.rate,
                   (round(sum(u.sp_effective_cost), 2) + 25)::DECIMAL(38, 12) AS cost, m.pricing_unit,
                   m.product_family, m.instance_type, '1 year No Upfront Compute Savings Plan' AS description,
                   sum(u.sp_effective_cost) AS used_commitment,
                   (round(sum(u.sp_effective_cost), 2) + 25 - sum(u.sp_effective_cost))::DECIMAL(38, 12)
                       AS unused_commitment
            FROM usage AS u, month_line AS m WHERE u.line_item_type = 'SavingsPlanCoveredUsage'
            GROUP BY ALL
            UNION ALL
            SELECT 'RIFee', m.usage_start, m.usage_end, u.account_id, 'AmazonEC2', 'HeavyUsage:p5.48xlarge',
                   'RunInstances', 'arn:aws:ec2:us-east-1:111100002222:reserved-instances/demo-ri', m.principal,
                   m.resource_tags, {hours}::DECIMAL(38, 12), m.rate,
                   (round(sum(u.ri_effective_cost), 2) + 100)::DECIMAL(38, 12), 'Hrs', m.product_family,
                   'p5.48xlarge', 'USD per p5.48xlarge reserved instance (1 year, no upfront)',
                   sum(u.ri_effective_cost),
                   (round(sum(u.ri_effective_cost), 2) + 100 - sum(u.ri_effective_cost))::DECIMAL(38, 12)
            FROM usage AS u, month_line AS m WHERE u.line_item_type = 'DiscountedUsage'
            GROUP BY ALL
        ), discounts AS (
            -- Enterprise discount (EDP) on Bedrock, a bundled discount on Lambda, an AWS Support fee, a
            -- capacity block purchased for a fine-tuning run, and a refund of a previous month's overcharge.
            SELECT 'EdpDiscount' AS line_item_type, m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'USE1-EdpDiscount' AS usage_type, m.operation, m.resource_id, m.principal, m.resource_tags,
                   m.usage_amount, m.rate, -round(sum(u.cost) * 0.03, 2)::DECIMAL(38, 12) AS cost,
                   m.pricing_unit, m.product_family, m.instance_type, 'Enterprise Program Discount' AS description
            FROM usage AS u, month_line AS m WHERE u.product_code LIKE 'AmazonBedrock%' GROUP BY ALL
            UNION ALL
            -- a private pricing agreement: 2% off S3 storage, as its own line like AWS writes it
            SELECT 'PrivateRateDiscount', m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'PrivateRateDiscount', m.operation, m.resource_id, m.principal, m.resource_tags, m.usage_amount,
                   m.rate, -round(sum(u.cost) * 0.02, 10)::DECIMAL(38, 12), m.pricing_unit, m.product_family,
                   m.instance_type, 'Private pricing discount'
            FROM usage AS u, month_line AS m WHERE u.product_code = 'AmazonS3'
            GROUP BY ALL
            UNION ALL
            SELECT 'BundledDiscount', m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'Lambda-FreeTier', m.operation, m.resource_id, m.principal, m.resource_tags, m.usage_amount,
                   m.rate, -least(sum(u.cost), 1.50)::DECIMAL(38, 12), m.pricing_unit, m.product_family,
                   m.instance_type, 'Lambda free tier bundled discount'
            FROM usage AS u, month_line AS m WHERE u.product_code = 'AWSLambda' GROUP BY ALL
            UNION ALL
            SELECT 'Fee', usage_start, usage_end, '444400005555', 'AWSSupportBusiness', 'Dollar', operation,
                   resource_id, principal, resource_tags, usage_amount, rate, 100::DECIMAL(38, 12), pricing_unit,
                   product_family, instance_type, 'AWS Support (Business)'
            FROM month_line
            UNION ALL
            SELECT 'Fee', usage_start, usage_end, '111100002222', 'AmazonEC2', 'CapacityBlockFee:p5.48xlarge',
                   'RunInstances:CapacityBlock', 'cr-0demo0capacity0block', principal,
                   MAP {{'user_team': 'data-science', 'user_application': 'fine-tuning', 'user_environment': 'prod'}},
                   48::DECIMAL(38, 12), 31.464::DECIMAL(38, 12), 1510.27::DECIMAL(38, 12), 'Hrs',
                   'Compute Instance', 'p5.48xlarge', 'Capacity Block for ML, p5.48xlarge, 48 hours'
            FROM month_line
            UNION ALL
            SELECT 'Refund', usage_start, usage_end, '111100002222', 'AmazonEC2', 'Refund', operation,
                   resource_id, principal, resource_tags, usage_amount, rate, -12.34::DECIMAL(38, 12),
                   pricing_unit, product_family, instance_type, 'Refund: duplicate charge in the previous month'
            FROM month_line
        ), tax AS (
            SELECT 'Tax', TIMESTAMPTZ '{start.isoformat()}', TIMESTAMPTZ '{end.isoformat()}', account_id,
                   product_code, 'Tax', NULL, NULL, NULL, MAP {{}}::MAP(VARCHAR, VARCHAR), 0::DECIMAL(38, 12),
                   NULL::DECIMAL(38, 12), round(sum(on_demand_cost) * {TAX_RATE}, 2)::DECIMAL(38, 12), NULL, NULL,
                   NULL, 'Tax for product code ' || product_code
            FROM usage GROUP BY account_id, product_code
        ), credit AS (
            -- A promotional credit covering part of the dev account's Bedrock spend.
            SELECT 'Credit', TIMESTAMPTZ '{start.isoformat()}', TIMESTAMPTZ '{end.isoformat()}', account_id,
                   product_code, 'USE1-Credit', NULL, NULL, NULL, MAP {{}}::MAP(VARCHAR, VARCHAR),
                   0::DECIMAL(38, 12), NULL::DECIMAL(38, 12), -round(sum(cost) * 0.4, 2)::DECIMAL(38, 12),
                   NULL, NULL, NULL, 'AWS Activate promotional credit'
            FROM usage WHERE account_id = '222200003333' AND product_code LIKE 'AmazonBedrock%'
            GROUP BY account_id, product_code
        ), accounts(account_id, account_name) AS (VALUES {accounts}),
        lines AS (
            SELECT * EXCLUDE (on_demand_cost), NULL::DECIMAL(38, 12) AS used_commitment,
                   NULL::DECIMAL(38, 12) AS unused_commitment
            FROM usage
            UNION ALL SELECT * FROM negation
            UNION ALL SELECT * EXCLUDE (used_commitment, unused_commitment), NULL, NULL, used_commitment,
                             unused_commitment FROM commitments
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM discounts
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM tax
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM credit
        )
        SELECT row_number() OVER (ORDER BY l.usage_start, l.line_item_type, l.account_id, l.usage_type,
                                          l.resource_id, l.principal, l.usage_amount, l.cost, l.description) AS n,
               l.*, a.account_name
        FROM lines AS l JOIN accounts AS a USING (account_id)
        """
    )
    return _export_cur(con, options, start, end)


# AWS Cost Categories the payer account defines: the two AI accounts form the "AI Platform" business unit.
_COST_CATEGORY = (
    "CASE WHEN account_id IN ('111100002222', '222200003333') THEN MAP {'business_unit': 'AI Platform'} "
    "ELSE MAP {}::MAP(VARCHAR, VARCHAR) END"
)


def _export_cur(con: duckdb.DuckDBPyConnection, options: DemoWorld, start: datetime, end: datetime) -> int:
    period = start.strftime("%Y-%m")
    invoice = f"{start:%Y%m}{options.seed:06d}"[-10:]
    text = options.text_formats
    ts = "strftime({col}, '%Y-%m-%dT%H:%M:%SZ')" if text else "{col}::TIMESTAMP"
    money = "CAST({col} AS VARCHAR)" if text else "CAST({col} AS DOUBLE)"
    json_map = "to_json({col})::VARCHAR" if text else "{col}"
    # The reserved p5.48xlarge costs 60% of on demand; its unused fee converts back to hours at that rate.
    ri_hourly = next(rate for _, _, itype, _, rate, _ in GPU_FLEETS if itype == "p5.48xlarge") * Decimal("0.6")
    select = f"""
        printf('%016x%016x', hash({int(options.seed)}, n, 31), hash({int(options.seed)}, n, 32)) AS identity_line_item_id,
        strftime(usage_start, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(usage_end, '%Y-%m-%dT%H:%M:%SZ')
            AS identity_time_interval,
        'Anniversary' AS bill_bill_type, 'AWS' AS bill_billing_entity,
        {ts.format(col=f"TIMESTAMPTZ '{start.isoformat()}'")} AS bill_billing_period_start_date,
        {ts.format(col=f"TIMESTAMPTZ '{end.isoformat()}'")} AS bill_billing_period_end_date,
        'EUINUS{invoice}' AS bill_invoice_id, 'Amazon Web Services, Inc.' AS bill_invoicing_entity,
        '{PAYER_ACCOUNT}' AS bill_payer_account_id, 'demo-org-payer' AS bill_payer_account_name,
        line_item_type AS line_item_line_item_type,
        account_id AS line_item_usage_account_id, account_name AS line_item_usage_account_name,
        {ts.format(col="usage_start")} AS line_item_usage_start_date,
        {ts.format(col="usage_end")} AS line_item_usage_end_date,
        product_code AS line_item_product_code, usage_type AS line_item_usage_type,
        operation AS line_item_operation, description AS line_item_line_item_description,
        resource_id AS line_item_resource_id,
        CASE WHEN line_item_type = 'Usage' THEN 'us-east-1a' END AS line_item_availability_zone,
        principal AS line_item_iam_principal, 'Amazon Web Services, Inc.' AS line_item_legal_entity,
        CASE WHEN line_item_type = 'Tax' THEN 'Sales Tax' END AS line_item_tax_type,
        {money.format(col="usage_amount")} AS line_item_usage_amount, 'USD' AS line_item_currency_code,
        {money.format(col="rate")} AS line_item_unblended_rate,
        {money.format(col="cost")} AS line_item_unblended_cost,
        {money.format(col="cost")} AS line_item_net_unblended_cost,
        {money.format(col="rate")} AS pricing_public_on_demand_rate,
        {money.format(col="CASE WHEN line_item_type = 'Usage' THEN cost END")} AS pricing_public_on_demand_cost,
        pricing_unit, CASE WHEN line_item_type = 'Usage' THEN 'OnDemand' END AS pricing_term,
        product_code AS product_servicecode, product_family AS product_product_family,
        instance_type AS product_instance_type, 'us-east-1' AS product_region_code,
        {money.format(col="ri_effective_cost")} AS reservation_effective_cost,
        CASE WHEN line_item_type IN ('DiscountedUsage', 'RIFee')
             THEN 'arn:aws:ec2:us-east-1:111100002222:reserved-instances/demo-ri' END AS reservation_reservation_a_r_n,
        CASE WHEN line_item_type LIKE 'SavingsPlan%'
             THEN 'arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/demo-sp' END AS savings_plan_savings_plan_a_r_n,
        {money.format(col="CASE WHEN line_item_type = 'RIFee' THEN unused_commitment END")}
            AS reservation_unused_recurring_fee,
        {money.format(col=f"CASE WHEN line_item_type = 'RIFee' THEN round(unused_commitment / {ri_hourly}, 6) END")}
            AS reservation_unused_quantity,
        {money.format(col="sp_effective_cost")} AS savings_plan_savings_plan_effective_cost,
        {money.format(col="used_commitment + unused_commitment")} AS savings_plan_total_commitment_to_date,
        {money.format(col="CASE WHEN line_item_type = 'SavingsPlanRecurringFee' THEN used_commitment END")}
            AS savings_plan_used_commitment,
        {json_map.format(col="MAP {'region': 'us-east-1', 'product_name': product_code}")} AS product,
        {json_map.format(col="resource_tags")} AS resource_tags,
        {json_map.format(col=_COST_CATEGORY)} AS cost_category
    """
    rows = con.execute("SELECT count(*) FROM cur_lines").fetchone()[0]
    base = options.landing / "aws_cur" / CUR_EXPORT
    data_dir = base / "data" / f"BILLING_PERIOD={period}"
    meta_dir = base / "metadata" / f"BILLING_PERIOD={period}"
    data_dir.mkdir(parents=True, exist_ok=True)
    meta_dir.mkdir(parents=True, exist_ok=True)
    n_files = max(1, -(-rows // CUR_ROWS_PER_FILE))
    names = []
    for k in range(n_files):
        name = f"{CUR_EXPORT}-{k + 1:05d}." + ("csv.gz" if text else "snappy.parquet")
        fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if text else "(FORMAT parquet, COMPRESSION snappy)"
        con.execute(
            f"COPY (SELECT {select} FROM cur_lines WHERE (n - 1) // {CUR_ROWS_PER_FILE} = {k} ORDER BY n) "
            f"TO '{data_dir / name}' {fmt}"
        )
        names.append(name)
    # Deterministic per (seed, scale, month, format): other data is another delivery of the period.
    fingerprint = f"{options.seed}:{options.scale}:{options.month}:{text}".encode()
    execution_id = str(uuid.UUID(bytes=hashlib.sha256(fingerprint).digest()[:16]))
    write_cur_manifest(meta_dir, period, start.date(), end.date(), execution_id, names, text)
    return rows


def write_cur_manifest(
    meta_dir: Path, period: str, start: date, end: date, execution_id: str, names: list[str], text: bool
) -> Path:
    """Writes a Data Exports manifest listing ``names`` as the delivery ``execution_id`` of ``period``.

    Args:
        meta_dir: ``<export>/metadata/BILLING_PERIOD=YYYY-MM`` folder.
        period: Billing period ``YYYY-MM``.
        start: First day of the period.
        end: First day after the period.
        execution_id: Delivery id; a new one makes the loader replace the period.
        names: Data file names of the delivery.
        text: Whether the data files are gzip CSV (else Parquet).

    Returns:
        The manifest path.
    """
    bucket_prefix = f"s3://demo-cur-bucket/cur/{CUR_EXPORT}/data/BILLING_PERIOD={period}"
    manifest = {
        "version": "1.0",
        "executionId": execution_id,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER_ACCOUNT}:export/{CUR_EXPORT}",
        "exportName": CUR_EXPORT,
        "billingPeriod": {"start": f"{start.isoformat()}T00:00:00.000Z", "end": f"{end.isoformat()}T00:00:00.000Z"},
        "dataFiles": [f"{bucket_prefix}/{n}" for n in names],
        "format": "TEXT_OR_CSV" if text else "PARQUET",
        "compression": "GZIP" if text else "PARQUET",
    }
    path = meta_dir / f"{CUR_EXPORT}-Manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def write(world: DemoWorld) -> int:
    """Writes the month's CUR delivery (data files and manifest) under ``aws_cur/``; returns its lines."""
    return _write_cur(world.con, world, world.start, world.end)
