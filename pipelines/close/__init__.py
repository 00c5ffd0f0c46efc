"""The period close: a month's chargeback published as a numbered, immutable version.

Layout of the close store (``<exports_dir>/closed``)::

    closed/<YYYY-MM>/v<N>/chargeback_<YYYY-MM>_v<N>.csv      the chargeback, as `aicost export chargeback` writes it
    closed/<YYYY-MM>/v<N>/chargeback_<YYYY-MM>_v<N>.parquet  the same rows as Parquet (DECIMAL money)
    closed/<YYYY-MM>/v<N>/manifest.json                      what was closed, from what, and the checks' figures
    closed/<YYYY-MM>/v<N>/diff_from_v<N-1>.csv               from v2 on: per cost centre and currency, what moved and why

A version is written into a hidden folder beside its final place, its files made read-only (0444), and the
folder renamed into place: a reader never sees half a version, and nothing ever writes into an existing one.
A month is closed only when its figures hold (conservation from the files to the chargeback, exactly; the
unexplained share of the invoices within ``close_tolerance``); closing again with the same data does nothing,
and closing after a restatement adds the next version with its diff, leaving the earlier ones as they were.

``store`` owns the store (paths, versions, manifests, publishing), ``checks`` what must hold before a close,
``diff`` what changed between two versions; ``close_month`` here runs the three.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.close.checks import CloseChecks, CloseRefused, check_month, input_loads
from pipelines.close.diff import DIFF_COLUMNS, input_changes, read_booked, render_diff
from pipelines.close.store import (
    MANIFEST_NAME,
    READ_ONLY,
    STORE_FOLDER,
    VersionNotFound,
    closed_file,
    file_names,
    list_closed,
    publish,
    read_manifest,
    store_root,
    totals,
    version_folder,
    versions,
)
from pipelines.config import Settings
from pipelines.export import chargeback_lines, parse_month, render_csv, render_parquet, sha256_hex

__all__ = [
    "DIFF_COLUMNS",
    "MANIFEST_NAME",
    "READ_ONLY",
    "STORE_FOLDER",
    "CloseChecks",
    "CloseRefused",
    "CloseResult",
    "VersionNotFound",
    "check_month",
    "close_month",
    "closed_file",
    "file_names",
    "input_loads",
    "list_closed",
    "read_manifest",
    "render_diff",
    "store_root",
    "version_folder",
    "versions",
]


@dataclass(frozen=True)
class CloseResult:
    """What ``close_month`` did.

    Attributes:
        month: The billing period.
        version: The version written, or the latest one when nothing changed.
        folder: Its folder.
        manifest: Its manifest.
        created: ``False`` when the month was already closed with the same data (nothing written).
        diff_path: The diff from the previous version, when one was written.
    """

    month: str
    version: int
    folder: Path
    manifest: dict
    created: bool
    diff_path: Path | None = None


def _timestamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def close_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    *,
    store: Path,
    settings: Settings,
    basis: str = "billed",
    tolerance: Decimal | None = None,
    now: datetime | None = None,
) -> CloseResult:
    """Closes a month: publishes its chargeback as the next version, if the checks hold and anything changed.

    Args:
        con: Warehouse connection (read-only is enough).
        month: Billing period ``YYYY-MM``.
        store: The close store (``store_root(settings.exports_dir)``).
        settings: Settings (conservation's billing accounts; ``close_tolerance`` unless ``tolerance`` is given).
        basis: ``billed`` or ``effective``: the basis of ``amount`` in the published files.
        tolerance: Largest unexplained share of the invoices, per currency.
        now: The close's time (UTC); defaults to now.

    Returns:
        The version written, or the latest one with ``created`` false when the chargeback and its inputs are
        those of the latest version already.

    Raises:
        NoCharges: When the month has no chargeback rows.
        CloseRefused: When a check fails (nothing is written).
        FileExistsError: When another close published the same version number meanwhile.
    """
    parse_month(month)
    tolerance = settings.close_tolerance_fraction if tolerance is None else tolerance
    lines = chargeback_lines(con, month)
    csv_bytes = render_csv(lines, basis)
    inputs = input_loads(con, month)
    closed = versions(store, month)
    previous = read_manifest(store, month, closed[-1]) if closed else None
    if (
        previous is not None
        and previous["files"]["csv"]["sha256"] == sha256_hex(csv_bytes)
        and [i["load_id"] for i in previous["inputs"]] == [i["load_id"] for i in inputs]
    ):
        folder = version_folder(store, month, previous["version"])
        return CloseResult(month, previous["version"], folder, previous, created=False)

    checks = check_month(con, month, lines, settings, tolerance)
    if not checks.passed:
        raise CloseRefused(month, checks.failures)

    version = closed[-1] + 1 if closed else 1
    names = file_names(month, version)
    parquet_bytes = render_parquet(lines, basis)
    files = {names["csv"]: csv_bytes, names["parquet"]: parquet_bytes}
    described = {
        "csv": {"name": names["csv"], "sha256": sha256_hex(csv_bytes), "bytes": len(csv_bytes)},
        "parquet": {"name": names["parquet"], "sha256": sha256_hex(parquet_bytes), "bytes": len(parquet_bytes)},
    }
    changes = None
    diff_name = None
    if previous is not None:
        before = version_folder(store, month, previous["version"]) / previous["files"]["csv"]["name"]
        changes = input_changes(previous["inputs"], inputs)
        diff_bytes = render_diff(
            month, read_booked(before.read_text(encoding="utf-8")), previous["basis"], lines, basis, changes
        )
        diff_name = f"diff_from_v{previous['version']}.csv"
        files[diff_name] = diff_bytes
        described["diff"] = {"name": diff_name, "sha256": sha256_hex(diff_bytes), "bytes": len(diff_bytes)}
    rows_by_currency: dict[str, int] = defaultdict(int)
    for line in lines:
        rows_by_currency[line.currency] += 1
    manifest = {
        "month": month,
        "version": version,
        "basis": basis,
        "created_at": _timestamp(now),
        "previous_version": previous["version"] if previous else None,
        "files": described,
        "row_counts": {
            "rows": len(lines),
            "charge_rows": sum(line.charge_rows or 0 for line in lines),
            "by_currency": dict(sorted(rows_by_currency.items())),
        },
        "totals": totals(lines, basis),
        "inputs": inputs,
        "conservation": checks.conservation,
        "reconciliation": checks.reconciliation,
    }
    if previous is not None:
        manifest["changes_from_previous"] = {
            "from_version": previous["version"],
            "basis_before": previous["basis"],
            "inputs": changes,
        }
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    folder = publish(store, month, version, files)
    return CloseResult(
        month, version, folder, manifest, created=True, diff_path=folder / diff_name if diff_name else None
    )
