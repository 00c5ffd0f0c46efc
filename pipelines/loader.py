"""The one idempotent load path: landing files -> ``raw_<slug>.*`` with a manifest in ``raw._loads``.

Rules (DESIGN.md invariants 3 and 6):
* A file is identified by its path and SHA-256. Seeing the same file again is a no-op; the same
  contents under another path are recorded as ``skipped`` and not loaded twice.
* Files load in deliveries: all files of one delivery of a partition load in one transaction, and
  loading it replaces (deletes) the rows of every earlier delivery of that partition, whose manifest
  rows become ``replaced``. A CUR billing period is a partition and its manifest a delivery; for other
  sources the partition is the file path, so a rewritten file replaces its previous version.
* A file that cannot be read is ``quarantined`` with file, line, column and reason; nothing of its
  delivery is loaded, the previous delivery stays in place, and the other deliveries still load.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from pipelines import readers
from pipelines.contracts import LINEAGE_COLUMNS, RawTable
from pipelines.errors import BadFileError
from pipelines.landing import Landing
from pipelines.sources.base import PlannedFile, Source

log = logging.getLogger(__name__)

LOADS_TABLE = "raw._loads"
_LOADS_DDL = f"""
CREATE TABLE IF NOT EXISTS {LOADS_TABLE} (
    load_id VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    raw_table VARCHAR,
    path VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
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


@dataclass
class LoadResult:
    """What one load of a source did.

    Attributes:
        source: Source slug.
        files_loaded: Files newly loaded.
        rows_loaded: Rows inserted.
        files_unchanged: Files already loaded before (no-op).
        files_skipped: Files recorded as skipped (duplicates, not part of a current delivery).
        files_replaced: Previously loaded files whose rows were replaced by a newer delivery.
        quarantined: Messages of quarantined files (file, line, column, reason).
    """

    source: str
    files_loaded: int = 0
    rows_loaded: int = 0
    files_unchanged: int = 0
    files_skipped: int = 0
    files_replaced: int = 0
    quarantined: list[str] = field(default_factory=list)


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> None:
    """Creates ``raw._loads`` and the raw schema and tables of a source if they do not exist."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(_LOADS_DDL)
    for table in tables:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.schema}")
        con.execute(table.create_sql())


def load_source(con: duckdb.DuckDBPyConnection, source: Source, landing: Landing) -> LoadResult:
    """Loads every new delivery of one source from the landing zone.

    Args:
        con: Open warehouse connection.
        source: The source package.
        landing: Where its files are (under ``<slug>/``).

    Returns:
        Counts of what was loaded, skipped, replaced and quarantined.
    """
    ensure_tables(con, source.tables)
    result = LoadResult(source=source.slug)
    run_at = datetime.now(UTC)
    plan = source.plan(landing)
    rejected_files = [pf for files, _ in plan.rejected for pf in files]
    checksums = {pf.file.key: pf.file.sha256() for pf in [*plan.files, *rejected_files]}

    for file, reason in plan.ignored:
        sha = file.sha256()
        if not _seen(con, file.key, sha):
            _record(con, source.slug, None, file.key, sha, file.size, status="skipped", error=reason, at=run_at)
            result.files_skipped += 1

    rejected_keys: set[str] = set()
    for files, error in plan.rejected:
        for pf in files:
            rejected_keys.add(pf.file.key)
        _quarantine(con, source.slug, files, checksums, error, run_at, result)

    batches: dict[tuple[str, str, str], list[PlannedFile]] = defaultdict(list)
    for pf in plan.files:
        if pf.file.key in rejected_keys:
            continue
        delivery = pf.delivery or checksums[pf.file.key]
        batches[(pf.table.qualified_name, pf.partition, delivery)].append(pf)

    for (_, partition, delivery), files in sorted(batches.items()):
        _load_batch(con, source, files, partition, delivery, checksums, run_at, result)
    log.info(
        "%s: %d file(s) loaded (%d rows), %d unchanged, %d skipped, %d replaced, %d quarantined",
        source.slug,
        result.files_loaded,
        result.rows_loaded,
        result.files_unchanged,
        result.files_skipped,
        result.files_replaced,
        len(result.quarantined),
    )
    return result


def _seen(con: duckdb.DuckDBPyConnection, path: str, sha: str) -> str | None:
    row = con.execute(
        f"SELECT status FROM {LOADS_TABLE} WHERE path = ? AND sha256 = ? ORDER BY loaded_at DESC, load_id LIMIT 1",
        [path, sha],
    ).fetchone()
    return row[0] if row else None


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    files: list[PlannedFile],
    partition: str,
    delivery: str,
    checksums: dict[str, str],
    run_at: datetime,
    result: LoadResult,
) -> None:
    table = files[0].table
    seen = {pf.file.key: _seen(con, pf.file.key, checksums[pf.file.key]) for pf in files}
    current = con.execute(
        f"SELECT count(*) FROM {LOADS_TABLE} WHERE raw_table = ? AND partition_key = ? AND delivery_id = ? "
        "AND status = 'loaded'",
        [table.qualified_name, partition, delivery],
    ).fetchone()[0]
    if current == len(files) and all(s == "loaded" for s in seen.values()):
        result.files_unchanged += len(files)
        return
    if any(s == "quarantined" for s in seen.values()):
        # Already reported; it stays quarantined until a corrected file (new checksum) arrives.
        result.files_unchanged += len(files)
        return
    if files[0].delivery is None:
        duplicate = _duplicate_of(con, table, files[0], checksums[files[0].file.key])
        if duplicate:
            pf = files[0]
            _record(
                con,
                source.slug,
                table,
                pf.file.key,
                checksums[pf.file.key],
                pf.file.size,
                status="skipped",
                error=f"same contents as {duplicate}, already loaded",
                at=run_at,
                partition=partition,
                delivery=delivery,
            )
            result.files_skipped += 1
            return

    con.execute("BEGIN TRANSACTION")
    try:
        load_ids = []
        rows_total = 0
        for pf in files:
            load_id = uuid.uuid4().hex
            rows = _insert_file(con, source, pf, load_id, run_at)
            period = pf.billing_period or _periods(con, table, load_id)
            _record(
                con,
                source.slug,
                table,
                pf.file.key,
                checksums[pf.file.key],
                pf.file.size,
                status="loaded",
                at=run_at,
                rows=rows,
                period=period,
                partition=partition,
                delivery=delivery,
                load_id=load_id,
            )
            load_ids.append(load_id)
            rows_total += rows
        replaced = _replace_earlier(con, table, partition, load_ids)
        con.execute("COMMIT")
    except BadFileError as error:
        con.execute("ROLLBACK")
        _quarantine(con, source.slug, files, checksums, error, run_at, result)
        return
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        bad = next(pf for pf in files if pf.file.key == getattr(exc, "_aicost_file", files[0].file.key))
        _quarantine(con, source.slug, files, checksums, _explain(con, bad, exc), run_at, result)
        return
    result.files_loaded += len(files)
    result.rows_loaded += rows_total
    result.files_replaced += replaced


def _insert_file(
    con: duckdb.DuckDBPyConnection, source: Source, pf: PlannedFile, load_id: str, run_at: datetime
) -> int:
    table = pf.table
    arrow_name = None
    try:
        if pf.format == "csv":
            select = readers.csv_select(pf.file, table)
        elif pf.format == "parquet":
            select = readers.parquet_select(con, pf.file, table)
        else:
            arrow_name = f"_incoming_{load_id}"
            con.register(arrow_name, source.parse(pf))
            select = readers.arrow_select(arrow_name)
        columns = [readers.sql_ident(c.name) for c in table.columns]
        lineage = [name for name, _ in LINEAGE_COLUMNS]
        sql = (
            f"INSERT INTO {table.qualified_name} ({', '.join(columns + lineage)}) "
            f"SELECT {', '.join(columns)}, ?, _source_row, ?, ? FROM ({select}) AS incoming"
        )
        try:
            return con.execute(sql, [pf.file.key, run_at, load_id]).fetchone()[0]
        except duckdb.Error as exc:
            exc._aicost_file = pf.file.key  # type: ignore[attr-defined]
            raise
    finally:
        if arrow_name:
            con.unregister(arrow_name)


def _explain(con: duckdb.DuckDBPyConnection, pf: PlannedFile, exc: duckdb.Error) -> BadFileError:
    if pf.format == "parquet":
        return readers.locate_parquet_error(con, pf.file, pf.table)
    return readers.bad_file_from_duckdb(pf.file, exc)


def _periods(con: duckdb.DuckDBPyConnection, table: RawTable, load_id: str) -> str | None:
    if not table.period_column:
        return None
    col = readers.sql_ident(table.period_column)
    row = con.execute(
        f"SELECT string_agg(DISTINCT strftime({col}, '%Y-%m'), ',' ORDER BY strftime({col}, '%Y-%m')) "
        f"FROM {table.qualified_name} WHERE _load_id = ?",
        [load_id],
    ).fetchone()
    return row[0] if row else None


def _duplicate_of(con: duckdb.DuckDBPyConnection, table: RawTable, pf: PlannedFile, sha: str) -> str | None:
    row = con.execute(
        f"SELECT path FROM {LOADS_TABLE} WHERE raw_table = ? AND sha256 = ? AND status = 'loaded' "
        "AND path <> ? LIMIT 1",
        [table.qualified_name, sha, pf.file.key],
    ).fetchone()
    return row[0] if row else None


def _replace_earlier(con: duckdb.DuckDBPyConnection, table: RawTable, partition: str, new_load_ids: list[str]) -> int:
    # Everything else loaded for the partition is superseded by this delivery, whatever its delivery id:
    # a delivery re-sent under the same id with other contents must not be counted twice either.
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


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    slug: str,
    files: list[PlannedFile],
    checksums: dict[str, str],
    error: BadFileError,
    run_at: datetime,
    result: LoadResult,
) -> None:
    for pf in files:
        sha = checksums[pf.file.key]
        if _seen(con, pf.file.key, sha) == "quarantined":
            continue
        if pf.file.key == error.file:
            message = error.message
        else:
            message = f"not loaded: another file of the same delivery is bad ({error.message})"
        _record(
            con,
            slug,
            pf.table,
            pf.file.key,
            sha,
            pf.file.size,
            status="quarantined",
            error=message,
            at=run_at,
            period=pf.billing_period,
            partition=pf.partition,
            delivery=pf.delivery or sha,
        )
        log.error("quarantined %s", message)
        result.quarantined.append(message)


def _record(
    con: duckdb.DuckDBPyConnection,
    slug: str,
    table: RawTable | None,
    path: str,
    sha: str,
    size: int,
    *,
    status: str,
    at: datetime,
    error: str | None = None,
    rows: int | None = None,
    period: str | None = None,
    partition: str | None = None,
    delivery: str | None = None,
    load_id: str | None = None,
) -> None:
    con.execute(
        f"INSERT INTO {LOADS_TABLE} (load_id, source, raw_table, path, sha256, bytes, rows, billing_period, "
        "partition_key, delivery_id, status, error, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id or uuid.uuid4().hex,
            slug,
            table.qualified_name if table else None,
            path,
            sha,
            size,
            rows,
            period,
            partition,
            delivery,
            status,
            error,
            at,
        ],
    )
