"""The load manifest ``raw._loads``: one row per file version seen, and what became of it.

Statuses: ``loaded`` (its rows are in the raw table), ``replaced`` (a newer delivery of its partition
superseded it; its rows were deleted), ``skipped`` (seen, deliberately not loaded: duplicate contents, not
part of a current delivery, not a file of the source) and ``quarantined`` (unreadable; ``error`` says
file, line, column and reason).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines.contracts import RawTable
from pipelines.landing import LandingFile

LOADS_TABLE = "raw._loads"
_LOADS_DDL = f"""
CREATE TABLE IF NOT EXISTS {LOADS_TABLE} (
    load_id VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    raw_table VARCHAR,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    file_version VARCHAR,
    rows BIGINT,
    billing_period VARCHAR,
    partition_key VARCHAR,
    delivery_id VARCHAR,
    status VARCHAR NOT NULL,
    error VARCHAR,
    loaded_at TIMESTAMPTZ NOT NULL,
    replaced_by VARCHAR
)
"""


def ensure_manifest(con: duckdb.DuckDBPyConnection) -> None:
    """Creates ``raw._loads`` if it does not exist (and adds columns newer versions introduced)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(_LOADS_DDL)
    con.execute(f"ALTER TABLE {LOADS_TABLE} ADD COLUMN IF NOT EXISTS file_version VARCHAR")


@dataclass(frozen=True)
class Entry:
    """What the manifest records about one file version.

    Attributes:
        source: Source slug.
        table: Raw table it belongs to (``None`` for files no table wants).
        file: The landing file.
        sha256: Its checksum.
        status: loaded, skipped or quarantined (``replaced`` is set later, by a newer delivery).
        at: Time of the run.
        error: Why it was skipped or quarantined.
        rows: Rows loaded.
        period: Billing period(s) ``YYYY-MM``.
        partition: Replacement scope.
        delivery: Delivery id within the partition.
        load_id: Id written on the loaded rows (a new one when not given).
    """

    source: str
    table: RawTable | None
    file: LandingFile
    sha256: str
    status: str
    at: datetime
    error: str | None = None
    rows: int | None = None
    period: str | None = None
    partition: str | None = None
    delivery: str | None = None
    load_id: str | None = None


def record(con: duckdb.DuckDBPyConnection, entry: Entry) -> None:
    """Adds one row to the manifest."""
    con.execute(
        f"INSERT INTO {LOADS_TABLE} (load_id, source, raw_table, path, sha256, bytes, file_version, rows, "
        "billing_period, partition_key, delivery_id, status, error, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.load_id or uuid.uuid4().hex,
            entry.source,
            entry.table.qualified_name if entry.table else None,
            entry.file.key,
            entry.sha256,
            entry.file.size,
            entry.file.version,
            entry.rows,
            entry.period,
            entry.partition,
            entry.delivery,
            entry.status,
            entry.error,
            entry.at,
        ],
    )


def _first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple | None:
    """The first row of a query, reading the result to its end.

    DuckDB 2.0 keeps a result open until a fetch returns no rows, and an open result blocks registering
    an Arrow table on the connection (the JSON and nested-export loads do): never leave one open.
    """
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None


def known_checksum(con: duckdb.DuckDBPyConnection, file: LandingFile) -> str | None:
    """The checksum recorded for the same path, size and version, if any (so the file need not be read)."""
    if not file.version:
        return None
    row = _first_row(
        con,
        f"SELECT sha256 FROM {LOADS_TABLE} WHERE path = ? AND bytes = ? AND file_version = ? "
        "ORDER BY loaded_at DESC LIMIT 1",
        [file.key, file.size, file.version],
    )
    return row[0] if row else None


def last_status(con: duckdb.DuckDBPyConnection, path: str, sha256: str) -> str | None:
    """The latest status of this exact file version, or ``None`` when it was never seen."""
    row = _first_row(
        con,
        f"SELECT status FROM {LOADS_TABLE} WHERE path = ? AND sha256 = ? ORDER BY loaded_at DESC, load_id LIMIT 1",
        [path, sha256],
    )
    return row[0] if row else None


def loaded_in_delivery(con: duckdb.DuckDBPyConnection, table: RawTable, partition: str, delivery: str) -> int:
    """How many files of a delivery are currently loaded."""
    row = _first_row(
        con,
        f"SELECT count(*) FROM {LOADS_TABLE} WHERE raw_table = ? AND partition_key = ? AND delivery_id = ? "
        "AND status = 'loaded'",
        [table.qualified_name, partition, delivery],
    )
    return row[0] if row else 0


def loaded_elsewhere(con: duckdb.DuckDBPyConnection, table: RawTable, path: str, sha256: str) -> str | None:
    """Another path whose identical contents are already loaded into the table, if any."""
    row = _first_row(
        con,
        f"SELECT path FROM {LOADS_TABLE} WHERE raw_table = ? AND sha256 = ? AND status = 'loaded' "
        "AND path <> ? LIMIT 1",
        [table.qualified_name, sha256, path],
    )
    return row[0] if row else None


def replace_earlier(con: duckdb.DuckDBPyConnection, table: RawTable, partition: str, new_load_ids: list[str]) -> int:
    """Deletes the rows of every other load of the partition and marks those loads ``replaced``.

    Args:
        con: Warehouse connection (inside the loading transaction).
        table: Raw table.
        partition: Replacement scope.
        new_load_ids: Loads of the delivery that supersedes the others.

    Returns:
        How many earlier loads were replaced.
    """
    # Whatever their delivery id: a delivery re-sent under the same id with other contents must not be
    # counted twice either.
    earlier = [
        r[0]
        for r in con.execute(
            f"SELECT load_id FROM {LOADS_TABLE} WHERE raw_table = ? AND partition_key = ? AND status = 'loaded' "
            "AND load_id NOT IN (SELECT unnest(?))",
            [table.qualified_name, partition, new_load_ids],
        ).fetchall()
    ]
    if earlier:
        con.execute(f"DELETE FROM {table.qualified_name} WHERE _load_id IN (SELECT unnest(?))", [earlier])
        con.execute(
            f"UPDATE {LOADS_TABLE} SET status = 'replaced', replaced_by = ? WHERE load_id IN (SELECT unnest(?))",
            [new_load_ids[0], earlier],
        )
    return len(earlier)
