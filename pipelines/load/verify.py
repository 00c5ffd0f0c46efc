"""Checks of the rows a batch has just inserted, and what is recorded about them.

The loader inserts a batch of files, then asks this module: does a row break its table's rules, does a file
hold the rows its manifest states, which rows repeat a unique key already loaded, which fields are unknown
to the contract (schema drift), and how many rows and billing periods each new load holds. Everything here
reads the raw tables through the loader's connection inside the loader's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import duckdb

from pipelines.load import drift, readers
from pipelines.load.contracts import EXTRA_FIELDS, RawTable, RowCheck
from pipelines.load.errors import BadFileError
from pipelines.sources.base import PlannedFile

LoadIds = dict[str, str]  # file key -> load id
Stats = dict[str, tuple[int, str | None]]  # load id -> (rows, billing periods "YYYY-MM,...")


def first_row_violation(
    con: duckdb.DuckDBPyConnection, files: list[PlannedFile], load_ids: LoadIds
) -> BadFileError | None:
    """The first record of the new files that breaks a row rule of its table, as a quarantine error.

    One scan per table evaluates every rule for every new file (the first violating record of each rule
    and file); only the failing record is read again, for its value.
    """
    by_table: dict[str, list[PlannedFile]] = defaultdict(list)
    for pf in files:
        by_table[pf.table.qualified_name].append(pf)
    for table_files in by_table.values():
        table = table_files[0].table
        checks = table.row_checks
        if not checks:
            continue
        firsts = ", ".join(f"min(_source_row) FILTER (WHERE NOT coalesce(({c.condition}), true))" for c in checks)
        found = {
            row[0]: row[1:]
            for row in con.execute(
                f"SELECT _load_id, {firsts} FROM {table.qualified_name} "
                "WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY _load_id",
                [[load_ids[pf.file.key] for pf in table_files]],
            ).fetchall()
        }
        for pf in table_files:
            for check, row in zip(checks, found.get(load_ids[pf.file.key], ()), strict=True):
                if row is not None:
                    return _row_error(con, pf, load_ids[pf.file.key], check, row)
    return None


def _row_error(
    con: duckdb.DuckDBPyConnection, pf: PlannedFile, load_id: str, check: RowCheck, row: int
) -> BadFileError:
    """The quarantine message of a record that breaks a row rule: its line, column and value."""
    value = con.execute(
        f"SELECT CAST({readers.sql_ident(check.column)} AS VARCHAR) FROM {pf.table.qualified_name} "
        "WHERE _load_id = ? AND _source_row = ?",
        [load_id, row],
    ).fetchone()[0]
    # Parquet and JSON records are numbered from 1; a CSV record's line is found in the file (quoted
    # fields can span lines).
    line = readers.csv_line_of_record(pf.file, row) if pf.format == "csv" else row
    shown = "an empty value" if value is None else f"value {value!r}"
    return BadFileError(pf.file.key, f"{shown} {check.reason}", line=line, column=check.column)


def manifest_row_mismatch(files: list[PlannedFile], load_ids: LoadIds, stats: Stats) -> BadFileError | None:
    """A file holding another number of rows than its delivery's manifest states (a truncated copy)."""
    for pf in files:
        if pf.expected_rows is None:
            continue
        rows = stats.get(load_ids[pf.file.key], (0, None))[0]
        if rows != pf.expected_rows:
            return BadFileError(
                pf.file.key,
                f"holds {rows} row(s) where the delivery's manifest states {pf.expected_rows} "
                "(a truncated or partial copy)",
            )
    return None


def repeated_keys(
    con: duckdb.DuckDBPyConnection, files: list[PlannedFile], load_ids: LoadIds, replaced: list[str]
) -> dict[str, tuple[int, str]]:
    """Per new load of a table with a unique key: its rows whose key an earlier-loaded row already holds.

    Rows of the loads this batch replaces (the previous version of a rewritten file) do not count.
    """
    repeated: dict[str, tuple[int, str]] = {}
    by_table: dict[str, tuple[RawTable, list[str]]] = {}
    for pf in files:
        if pf.table.unique_key:
            by_table.setdefault(pf.table.qualified_name, (pf.table, []))[1].append(load_ids[pf.file.key])
    for table, ids in by_table.values():
        match = " AND ".join(f"o.{readers.sql_ident(k)} = n.{readers.sql_ident(k)}" for k in table.unique_key)
        earlier = (
            f"{match} AND (o._loaded_at, o._source_file, o._source_row) < "
            "(n._loaded_at, n._source_file, n._source_row) AND o._load_id NOT IN (SELECT unnest(?::VARCHAR[]))"
        )
        counts = con.execute(
            f"SELECT n._load_id, count(*) FROM {table.qualified_name} AS n "
            "WHERE n._load_id IN (SELECT unnest(?::VARCHAR[])) "
            f"AND EXISTS (SELECT 1 FROM {table.qualified_name} AS o WHERE {earlier}) GROUP BY n._load_id",
            [ids, replaced],
        ).fetchall()
        for load_id, count in counts:
            # one file that already held such a key, to name in the note
            other = con.execute(
                f"SELECT min(o._source_file) FROM {table.qualified_name} AS n "
                f"JOIN {table.qualified_name} AS o ON {earlier} WHERE n._load_id = ?",
                [replaced, load_id],
            ).fetchone()[0]
            repeated[load_id] = (count, other)
    return repeated


def record_drift(
    con: duckdb.DuckDBPyConnection,
    slug: str,
    at: datetime,
    files: list[PlannedFile],
    load_ids: LoadIds,
    file_columns: dict[str, list[str]],
) -> None:
    """Records the columns or fields of new files that their contract does not know."""
    for pf in files:
        table = pf.table
        unknown: list[str] = []
        if pf.file.key in file_columns and not (pf.column_map and pf.column_map.packed):
            renames = {k.lower(): v for k, v in (pf.column_map.renames if pf.column_map else {}).items()}
            known = {c.name.lower() for c in table.columns} | {k.lower() for k in table.known_columns}
            known |= {k.lower() for k in table.excluded}
            unknown = [
                name
                for name in file_columns[pf.file.key]
                if name.lower() not in known and renames.get(name.lower(), "").lower() not in known
            ]
        if table.has_extra_fields:
            unknown += [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT unnest(json_keys({EXTRA_FIELDS})) FROM {table.qualified_name} "
                    f"WHERE _load_id = ? AND {EXTRA_FIELDS} IS NOT NULL",
                    [load_ids[pf.file.key]],
                ).fetchall()
            ]
        if unknown:
            drift.record_fields(con, slug, table.qualified_name, unknown, pf.file.key, at)


def load_stats(con: duckdb.DuckDBPyConnection, files: list[PlannedFile], load_ids: LoadIds) -> Stats:
    """Rows and billing periods (``YYYY-MM`` list) per new load id, one scan per table."""
    stats: Stats = {}
    by_table: dict[str, tuple[RawTable, list[str]]] = {}
    for pf in files:
        by_table.setdefault(pf.table.qualified_name, (pf.table, []))[1].append(load_ids[pf.file.key])
    for table, ids in by_table.values():
        month = f"strftime({readers.sql_ident(table.period_column)}, '%Y-%m')" if table.period_column else None
        periods_sql = f"string_agg(DISTINCT {month}, ',' ORDER BY {month})" if month else "NULL"
        for load_id, rows, periods in con.execute(
            f"SELECT _load_id, count(*), {periods_sql} "
            f"FROM {table.qualified_name} WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY _load_id",
            [ids],
        ).fetchall():
            stats[load_id] = (rows, periods)
    return stats
