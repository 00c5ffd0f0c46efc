"""One small demo, generated and run once per session through the real Dagster job, for the e2e tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.run import RunOutcome, run_pipeline
from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable
from pipelines.demo.generate import DemoOptions, generate

DEMO_MONTH = "2026-10"
DEMO_SCALE = 0.2
SIGTERM_AT_START = signal.getsignal(signal.SIGTERM)


@dataclass
class DemoRun:
    landing: Path
    settings: Settings
    outcome: RunOutcome
    # SIGTERM's handler in this process before and after the in-process run (Dagster changes it)
    sigterm_handlers: tuple[object, object] = (None, None)


def billed_totals_from_files(landing: Path) -> dict[tuple[str, str, str], Decimal]:
    """What the invoices say, computed straight from the generated files (no DuckDB, no dbt).

    Returns:
        Billed cost per (provider, billing period, currency).
    """
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for manifest_path in sorted(landing.glob("aws_cur/*/metadata/BILLING_PERIOD=*/*-Manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        period = manifest_path.parent.name.split("=")[1]
        data_dir = manifest_path.parent.parent.parent / "data" / manifest_path.parent.name
        for uri in manifest["dataFiles"]:
            path = data_dir / uri.rsplit("/", 1)[1]
            if path.suffix == ".parquet":
                table = pq.read_table(path, columns=["line_item_unblended_cost", "line_item_currency_code"])
                rows = zip(*(table.column(i).to_pylist() for i in range(2)), strict=True)
                for cost, currency in rows:
                    # AWS writes Parquet costs as doubles; repr is the shortest exact decimal text
                    totals[("Amazon Web Services", period, currency)] += Decimal(repr(cost))
            else:
                with gzip.open(path, "rt", newline="") as fh:
                    for row in csv.DictReader(fh):
                        totals[("Amazon Web Services", period, row["line_item_currency_code"])] += Decimal(
                            row["line_item_unblended_cost"]
                        )
    # The AWS FOCUS export of a payer account without CUR: its BilledCost.
    for path in sorted(landing.glob("aws_focus/*/data/BILLING_PERIOD=*/*.csv")):
        with path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                key = ("Amazon Web Services", row["BillingPeriodStart"][:7], row["BillingCurrency"])
                totals[key] += Decimal(row["BilledCost"])
    # Azure: the actual-cost export is the invoice (gzip CSV, or Parquet doubles in its shortest repr).
    for manifest_path in sorted(landing.glob("azure_cost/*/*/*/manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        if manifest["exportConfig"]["type"] != "ActualCost":
            continue
        for blob in manifest["blobs"]:
            path = manifest_path.parent / blob["blobName"].rsplit("/", 1)[1]
            if path.suffix == ".parquet":
                table = pq.read_table(
                    path, columns=["costInBillingCurrency", "billingCurrency", "billingPeriodStartDate"]
                )
                for cost, currency, period in zip(*(table.column(i).to_pylist() for i in range(3)), strict=True):
                    totals[("Microsoft", period[:7], currency)] += Decimal(repr(cost))
            else:
                with gzip.open(path, "rt", newline="") as fh:
                    for row in csv.DictReader(fh):
                        key = ("Microsoft", row["billingPeriodStartDate"][:7], row["billingCurrency"])
                        totals[key] += Decimal(row["costInBillingCurrency"])
    # GCP: net cost, gross cost plus the (negative) credits, by invoice month.
    for path in sorted(landing.glob("gcp_billing/**/*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line, parse_float=Decimal)
            month = row["invoice"]["month"]
            net = Decimal(row["cost"]) + sum((Decimal(c["amount"]) for c in row["credits"]), Decimal(0))
            totals[("Google Cloud", f"{month[:4]}-{month[4:]}", row["currency"])] += net
    for page_path in sorted(landing.glob("openai_usage/costs/**/*.json")):
        page = json.loads(page_path.read_text(), parse_float=Decimal)
        for bucket in page["data"]:
            period = datetime.fromtimestamp(bucket["start_time"], tz=UTC).strftime("%Y-%m")
            for result in bucket["results"]:
                totals[("OpenAI", period, result["amount"]["currency"].upper())] += Decimal(result["amount"]["value"])
    # Anthropic's cost report: decimal strings in cents.
    for page_path in sorted(landing.glob("anthropic_usage/cost_report/**/*.json")):
        for bucket in json.loads(page_path.read_text())["data"]:
            for result in bucket["results"]:
                key = ("Anthropic", bucket["starting_at"][:7], result["currency"].upper())
                totals[key] += Decimal(result["amount"]) / 100
    return dict(totals)


@pytest.fixture(autouse=True)
def _sigterm_as_the_session_found_it() -> Iterator[None]:
    """Puts SIGTERM's handler back after each test.

    Dagster points SIGTERM at SIGINT's handler whenever it guards user code, e.g. a sensor evaluated here in
    the test process. When the suite is started from a script in the background, SIGINT is ignored, so every
    later server a test starts and stops with terminate() would ignore it too. A run restores the handler
    itself (``orchestration.run``); tests that call Dagster directly do not.
    """
    yield
    signal.signal(signal.SIGTERM, SIGTERM_AT_START)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("demo")
    landing = root / "landing"
    generate(DemoOptions(landing=landing, scale=DEMO_SCALE, seed=7, month=DEMO_MONTH))
    settings = Settings(
        landing=str(landing), warehouse=root / "warehouse" / "aicost.duckdb", exports_dir=root / "exports"
    )
    before = signal.getsignal(signal.SIGTERM)
    outcome = run_pipeline(settings)
    return DemoRun(landing, settings, outcome, sigterm_handlers=(before, signal.getsignal(signal.SIGTERM)))


def copy_landing(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def run_dbt(
    settings: Settings, args: list[str], target: Path, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Runs the project's dbt (``args``, e.g. ``["test", "--select", ...]``) against ``settings``' warehouse.

    Target and log folders go under ``target``, so neither ``dbt_project/target`` nor ``dbt_project/logs``
    is written; the vars and environment are those a run gives dbt.
    """
    command = [
        str(dbt_executable()),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--vars",
        json.dumps(settings.dbt_vars(), sort_keys=True),
    ]
    env = {**os.environ, **settings.dbt_env()}
    return subprocess.run(
        command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False, timeout=timeout
    )


def read_csv_text(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
