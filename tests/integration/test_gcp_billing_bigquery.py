"""GCP billing from BigQuery, against a local BigQuery API emulator (bqemulator) started by the test.

The production code path (google-cloud-bigquery, whole invoice months, export_time watermark) is unchanged;
only the endpoint differs. The emulator runs from its own virtualenv (`make tools` installs it).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from orchestration.run import run_pipeline
from pipelines.config import PROJECT_ROOT, Settings
from pipelines.reconcile import conservation_report
from pipelines.warehouse import connect
from tests.conftest import FIXTURES, free_port

EMULATOR = PROJECT_ROOT / ".venv-bqemu" / "bin" / "bqemulator"
PROJECT = "test-proj"
TABLE = f"{PROJECT}.billing.gcp_billing_export_v1_0A1B2C_3D4E5F_678901"
ROWS = FIXTURES / "gcp_billing" / "valid" / "billing_export_202610.jsonl"
NET = Decimal("29.0246") - Decimal("9.813940000001")

KV = [bigquery.SchemaField("key", "STRING"), bigquery.SchemaField("value", "STRING")]
SCHEMA = [
    bigquery.SchemaField("billing_account_id", "STRING"),
    bigquery.SchemaField("invoice", "RECORD", fields=[bigquery.SchemaField("month", "STRING")]),
    bigquery.SchemaField("cost_type", "STRING"),
    bigquery.SchemaField(
        "service",
        "RECORD",
        fields=[bigquery.SchemaField("id", "STRING"), bigquery.SchemaField("description", "STRING")],
    ),
    bigquery.SchemaField(
        "sku", "RECORD", fields=[bigquery.SchemaField("id", "STRING"), bigquery.SchemaField("description", "STRING")]
    ),
    bigquery.SchemaField("usage_start_time", "TIMESTAMP"),
    bigquery.SchemaField("usage_end_time", "TIMESTAMP"),
    bigquery.SchemaField(
        "project",
        "RECORD",
        fields=[
            bigquery.SchemaField("id", "STRING"),
            bigquery.SchemaField("number", "STRING"),
            bigquery.SchemaField("name", "STRING"),
            bigquery.SchemaField("labels", "RECORD", mode="REPEATED", fields=KV),
        ],
    ),
    bigquery.SchemaField("labels", "RECORD", mode="REPEATED", fields=KV),
    bigquery.SchemaField("system_labels", "RECORD", mode="REPEATED", fields=KV),
    bigquery.SchemaField(
        "location",
        "RECORD",
        fields=[bigquery.SchemaField(n, "STRING") for n in ("location", "country", "region", "zone")],
    ),
    bigquery.SchemaField("cost", "FLOAT"),
    bigquery.SchemaField("currency", "STRING"),
    bigquery.SchemaField("currency_conversion_rate", "FLOAT"),
    bigquery.SchemaField(
        "usage",
        "RECORD",
        fields=[
            bigquery.SchemaField("amount", "FLOAT"),
            bigquery.SchemaField("unit", "STRING"),
            bigquery.SchemaField("amount_in_pricing_units", "FLOAT"),
            bigquery.SchemaField("pricing_unit", "STRING"),
        ],
    ),
    bigquery.SchemaField(
        "credits",
        "RECORD",
        mode="REPEATED",
        fields=[
            bigquery.SchemaField("name", "STRING"),
            bigquery.SchemaField("amount", "FLOAT"),
            bigquery.SchemaField("full_name", "STRING"),
            bigquery.SchemaField("id", "STRING"),
            bigquery.SchemaField("type", "STRING"),
        ],
    ),
    bigquery.SchemaField("export_time", "TIMESTAMP"),
    bigquery.SchemaField("cost_at_list", "FLOAT"),
]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert EMULATOR.exists(), "the BigQuery emulator is not installed: run `make tools`"
    rest, grpc = free_port(), free_port()
    log = tmp_path_factory.mktemp("bqemu") / "emulator.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(EMULATOR), "start", "--rest-port", str(rest), "--grpc-port", str(grpc), "--project", PROJECT],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", rest)) == 0:
                    break
            assert process.poll() is None, log.read_text()[-2000:]
            time.sleep(0.2)
        else:
            pytest.fail(f"the BigQuery emulator did not start: {log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{rest}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _client(endpoint: str) -> bigquery.Client:
    return bigquery.Client(
        project=PROJECT, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint)
    )


def _rows(export_time: str, cost_factor: str = "1") -> list[dict]:
    rows = []
    for line in ROWS.read_text().splitlines():
        row = json.loads(line)
        row["export_time"] = export_time
        row["cost"] = float(Decimal(str(row["cost"])) * Decimal(cost_factor))
        for key in ("usage_start_time", "usage_end_time", "export_time"):
            row[key] = row[key].replace(" UTC", "+00:00")
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def billing_table(emulator: str) -> str:
    client = _client(emulator)
    client.create_dataset("billing", exists_ok=True)
    client.create_table(bigquery.Table(TABLE, schema=SCHEMA), exists_ok=True)
    errors = client.insert_rows_json(TABLE, _rows("2026-11-02 09:00:00+00:00"))
    assert errors == []
    return TABLE


def _settings(root: Path, endpoint: str) -> Settings:
    (root / "landing").mkdir(parents=True, exist_ok=True)
    return Settings(
        landing=str(root / "landing"),
        warehouse=root / "warehouse" / "aicost.duckdb",
        gcp_billing_table=TABLE,
        bigquery_endpoint_url=endpoint,
    )


def test_billing_table_is_pulled_by_invoice_month_and_reconciles(emulator, billing_table, tmp_path):
    settings = _settings(tmp_path, emulator)

    outcome = run_pipeline(settings)

    assert outcome.success and outcome.failed_checks == []
    with connect(settings, read_only=True) as con:
        report = conservation_report(con, settings)
        focus = con.execute(
            "SELECT sum(BilledCost), count(*) FILTER (WHERE ChargeCategory = 'Credit') "
            "FROM focus_cost_and_usage WHERE x_Source = 'gcp_billing'"
        ).fetchone()
        tokens = con.execute(
            "SELECT x_ModelId, x_TokenType, x_ServiceTier, x_TokenCount FROM focus_cost_and_usage "
            "WHERE x_TokenType IS NOT NULL ORDER BY x_TokenCount"
        ).fetchall()
        gpu = con.execute(
            "SELECT x_InstanceType, x_GpuCount FROM focus_cost_and_usage WHERE x_GpuCount IS NOT NULL "
            "AND ChargeCategory = 'Usage'"
        ).fetchall()
    assert [(r.source, r.billing_account_id, r.billing_period, r.currency, r.difference) for r in report] == [
        ("gcp_billing", "0A1B2C-3D4E5F-678901", "2026-10", "USD", 0)
    ]
    assert report[0].source_billed_cost == focus[0] == NET
    assert focus[1] == 3  # one FOCUS Credit row per credit
    assert tokens == [
        ("gemini-2.5-pro", "output", "batch", Decimal(500000)),
        ("gemini-2.5-flash", "reasoning", "standard", Decimal(550000)),
        ("gemini-2.5-flash", "input", "standard", Decimal(1504000)),
    ]
    assert gpu == [("a2-highgpu-8g", 8)]
    pulled = list((settings.downloads / "bigquery").rglob("rows.jsonl"))
    assert len(pulled) == 1 and "invoice_month=202610" in str(pulled[0])


def test_a_restated_month_replaces_the_pull_and_an_unchanged_table_is_a_no_op(emulator, billing_table, tmp_path):
    settings = _settings(tmp_path, emulator)
    assert run_pipeline(settings).success
    assert run_pipeline(settings).success  # nothing new in BigQuery: nothing pulled, nothing loaded
    with connect(settings, read_only=True) as con:
        loads = con.execute("SELECT count(*) FROM raw._loads WHERE source = 'gcp_billing'").fetchone()[0]
    assert loads == 1

    # GCP restates October: the same rows re-exported later with corrected costs (in BigQuery both exist
    # until the old ones age out; the pull takes the month as the table has it now).
    client = _client(emulator)
    client.query(f"DELETE FROM `{TABLE}` WHERE invoice.month = '202610'").result()
    assert client.insert_rows_json(TABLE, _rows("2026-11-05 09:00:00+00:00", cost_factor="2")) == []

    assert run_pipeline(settings).success
    with connect(settings, read_only=True) as con:
        billed = con.execute(
            "SELECT sum(BilledCost) FROM focus_cost_and_usage WHERE x_Source = 'gcp_billing'"
        ).fetchone()[0]
        statuses = con.execute(
            "SELECT status, count(*) FROM raw._loads WHERE source = 'gcp_billing' GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert billed == Decimal("29.0246") * 2 - Decimal("9.813940000001")
    assert statuses == [("loaded", 1), ("replaced", 1)]
