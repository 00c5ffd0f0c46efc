"""The load manifest ``raw._loads``: one row per file version seen, and what became of it.

Statuses:

* ``loaded``: its rows are in the raw table and count.
* ``superseded``: its rows are in the raw table but a newer delivery of another export covers every billing
  scope it holds (``superseded_by`` names it); they count again if that delivery goes away.
* ``replaced``: a newer delivery of its own partition superseded it; its rows were deleted.
* ``removed``: the file vanished from the landing zone; its rows were deleted.
* ``skipped``: seen, deliberately not loaded: the same contents as a file already loaded (``duplicate_of``),
  not part of a current delivery, or not a file of the source.
* ``quarantined``: unreadable or breaking a row rule; ``error`` says file, line, field and reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines.landing import LandingFile
from pipelines.load.contracts import RawTable

LOADS_TABLE = "raw._loads"
# Statuses whose rows are in the raw table.
PRESENT = ("loaded", "superseded")
# The newest manifest row first (rows of one run share loaded_at; seq orders them).
LATEST_FIRST = "loaded_at DESC, seq DESC NULLS LAST, load_id"
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
# Columns added after the first release: an existing warehouse gains them on upgrade.
_ADDED_COLUMNS = {
    "file_version": "VARCHAR",
    "delivered_at": "TIMESTAMPTZ",
    "expected_rows": "BIGINT",
    "duplicate_of": "VARCHAR",
    "duplicate_rows": "BIGINT",
    "superseded_by": "VARCHAR",
    "status_changed_at": "TIMESTAMPTZ",
    "blocked_by": "VARCHAR",
    # order of the rows within one run (rows of a run share loaded_at)
    "seq": "BIGINT",
}


def ensure_manifest(con: duckdb.DuckDBPyConnection) -> None:
    """Creates ``raw._loads`` if it does not exist (and adds columns newer versions introduced)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(_LOADS_DDL)
    for name, kind in _ADDED_COLUMNS.items():
        con.execute(f"ALTER TABLE {LOADS_TABLE} ADD COLUMN IF NOT EXISTS {name} {kind}")
    # Every load looks its files up by path: an index keeps that a point lookup as the manifest grows.
    con.execute(f"CREATE INDEX IF NOT EXISTS loads_by_path ON {LOADS_TABLE} (path)")


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
        expected_rows: Rows the delivery's manifest states for the file.
        duplicate_of: Load id of the file with the same contents that counts instead (skipped files).
        duplicate_rows: Rows whose unique key (request id) an earlier load already holds.
        blocked_by: For a file quarantined only because another file of its delivery is bad: that file.
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
    expected_rows: int | None = None
    duplicate_of: str | None = None
    duplicate_rows: int | None = None
    blocked_by: str | None = None


def record(con: duckdb.DuckDBPyConnection, entry: Entry) -> str:
    """Adds one row to the manifest and returns its load id."""
    load_id = entry.load_id or uuid.uuid4().hex
    con.execute(
        f"INSERT INTO {LOADS_TABLE} (load_id, source, raw_table, path, sha256, bytes, file_version, rows, "
        "billing_period, partition_key, delivery_id, status, error, loaded_at, delivered_at, expected_rows, "
        "duplicate_of, duplicate_rows, blocked_by, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        f"(SELECT coalesce(max(seq), 0) + 1 FROM {LOADS_TABLE}))",
        [
            load_id,
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
            entry.file.modified_at,
            entry.expected_rows,
            entry.duplicate_of,
            entry.duplicate_rows,
            entry.blocked_by,
        ],
    )
    return load_id


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    """All rows of a query, read to the end.

    DuckDB 2.0 keeps a result open until a fetch returns no rows, and an open result blocks registering
    an Arrow table on the connection (the JSON and nested-export loads do): never leave one open.
    """
    return con.execute(sql, params).fetchall()


def _first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple | None:
    rows = _rows(con, sql, params)
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
    entry = current_entry(con, path, sha256)
    return entry.status if entry else None


@dataclass(frozen=True)
class Current:
    """The latest manifest row of one file version."""

    load_id: str
    status: str
    partition: str | None
    delivery: str | None
    duplicate_of: str | None
    expected_rows: int | None
    blocked_by: str | None


def current_entry(con: duckdb.DuckDBPyConnection, path: str, sha256: str) -> Current | None:
    """The latest manifest row of this exact file version, or ``None`` when it was never seen."""
    row = _first_row(
        con,
        f"SELECT load_id, status, partition_key, delivery_id, duplicate_of, expected_rows, blocked_by FROM {LOADS_TABLE} "
        f"WHERE path = ? AND sha256 = ? ORDER BY {LATEST_FIRST} LIMIT 1",
        [path, sha256],
    )
    return Current(*row) if row else None


def is_present(con: duckdb.DuckDBPyConnection, load_id: str | None) -> bool:
    """Whether a load's rows are in its raw table (loaded or superseded)."""
    if load_id is None:
        return False
    row = _first_row(con, f"SELECT status FROM {LOADS_TABLE} WHERE load_id = ?", [load_id])
    return bool(row) and row[0] in PRESENT


