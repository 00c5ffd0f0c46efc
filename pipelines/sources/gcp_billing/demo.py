"""Demo GCP Cloud Billing export (JSON lines as BigQuery exports it).

Vertex AI Gemini SKUs per hour and project, an A100 GPU VM, credits (a promotion, sustained use) and tax.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import GCP_BILLING_ACCOUNT, TAX_RATE
from pipelines.demo.world import DemoWorld

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


def write(world: DemoWorld) -> int:
    """Writes the month's export under ``gcp_billing/``; returns its rows."""
    return write_gcp(world.con, world.landing, world.start, world.end, world.seed)
