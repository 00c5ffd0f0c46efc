"""Demo invoices of the two other clouds, consistent with the generated calls: Azure and GCP.

- Azure Cost Management (MCA): an actual-cost export (gzip CSV) and an amortized-cost export (Parquet) with
  run manifests; Azure OpenAI token meters per day, subscription and model, a provisioned-throughput (PTU)
  deployment partly covered by a monthly PTU reservation (unused on the last two days), and an A100 VM.
- GCP Cloud Billing export (JSON lines as BigQuery exports it): Vertex AI Gemini SKUs per hour and project,
  an A100 GPU VM, credits (a promotion, sustained use) and tax.
- The AWS FOCUS 1.2 export of a subsidiary's own AWS organisation (a payer account that delivers FOCUS, not
  CUR): daily Bedrock token charges and tax.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import AZURE_BILLING_ACCOUNT, AZURE_SUBSCRIPTIONS, GCP_BILLING_ACCOUNT, TAX_RATE

PTU_RESERVED = 15  # PTUs covered by the monthly reservation (the smallest global deployment)
PTU_ON_DEMAND = 5  # PTUs billed hourly on top
PTU_HOURLY = Decimal("1.00")
PTU_RESERVED_HOURLY = Decimal("0.70")
A100_VM_HOURLY = Decimal("27.197")


def write_azure(
    con: duckdb.DuckDBPyConnection, landing: Path, start: datetime, end: datetime, seed: int, text: bool
) -> int:
    """Writes the Azure actual and amortized exports of the month; returns the number of actual rows."""
    days = (end - start).days
    sub_ai, sub_ml = AZURE_SUBSCRIPTIONS["ai-prod"], AZURE_SUBSCRIPTIONS["ml-train"]
    con.execute(
        """
        CREATE TABLE azure_tokens AS
        WITH tokens AS (
            SELECT started_at::DATE AS day, workload_key AS subscription, team, application, billing_name,
                   model_id, is_batch,
                   unnest([
                     {'kind': 'Inp', 'cached': false, 'tokens': input_tokens + cache_write_tokens, 'price': price_input},
                     {'kind': 'Inp', 'cached': true, 'tokens': cache_read_tokens, 'price': price_cache_read},
                     {'kind': 'Outp', 'cached': false, 'tokens': output_tokens, 'price': price_output}
                   ]) AS t
            FROM billed_calls WHERE provider = 'azure'
        )
        SELECT day, subscription, team, application, model_id,
               -- the 1M-token meters of newer models, the 1K meters of older ones
               CASE WHEN billing_name LIKE 'GPT 5%' THEN 1000000 ELSE 1000 END AS block,
               CASE WHEN billing_name LIKE 'GPT 5%'
                    THEN billing_name || CASE WHEN t.cached THEN ' cached' ELSE '' END
                         || CASE WHEN is_batch THEN ' Batch' ELSE '' END
                         || CASE t.kind WHEN 'Inp' THEN ' Inpt' ELSE ' Outpt' END || ' DZone 1M Tokens'
                    ELSE CASE WHEN t.cached THEN replace(billing_name, '-', ' ') || ' cached' ELSE billing_name END
                         || CASE WHEN is_batch THEN ' Batch' ELSE '' END
                         || ' ' || t.kind || ' glbl Tokens'
               END AS meter_name,
               sum(t.tokens) AS tokens,
               any_value(t.price * CASE WHEN is_batch THEN 0.5 ELSE 1 END) AS price_per_million
        FROM tokens WHERE t.tokens > 0
        GROUP BY ALL
        """
    )
    con.execute(
        f"""
        CREATE TABLE azure_lines AS
        WITH meters AS (
            SELECT day, subscription AS subscription_id, 'rg-ai' AS resource_group,
                   '/subscriptions/' || subscription || '/resourceGroups/rg-ai/providers/'
                       || 'Microsoft.CognitiveServices/accounts/aoai-' || replace(model_id, '.', '-') AS resource_id,
                   'Microsoft.CognitiveServices' AS consumed_service, 'Cognitive Services' AS meter_category,
                   'Azure OpenAI' AS meter_subcategory, meter_name,
                   CASE block WHEN 1000 THEN '1K' ELSE '1M' END AS unit_of_measure,
                   (tokens::DECIMAL(38, 12) / block)::DECIMAL(38, 12) AS quantity,
                   (price_per_million * block / 1000000)::DECIMAL(38, 12) AS effective_price,
                   'Usage' AS charge_type, 'UsageBased' AS frequency, 'OnDemand' AS pricing_model,
                   NULL AS reservation_id, team, application, NULL AS service_type
            FROM azure_tokens
        ), month_days AS (
            SELECT (DATE '{start.date().isoformat()}' + to_days(range::INTEGER))::DATE AS day FROM range({days})
        ), ptu AS (
            SELECT day, '{sub_ai}', 'rg-ai',
                   '/subscriptions/{sub_ai}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/aoai-ptu',
                   'Microsoft.CognitiveServices', 'Cognitive Services', 'Azure OpenAI',
                   'Provisioned Managed Global Unit', '1 Hour', ({PTU_ON_DEMAND} * 24)::DECIMAL(38, 12),
                   {PTU_HOURLY}::DECIMAL(38, 12), 'Usage', 'UsageBased', 'OnDemand', NULL, 'support',
                   'support-assistant', NULL
            FROM month_days
        ), ptu_reserved AS (
            -- covered by the reservation: cost 0 in the actual export (the purchase carries it)
            SELECT day, '{sub_ai}', 'rg-ai',
                   '/subscriptions/{sub_ai}/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/aoai-ptu',
                   'Microsoft.CognitiveServices', 'Cognitive Services', 'Azure OpenAI',
                   'Provisioned Managed Global Unit', '1 Hour', ({PTU_RESERVED} * 24)::DECIMAL(38, 12),
                   0::DECIMAL(38, 12), 'Usage', 'UsageBased', 'Reservation', 'ptu-res-0001', 'support',
                   'support-assistant', NULL
            FROM month_days WHERE day < DATE '{(end - timedelta(days=2)).date().isoformat()}'
        ), gpu AS (
            SELECT day, '{sub_ml}', 'rg-gpu',
                   '/subscriptions/{sub_ml}/resourceGroups/rg-gpu/providers/Microsoft.Compute/virtualMachines/train-01',
                   'Microsoft.Compute', 'Virtual Machines', 'NDasrA100 v4 Series', 'ND96asr A100 v4', '1 Hour',
                   (4 + hash({seed}, day) % 12)::DECIMAL(38, 12), {A100_VM_HOURLY}::DECIMAL(38, 12), 'Usage',
                   'UsageBased', 'OnDemand', NULL, 'data-science', 'fine-tuning', 'Standard_ND96asr_v4'
            FROM month_days WHERE hash({seed}, day, 2) % 3 = 0
        ), purchase AS (
            SELECT DATE '{start.date().isoformat()}', '{sub_ai}', NULL, NULL, 'Microsoft.Capacity', 'Cognitive Services',
                   'Azure OpenAI', 'Provisioned Managed Global', '1 Hour', ({PTU_RESERVED} * 24 * {days})::DECIMAL(38, 12),
                   {PTU_RESERVED_HOURLY}::DECIMAL(38, 12), 'Purchase', 'OneTime', 'Reservation', 'ptu-res-0001',
                   NULL, NULL, NULL
        )
        SELECT *, round(quantity * effective_price, 10)::DECIMAL(38, 12) AS cost FROM (
            SELECT * FROM meters UNION ALL SELECT * FROM ptu UNION ALL SELECT * FROM ptu_reserved
            UNION ALL SELECT * FROM gpu UNION ALL SELECT * FROM purchase
        )
        """
    )
    # Amortized: the reservation's cost moves onto the PTU hours it covered, and the two idle days appear
    # as UnusedReservation; the purchase row itself is not in the amortized dataset.
    con.execute(
        f"""
        CREATE TABLE azure_amortized AS
        SELECT * REPLACE (
                   {PTU_RESERVED_HOURLY}::DECIMAL(38, 12) AS effective_price,
                   round(quantity * {PTU_RESERVED_HOURLY}, 10)::DECIMAL(38, 12) AS cost)
        FROM azure_lines WHERE pricing_model = 'Reservation' AND charge_type = 'Usage'
        UNION ALL
        SELECT * EXCLUDE (idle_day) REPLACE (
                   (DATE '{(end - timedelta(days=2)).date().isoformat()}' + to_days(idle_day::INTEGER))::DATE AS day,
                   'UnusedReservation' AS charge_type, 'UsageBased' AS frequency,
                   ({PTU_RESERVED} * 24)::DECIMAL(38, 12) AS quantity,
                   round({PTU_RESERVED} * 24 * {PTU_RESERVED_HOURLY}, 10)::DECIMAL(38, 12) AS cost)
        FROM (SELECT l.*, r.range AS idle_day FROM azure_lines AS l, range(2) AS r WHERE l.charge_type = 'Purchase')
        UNION ALL
        SELECT * FROM azure_lines WHERE pricing_model = 'OnDemand'
        """
    )
    period = f"{start:%Y%m%d}-{(end - timedelta(days=1)):%Y%m%d}"
    select = f"""
        'G{start:%Y%m}{seed:04d}' AS invoiceId, '{AZURE_BILLING_ACCOUNT}' AS billingAccountId,
        'Contoso Ltd' AS billingAccountName, 'BP-0001' AS billingProfileId,
        '{start:%Y-%m-%d}' AS billingPeriodStartDate, '{(end - timedelta(days=1)):%Y-%m-%d}' AS billingPeriodEndDate,
        strftime(day, '%Y-%m-%d') AS date, subscription_id AS SubscriptionId,
        CASE subscription_id WHEN '{sub_ai}' THEN 'ai-prod' ELSE 'ml-train' END AS subscriptionName,
        resource_group AS resourceGroupName, resource_id AS ResourceId, 'eastus2' AS resourceLocation,
        consumed_service AS consumedService, meter_category AS meterCategory,
        meter_subcategory AS meterSubCategory, md5(meter_name)[:8] AS meterId, meter_name AS meterName,
        meter_subcategory AS ProductName, unit_of_measure AS unitOfMeasure,
        {{num}}(quantity) AS quantity, {{num}}(effective_price) AS effectivePrice,
        {{num}}(effective_price) AS unitPrice, {{num}}(cost) AS costInBillingCurrency, 'USD' AS billingCurrency,
        charge_type AS chargeType, frequency, pricing_model AS pricingModel, reservation_id AS reservationId,
        CASE WHEN reservation_id IS NOT NULL THEN 'ptu-reservation' END AS reservationName,
        reservation_id AS benefitId,
        CASE WHEN team IS NOT NULL THEN to_json({{'team': team, 'application': application}})::VARCHAR END AS tags,
        CASE WHEN service_type IS NOT NULL THEN to_json({{'ServiceType': service_type, 'VMName': 'train-01'}})::VARCHAR
        END AS additionalInfo,
        'Microsoft' AS publisherName, 'Azure' AS publisherType
    """
    rows = 0
    for export, table, dataset, as_text in (
        ("contoso-actual", "azure_lines", "ActualCost", True),
        ("contoso-amortized", "azure_amortized", "AmortizedCost", text),
    ):
        run = f"{seed:08x}-0000-4000-8000-{start:%Y%m}0000000"[:36]
        folder = landing / "azure_cost" / export / period / run
        folder.mkdir(parents=True, exist_ok=True)
        name = "part_0_0001.csv.gz" if as_text else "part_0_0001.parquet"
        num = "CAST({} AS VARCHAR)" if as_text else "CAST({} AS DOUBLE)"
        body = select.replace("{num}(quantity)", num.format("quantity"))
        for column in ("effective_price", "cost"):
            body = body.replace(f"{{num}}({column})", num.format(column))
        fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if as_text else "(FORMAT parquet)"
        con.execute(f"COPY (SELECT {body} FROM {table} ORDER BY ALL) TO '{folder / name}' {fmt}")
        count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        manifest = {
            "manifestVersion": "2024-04-01",
            "dataRowCount": count,
            "exportConfig": {"exportName": export, "type": dataset, "dataVersion": "2023-12-01-preview"},
            "runInfo": {"runId": run, "submittedTime": f"{end:%Y-%m-%d}T02:00:00Z"},
            "blobs": [{"blobName": f"exports/{export}/{period}/{run}/{name}", "dataRowCount": count}],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        rows += count if dataset == "ActualCost" else 0
    return rows


GCP_SERVICES = {"vertex": ("C7E2-9256-1C43", "Vertex AI"), "compute": ("6F81-5844-456A", "Compute Engine")}
A100_GPU_HOURLY = Decimal("2.933908")
GCP_PROMOTION_SHARE = Decimal("0.1")


def write_gcp(con: duckdb.DuckDBPyConnection, landing: Path, start: datetime, end: datetime, seed: int) -> int:
    """Writes the month's GCP billing export as JSON lines (BigQuery's export shape); returns the rows."""
    month = f"{start:%Y%m}"
    con.execute(
        f"""
        CREATE TABLE gcp_lines AS
        WITH tokens AS (
            SELECT date_trunc('hour', started_at) AS usage_start, workload_key AS project, team, application,
                   billing_name, is_batch,
                   unnest([
                     {{'sku': ' GA Text Input', 'tokens': input_tokens + cache_write_tokens, 'price': price_input}},
                     {{'sku': ' GA Cached Text Input', 'tokens': cache_read_tokens, 'price': price_cache_read}},
                     {{'sku': ' GA Text Output', 'tokens': output_tokens, 'price': price_output}}
                   ]) AS t
            FROM billed_calls WHERE provider = 'vertex'
        ), vertex AS (
            SELECT usage_start, project, team, application, 'vertex' AS service,
                   billing_name || t.sku || CASE WHEN is_batch THEN ' - Batch Predictions' ELSE ' - Predictions' END
                       AS sku_description,
                   NULL AS machine_spec,
                   sum(t.tokens)::DECIMAL(38, 12) AS usage_amount, 'count' AS usage_unit,
                   sum(t.tokens)::DECIMAL(38, 12) AS pricing_amount, 'count' AS pricing_unit,
                   round(sum(t.tokens * t.price / 1000000 * CASE WHEN is_batch THEN 0.5 ELSE 1 END), 10)
                       ::DECIMAL(38, 12) AS cost
            FROM tokens WHERE t.tokens > 0
            GROUP BY ALL
        ), gpu AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' + to_hours(h.range) AS usage_start, 'ml-train-gcp', 'data-science',
                   'embedding-training', 'compute', 'Nvidia Tesla A100 GPU running in Americas', 'a2-highgpu-1g',
                   3600::DECIMAL(38, 12), 'seconds', 1::DECIMAL(38, 12), 'hour', {A100_GPU_HOURLY}::DECIMAL(38, 12)
            FROM range({int((end - start).total_seconds() // 3600)}) AS h
            WHERE hash({seed}, h.range // 8) % 3 = 0
        )
        SELECT * FROM vertex UNION ALL SELECT * FROM gpu
        """
    )
    out = landing / "gcp_billing" / "billing-export" / f"invoice_month={month}"
    out.mkdir(parents=True, exist_ok=True)
    rows = con.execute("SELECT * FROM gcp_lines ORDER BY usage_start, project, sku_description").fetchall()
    columns = [d[0] for d in con.description]
    export_time = f"{end:%Y-%m-%d} 04:00:00.000 UTC"
    lines = []
    totals = Decimal(0)
    for values in rows:
        r = dict(zip(columns, values, strict=True))
        credits = []
        if r["service"] == "vertex" and r["project"] == "growth-prod":
            credits.append(
                {
                    "name": "Vertex AI trial",
                    "amount": _number(-(r["cost"] * GCP_PROMOTION_SHARE).quantize(Decimal("1e-10"))),
                    "full_name": "Vertex AI trial promotion",
                    "id": "promo-vertex",
                    "type": "PROMOTION",
                }
            )
        if r["service"] == "compute":
            credits.append(
                {
                    "name": "Sustained usage discount",
                    "amount": _number(-(r["cost"] * Decimal("0.2")).quantize(Decimal("1e-10"))),
                    "full_name": "Sustained usage discount",
                    "id": "sud-a100",
                    "type": "SUSTAINED_USAGE_DISCOUNT",
                }
            )
        totals += r["cost"]
        lines.append(_gcp_record(r, month, export_time, credits))
    tax = (totals * TAX_RATE).quantize(Decimal("0.01"))
    lines.append(
        _gcp_record(
            {
                "usage_start": start,
                "project": "growth-prod",
                "team": None,
                "application": None,
                "service": "vertex",
                "sku_description": "Tax",
                "machine_spec": None,
                "usage_amount": Decimal(0),
                "usage_unit": "count",
                "pricing_amount": Decimal(0),
                "pricing_unit": "count",
                "cost": tax,
            },
            month,
            export_time,
            [],
            cost_type="tax",
            usage_end=end,
        )
    )
    path = out / "billing_export-000000000000.jsonl"
    path.write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def _gcp_record(
    r: dict,
    month: str,
    export_time: str,
    credits: list[dict],
    cost_type: str = "regular",
    usage_end: datetime | None = None,
) -> dict:
    service_id, service_description = GCP_SERVICES[r["service"]]
    start = r["usage_start"]
    labels = [{"key": k, "value": r[k]} for k in ("team", "application") if r.get(k)]
    system_labels = (
        [{"key": "compute.googleapis.com/machine_spec", "value": r["machine_spec"]}] if r.get("machine_spec") else []
    )
    return {
        "billing_account_id": GCP_BILLING_ACCOUNT,
        "invoice": {"month": month},
        "cost_type": cost_type,
        "service": {"id": service_id, "description": service_description},
        "sku": {"id": _sku_id(r["sku_description"]), "description": r["sku_description"]},
        "usage_start_time": start.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "usage_end_time": (usage_end or start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "project": {"id": r["project"], "name": r["project"], "labels": []},
        "labels": labels,
        "system_labels": system_labels,
        "location": {"location": "us-central1", "country": "US", "region": "us-central1", "zone": None},
        # JSON numbers with their exact decimal text (BigQuery writes FLOAT64 this way)
        "cost": _number(r["cost"]),
        "currency": "USD",
        "usage": {
            "amount": _number(r["usage_amount"]),
            "unit": r["usage_unit"],
            "amount_in_pricing_units": _number(r["pricing_amount"]),
            "pricing_unit": r["pricing_unit"],
        },
        "credits": credits,
        "export_time": export_time,
    }


def _number(value: Decimal) -> float:
    # Demo amounts have at most 10 decimal places, which a float's shortest repr writes back exactly.
    return float(value)


def _sku_id(description: str) -> str:
    """A stable SKU id in GCP's XXXX-XXXX-XXXX shape."""
    digest = hashlib.sha256(description.encode()).hexdigest().upper()
    return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


SUBSIDIARY_PAYER = "555500006666"
SUBSIDIARY_ACCOUNT = "555500007777"


def write_aws_focus(landing: Path, start: datetime, end: datetime, seed: int) -> int:
    """Writes the AWS FOCUS 1.2 export of a subsidiary's own AWS organisation.

    Its payer account delivers FOCUS rather than CUR: daily Bedrock token charges of a search team in Europe,
    and tax.

    Returns:
        Rows written.
    """
    period = f"{start:%Y-%m}"
    day_count = (end - start).days
    rows = []
    for day in range(day_count):
        charge_start = start + timedelta(days=day)
        for kind, tokens, price in (
            ("input-tokens", 2_000_000 + (hash((seed, day, 1)) % 500_000), Decimal("3.00")),
            ("output-tokens", 300_000 + (hash((seed, day, 2)) % 100_000), Decimal("15.00")),
        ):
            cost = (Decimal(tokens) * price / 1_000_000).quantize(Decimal("1e-10"))
            rows.append(
                _focus_row(start, end, charge_start, charge_start + timedelta(days=1), kind, tokens, price, cost)
            )
    subtotal = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    tax = (subtotal * Decimal("0.19")).quantize(Decimal("0.01"))
    rows.append(_focus_row(start, end, start, end, "tax", None, None, tax))
    folder = landing / "aws_focus" / "subsidiary-focus" / "data" / f"BILLING_PERIOD={period}"
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0])
    with (folder / "subsidiary-focus-00001.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _focus_row(
    start: datetime,
    end: datetime,
    charge_start: datetime,
    charge_end: datetime,
    kind: str,
    tokens: int | None,
    price: Decimal | None,
    cost: Decimal,
) -> dict[str, object]:
    usage = kind != "tax"
    usage_type = f"EUC1-Claude4.6Sonnet-{kind}" if usage else ""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "BillingAccountId": SUBSIDIARY_PAYER,
        "BillingAccountName": "subsidiary-payer",
        "BillingCurrency": "USD",
        "BillingPeriodStart": start.strftime(iso),
        "BillingPeriodEnd": end.strftime(iso),
        "ChargePeriodStart": charge_start.strftime(iso),
        "ChargePeriodEnd": charge_end.strftime(iso),
        "ChargeCategory": "Usage" if usage else "Tax",
        "ChargeFrequency": "Usage-Based" if usage else "One-Time",
        "ChargeDescription": f"Claude 4.6 Sonnet {kind.replace('-', ' ')}" if usage else "Tax",
        "BilledCost": str(cost),
        "EffectiveCost": str(cost),
        "ListCost": str(cost),
        "ContractedCost": str(cost),
        "ListUnitPrice": str(price / 1_000_000) if price is not None else "",
        "ContractedUnitPrice": str(price / 1_000_000) if price is not None else "",
        "PricingCategory": "Standard" if usage else "",
        "PricingQuantity": str(tokens) if usage else "",
        "PricingUnit": "Tokens" if usage else "",
        "ConsumedQuantity": str(tokens) if usage else "",
        "ConsumedUnit": "Tokens" if usage else "",
        "ProviderName": "Amazon Web Services",
        "PublisherName": "Amazon Web Services",
        "InvoiceIssuerName": "Amazon Web Services",
        "InvoiceId": f"EUINDE{start:%Y%m}0001",
        "ServiceName": "Amazon Bedrock",
        "ServiceCategory": "AI and Machine Learning",
        "ServiceSubcategory": "Generative AI",
        "SubAccountId": SUBSIDIARY_ACCOUNT,
        "SubAccountName": "subsidiary-search",
        "RegionId": "eu-central-1" if usage else "",
        "RegionName": "Europe (Frankfurt)" if usage else "",
        "SkuId": f"AmazonBedrockService:{usage_type}" if usage else "",
        "SkuMeter": usage_type,
        "SkuPriceId": f"AmazonBedrockService:{usage_type}" if usage else "",
        "Tags": json.dumps({"user_team": "search", "user_application": "eu-search"}) if usage else "",
        "x_ServiceCode": "AmazonBedrockService",
        "x_UsageType": usage_type,
    }
