"""Pulls a GCP billing export table from BigQuery into a local landing folder, a whole invoice month at a time.

GCP writes rows late and restates them, so an invoice month is reloaded whole whenever any of its rows has an
``export_time`` after the newest one already pulled (the watermark: only months with newer rows are asked for). Each pull of a month is written as one JSON-lines run
folder named by that month's newest ``export_time``; the loader treats the newest run of a month as its
delivery, so a restated month replaces the earlier pull and re-running without changes is a no-op.

Credentials come from Google's standard chain (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud, metadata server);
an endpoint override points the same code at a BigQuery-API emulator.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

log = logging.getLogger(__name__)

_TABLE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_$-]+$")
_RUN = re.compile(r"^\d{8}T\d{12}Z$")


@dataclass(frozen=True)
class PullResult:
    """What a pull did.

    Attributes:
        months_written: Invoice months (``YYYYMM``) written anew.
        rows_written: Rows written.
        months_unchanged: Months returned by BigQuery whose newest export was already pulled.
    """

    months_written: list[str]
    rows_written: int
    months_unchanged: int


def _client(project: str, endpoint_url: str):
    from google.cloud import bigquery

    if endpoint_url:
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials

        return bigquery.Client(
            project=project, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint_url)
        )
    return bigquery.Client(project=project)


def _run_name(export_time: datetime) -> str:
    """A folder name that sorts with time: 20261102T020000123456Z."""
    return export_time.strftime("%Y%m%dT%H%M%S%fZ")


def _watermark(base: Path) -> datetime:
    """The newest export time already pulled from the table (the epoch before the first pull)."""
    runs = [run for month_dir in base.glob("invoice_month=*") for run in _pulled_runs(month_dir)]
    if not runs:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return datetime.strptime(max(runs), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def _pulled_runs(month_dir: Path) -> list[str]:
    return (
        sorted(p.name for p in month_dir.iterdir() if p.is_dir() and _RUN.match(p.name)) if month_dir.is_dir() else []
    )


def _jsonable(value: object) -> object:
    """A BigQuery row value as JSON; numbers become exact decimal text (the parser reads text as Decimal)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # the shortest text that is this FLOAT64: the decimal BigQuery meant
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _dumps(record: dict) -> str:
    return json.dumps(_jsonable(record), sort_keys=True)


def pull_billing_export(
    table: str, target: Path, *, project: str = "", endpoint_url: str = "", months: list[str] | None = None
) -> PullResult:
    """Writes every invoice month with new or restated rows into ``target`` as a JSON-lines run.

    Args:
        table: ``project.dataset.table`` of the billing export.
        target: Folder laid out as ``gcp_billing/bigquery/<table>/invoice_month=YYYYMM/<run>/rows.jsonl``.
        project: Project that runs the queries (defaults to the table's project).
        endpoint_url: BigQuery API endpoint override (an emulator); empty for Google.
        months: Restrict to these invoice months (``YYYYMM``); default all.

    Returns:
        Months written and rows.

    Raises:
        ValueError: When ``table`` is not ``project.dataset.table``.
    """
    from google.cloud import bigquery

    if not _TABLE.match(table):
        raise ValueError(f"gcp_billing_table {table!r} is not project.dataset.table")
    client = _client(project or table.split(".", 1)[0], endpoint_url)
    base = target / "gcp_billing" / "bigquery" / table
    # Incremental by export_time: only months with rows exported after the newest pull are read again
    # (the scan touches the export_time column, not the rows); with a month filter, look at every month.
    since = datetime(1970, 1, 1, tzinfo=UTC) if months else _watermark(base)
    newest = client.query(
        f"SELECT invoice.month AS month, MAX(export_time) AS newest FROM `{table}` "
        "WHERE export_time > @since GROUP BY invoice.month",
        job_config=bigquery.QueryJobConfig(
            query_parameters=[bigquery.ScalarQueryParameter("since", "TIMESTAMP", since)]
        ),
    ).result()
    written, rows_written, unchanged = [], 0, 0
    for row in sorted(newest, key=lambda r: r["month"]):
        month, export_time = row["month"], row["newest"]
        if months and month not in months:
            continue
        run = _run_name(export_time)
        month_dir = base / f"invoice_month={month}"
        if run in _pulled_runs(month_dir):
            unchanged += 1
            continue
        job = client.query(
            f"SELECT * FROM `{table}` WHERE invoice.month = @month ORDER BY usage_start_time, sku.id",
            job_config=bigquery.QueryJobConfig(
                query_parameters=[bigquery.ScalarQueryParameter("month", "STRING", month)]
            ),
        )
        run_dir = month_dir / run
        run_dir.mkdir(parents=True, exist_ok=True)
        tmp = run_dir / ".rows.jsonl.part"
        count = 0
        with tmp.open("w", encoding="utf-8") as fh:
            for record in job.result():
                fh.write(_dumps(dict(record.items())) + "\n")
                count += 1
        os.replace(tmp, run_dir / "rows.jsonl")
        log.info("pulled %s invoice month %s: %d rows (export time %s)", table, month, count, export_time)
        written.append(month)
        rows_written += count
    return PullResult(written, rows_written, unchanged)
