"""Schema drift: fields a provider sends that the contract does not know, reported and never silently lost.

Providers add fields every month. A new column of a tabular export, or a new field of an API page, is
recorded in ``raw._schema_drift`` (first and last file it was seen in, how many files) and reported as a
warning: the data loads as before. API tables also keep the unknown fields' values in their
``extra_fields`` JSON column, so nothing the provider sent is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

DRIFT_TABLE = "raw._schema_drift"
_DRIFT_DDL = f"""
CREATE TABLE IF NOT EXISTS {DRIFT_TABLE} (
    source VARCHAR NOT NULL,
    raw_table VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    first_seen_path VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_path VARCHAR NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    files BIGINT NOT NULL,
    PRIMARY KEY (raw_table, field)
)
"""


def ensure_drift(con: duckdb.DuckDBPyConnection) -> None:
    """Creates ``raw._schema_drift`` if it does not exist."""
    con.execute(_DRIFT_DDL)


def record_fields(
    con: duckdb.DuckDBPyConnection, source: str, table: str, fields: list[str], path: str, at: datetime
) -> None:
    """Records fields of one file that its contract does not know."""
    for name in sorted(set(fields)):
        con.execute(
            f"INSERT INTO {DRIFT_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (raw_table, field) DO UPDATE SET last_seen_path = excluded.last_seen_path, "
            "last_seen_at = excluded.last_seen_at, files = files + 1",
            [source, table, name, path, at, path, at],
        )


@dataclass(frozen=True)
class Drift:
    """A field seen in a source's files that its contract does not know."""

    source: str
    raw_table: str
    field: str
    first_seen_path: str
    files: int


def open_drift(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Drift]:
    """Fields that the latest load of their table still carried (of one source, or all).

    Drift closes by itself: once the contract learns a field, or files stop carrying it, a newer load of the
    table no longer records it.
    """
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = '_schema_drift'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        f"SELECT source, raw_table, field, first_seen_path, files FROM {DRIFT_TABLE} AS d "
        "WHERE (? IS NULL OR source = ?) AND last_seen_at >= ("
        "    SELECT max(loaded_at) FROM raw._loads AS l WHERE l.raw_table = d.raw_table AND l.status = 'loaded')"
        " ORDER BY source, raw_table, field",
        [source, source],
    ).fetchall()
    return [Drift(*r) for r in rows]