def present_elsewhere(
    con: duckdb.DuckDBPyConnection, table: RawTable, sha256: str, partition: str
) -> tuple[str, str] | None:
    """A load of the same contents in another partition of the table, whose rows are present: (load id, path).

    Loads of the same partition do not count: a new delivery of the partition replaces them, so its files
    must load even when their bytes did not change.
    """
    row = _first_row(
        con,
        f"SELECT load_id, path FROM {LOADS_TABLE} WHERE raw_table = ? AND sha256 = ? AND status IN {PRESENT} "
        "AND partition_key IS DISTINCT FROM ? ORDER BY loaded_at, path LIMIT 1",
        [table.qualified_name, sha256, partition],
    )
    return (row[0], row[1]) if row else None


def replace_earlier(
    con: duckdb.DuckDBPyConnection, table: RawTable, partition: str, new_load_ids: list[str], at: datetime
) -> int:
    """Deletes the rows of every other load of the partition and marks those loads ``replaced``.

    Args:
        con: Warehouse connection (inside the loading transaction).
        table: Raw table.
        partition: Replacement scope.
        new_load_ids: Loads of the delivery that supersedes the others.
        at: Time of the run.

    Returns:
        How many earlier loads were replaced.
    """
    # Whatever their delivery id: a delivery re-sent under the same id with other contents must not be
    # counted twice either.
    earlier = [
        r[0]
        for r in _rows(
            con,
            f"SELECT load_id FROM {LOADS_TABLE} WHERE raw_table = ? AND partition_key = ? AND status IN {PRESENT} "
            "AND load_id NOT IN (SELECT unnest(?::VARCHAR[]))",
            [table.qualified_name, partition, new_load_ids],
        )
    ]
    if earlier:
        con.execute(f"DELETE FROM {table.qualified_name} WHERE _load_id IN (SELECT unnest(?::VARCHAR[]))", [earlier])
        con.execute(
            f"UPDATE {LOADS_TABLE} SET status = 'replaced', replaced_by = ?, status_changed_at = ? "
            "WHERE load_id IN (SELECT unnest(?::VARCHAR[]))",
            [new_load_ids[0] if new_load_ids else None, at, earlier],
        )
    return len(earlier)


def remove_vanished(
    con: duckdb.DuckDBPyConnection, source: str, tables: tuple[RawTable, ...], listed: set[str], at: datetime
) -> list[str]:
    """Files of a source that are no longer in the landing zone stop counting.

    Their rows are deleted and their manifest rows marked ``removed`` (quarantines and skips of vanished
    files too, so a bad file that was deleted is no longer reported).

    Args:
        con: Warehouse connection.
        source: Source slug.
        tables: The source's raw tables.
        listed: Every landing key the source's listing returned in this run.
        at: Time of the run.

    Returns:
        The paths whose rows were removed.
    """
    candidates = _rows(
        con,
        f"SELECT load_id, path, raw_table, status FROM {LOADS_TABLE} WHERE source = ? "
        "AND status IN ('loaded', 'superseded', 'quarantined', 'skipped')",
        [source],
    )
    vanished = [(load_id, path, table, status) for load_id, path, table, status in candidates if path not in listed]
    if not vanished:
        return []
    by_table: dict[str, list[str]] = {}
    for load_id, _, table, status in vanished:
        if status in PRESENT and table:
            by_table.setdefault(table, []).append(load_id)
    known = {t.qualified_name for t in tables}
    for table, ids in by_table.items():
        if table in known:
            con.execute(f"DELETE FROM {table} WHERE _load_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    con.execute(
        f"UPDATE {LOADS_TABLE} SET status = 'removed', status_changed_at = ? "
        "WHERE load_id IN (SELECT unnest(?::VARCHAR[]))",
        [at, [v[0] for v in vanished]],
    )
    return sorted({path for _, path, _, status in vanished if status in PRESENT})


def counted_rows(table: str, superseded: bool = True) -> str:
    """SQL predicate of the rows of a raw table that count (for conservation checks, never for models).

    One load per distinct file contents, superseded billing scopes left out.

    Two loads of the same contents both counting would be a double load: only one of them is taken here,
    so the FOCUS table (which would count both) shows a mismatch.
    """
    statuses = "('loaded')" if superseded else str(PRESENT)
    one_per_content = (
        f"_load_id IN (SELECT arg_min(load_id, (loaded_at, path)) FROM {LOADS_TABLE} "
        f"WHERE raw_table = '{table}' AND status IN {statuses} GROUP BY sha256)"
    )
    return f"{one_per_content} AND _superseded_by IS NULL" if superseded else one_per_content


def newest_page(table: str, bucket_column: str) -> str:
    """API pages: a bucket pulled twice counts once, from its newest page (load time, then file name).

    The same rule as the dbt macro newest_page_per_bucket, written again here on purpose: the conservation
    check must not share the modelling code it checks. The outer query aliases the table ``c``.
    """
    return (
        f"(_loaded_at, _source_file) = (SELECT max((n._loaded_at, n._source_file)) FROM {table} AS n "
        f"WHERE n.{bucket_column} = c.{bucket_column})"
    )
