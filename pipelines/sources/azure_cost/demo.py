"""Demo Azure Cost Management exports (MCA): actual (gzip CSV) and amortized (Parquet) with run manifests.

Azure OpenAI token meters per day, subscription and model, a provisioned-throughput (PTU) deployment partly
covered by a monthly PTU reservation (unused on the last two days), and an A100 VM.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import AZURE_BILLING_ACCOUNT, AZURE_SUBSCRIPTIONS
from pipelines.demo.world import DemoWorld

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


def write(world: DemoWorld) -> int:
    """Writes the actual and amortized exports under ``azure_cost/``; returns the actual-cost rows."""
    return write_azure(world.con, world.landing, world.start, world.end, world.seed, world.text_formats)
