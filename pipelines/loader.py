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
from pipelines.landing import Landing, LandingFile
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

    def merge(self, other: LoadResult) -> None:
        """Adds the counts of ``other`` (a committed part of the same load)."""
        self.files_loaded += other.files_loaded
        self.rows_loaded += other.rows_loaded
        self.files_unchanged += other.files_unchanged
        self.files_skipped += other.files_skipped
        self.files_replaced += other.files_replaced
        self.quarantined += other.quarantined


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> None:
    """Creates ``raw._loads`` and the raw schema and tables of a source if they do not exist."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(_LOADS_DDL)
    # Warehouses created before file_version existed gain it in place.
    con.execute(f"ALTER TABLE {LOADS_TABLE} ADD COLUMN IF NOT EXISTS file_version VARCHAR")
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
    checksums = {pf.file.key: _checksum(con, pf.file) for pf in [*plan.files, *rejected_files]}

    for file, reason in plan.ignored:
        sha = _checksum(con, file)
        if not _seen(con, file.key, sha):
            _record(con, source.slug, None, file, sha, status="skipped", error=reason, at=run_at)
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

    ordered = [(partition, delivery, files) for (_, partition, delivery), files in sorted(batches.items())]
    if ordered:
        _load_batches(con, source, ordered, checksums, run_at, result)
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


def _checksum(con: duckdb.DuckDBPyConnection, file: LandingFile) -> str:
    """SHA-256 of a file; reused from the manifest when the same path, size and version was seen before.

    A nightly run then reads only new or rewritten files, not the whole history in the landing zone.
    """
    if file.version:
        row = con.execute(
            f"SELECT sha256 FROM {LOADS_TABLE} WHERE path = ? AND bytes = ? AND file_version = ? "
            "ORDER BY loaded_at DESC LIMIT 1",
            [file.key, file.size, file.version],
        ).fetchone()
        if row:
            return row[0]
    return file.sha256()


def _seen(con: duckdb.DuckDBPyConnection, path: str, sha: str) -> str | None:
    row = con.execute(
        f"SELECT status FROM {LOADS_TABLE} WHERE path = ? AND sha256 = ? ORDER BY loaded_at DESC, load_id LIMIT 1",
        [path, sha],
    ).fetchone()
    return row[0] if row else None


class _BatchFailed(Exception):
    """A delivery that could not be loaded; carries the quarantine message."""

    def __init__(
        self,
        files: list[PlannedFile],
        error: BadFileError | None = None,
        bad: PlannedFile | None = None,
        cause: duckdb.Error | None = None,
    ) -> None:
        super().__init__(error.message if error else str(cause))
        self.files = files
        self.error = error
        self.bad = bad
        self.cause = cause

    def explain(self, con: duckdb.DuckDBPyConnection) -> BadFileError:
        """The quarantine message; call after ROLLBACK (finding the bad record needs a usable connection)."""
        if self.error is None:
            assert self.bad is not None and self.cause is not None
            self.error = _explain(con, self.bad, self.cause)
        return self.error


def _load_batches(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    batches: list[tuple[str, str, list[PlannedFile]]],
    checksums: dict[str, str],
    run_at: datetime,
    result: LoadResult,
) -> None:
    """Loads deliveries: all together in one transaction when every file is good, else one by one.

    Together means one commit and one parallel scan per table over all new Parquet files, several times
    faster than a statement and a commit per file. Only when a file turns out bad is the run rolled back
    and redone delivery by delivery (file by file), so the bad delivery is quarantined with its file, line
    and column, and every other delivery still loads.
    """
    attempt = LoadResult(source=source.slug)
    con.execute("BEGIN TRANSACTION")
    try:
        pending = [b for b in batches if _needs_load(con, source, *b, checksums, run_at, attempt)]
        _insert_batches(con, source, pending, checksums, run_at, attempt, together=True)
        con.execute("COMMIT")
    except _BatchFailed:
        con.execute("ROLLBACK")
    else:
        result.merge(attempt)
        return
    for batch in batches:
        attempt = LoadResult(source=source.slug)
        con.execute("BEGIN TRANSACTION")
        try:
            if _needs_load(con, source, *batch, checksums, run_at, attempt):
                _insert_batches(con, source, [batch], checksums, run_at, attempt, together=False)
            con.execute("COMMIT")
        except _BatchFailed as failed:
            con.execute("ROLLBACK")
            _quarantine(con, source.slug, batch[2], checksums, failed.explain(con), run_at, result)
        else:
            result.merge(attempt)


def _needs_load(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    partition: str,
    delivery: str,
    files: list[PlannedFile],
    checksums: dict[str, str],
    run_at: datetime,
    result: LoadResult,
) -> bool:
    """Whether a delivery is new; records unchanged deliveries and duplicate contents as such."""
    table = files[0].table
    seen = {pf.file.key: _seen(con, pf.file.key, checksums[pf.file.key]) for pf in files}
    current = con.execute(
        f"SELECT count(*) FROM {LOADS_TABLE} WHERE raw_table = ? AND partition_key = ? AND delivery_id = ? "
        "AND status = 'loaded'",
        [table.qualified_name, partition, delivery],
    ).fetchone()[0]
    if current == len(files) and all(s == "loaded" for s in seen.values()):
        result.files_unchanged += len(files)
        return False
    if any(s == "quarantined" for s in seen.values()):
        # Already reported; it stays quarantined until a corrected file (new checksum) arrives.
        result.files_unchanged += len(files)
        return False
    if files[0].delivery is None:
        pf = files[0]
        duplicate = _duplicate_of(con, table, pf, checksums[pf.file.key])
        if duplicate:
            _record(
                con,
                source.slug,
                table,
                pf.file,
                checksums[pf.file.key],
                status="skipped",
                error=f"same contents as {duplicate}, already loaded",
                at=run_at,
                partition=partition,
                delivery=delivery,
            )
            result.files_skipped += 1
            return False
    return True


def _insert_batches(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    batches: list[tuple[str, str, list[PlannedFile]]],
    checksums: dict[str, str],
    run_at: datetime,
    result: LoadResult,
    together: bool,
) -> None:
    """Inserts the files of new deliveries, records them in the manifest and replaces earlier loads."""
    load_ids = {pf.file.key: uuid.uuid4().hex for _, _, files in batches for pf in files}
    all_files = [pf for _, _, files in batches for pf in files]
    groups: list[list[PlannedFile]] = []
    if together:
        parquet_by_table: dict[str, list[PlannedFile]] = defaultdict(list)
        for pf in all_files:
            if pf.format == "parquet":
                parquet_by_table[pf.table.qualified_name].append(pf)
            else:
                groups.append([pf])
        groups += list(parquet_by_table.values())
    else:
        groups = [[pf] for pf in all_files]
    for group in groups:
        try:
            _insert_files(con, source, group, load_ids, run_at)
        except BadFileError as error:
            raise _BatchFailed(group, error) from error
        except duckdb.Error as exc:
            raise _BatchFailed(group, bad=group[0] if len(group) == 1 else None, cause=exc) from exc

    stats = _load_stats(con, all_files, load_ids)
    for partition, delivery, files in batches:
        table = files[0].table
        for pf in files:
            rows, periods = stats.get(load_ids[pf.file.key], (0, None))
            _record(
                con,
                source.slug,
                table,
                pf.file,
                checksums[pf.file.key],
                status="loaded",
                at=run_at,
                rows=rows,
                period=pf.billing_period or periods,
                partition=partition,
                delivery=delivery,
                load_id=load_ids[pf.file.key],
            )
            result.files_loaded += 1
            result.rows_loaded += rows
        new_ids = [load_ids[pf.file.key] for pf in files]
        result.files_replaced += _replace_earlier(con, table, partition, new_ids)


def _insert_files(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    files: list[PlannedFile],
    load_ids: dict[str, str],
    run_at: datetime,
) -> None:
    """One INSERT for a group of files of one table (several only for Parquet)."""
    table = files[0].table
    columns = ", ".join(readers.sql_ident(c.name) for c in table.columns)
    lineage = ", ".join(name for name, _ in LINEAGE_COLUMNS)
    if files[0].format == "parquet":
        select = readers.parquet_select(con, [pf.file for pf in files], table)
        con.execute(
            f"INSERT INTO {table.qualified_name} ({columns}, {lineage}) "
            f"SELECT {columns}, files.file_key, incoming._source_row, ?, files.load_id "
            f"FROM ({select}) AS incoming JOIN (SELECT unnest(?::VARCHAR[]) AS local_path, "
            "unnest(?::VARCHAR[]) AS file_key, unnest(?::VARCHAR[]) AS load_id) AS files "
            "ON incoming._source_path = files.local_path",
            [
                run_at,
                [str(pf.file.local_path) for pf in files],
                [pf.file.key for pf in files],
                [load_ids[pf.file.key] for pf in files],
            ],
        )
        return
    (pf,) = files
    arrow_name = None
    try:
        if pf.format == "csv":
            select = readers.csv_select(pf.file, table)
        else:
            arrow_name = f"_incoming_{load_ids[pf.file.key]}"
            con.register(arrow_name, source.parse(pf))
            select = readers.arrow_select(arrow_name)
        con.execute(
            f"INSERT INTO {table.qualified_name} ({columns}, {lineage}) "
            f"SELECT {columns}, ?, _source_row, ?, ? FROM ({select}) AS incoming",
            [pf.file.key, run_at, load_ids[pf.file.key]],
        )
    finally:
        if arrow_name:
            con.unregister(arrow_name)


def _load_stats(
    con: duckdb.DuckDBPyConnection, files: list[PlannedFile], load_ids: dict[str, str]
) -> dict[str, tuple[int, str | None]]:
    """Rows and billing periods (``YYYY-MM`` list) per new load id, one scan per table."""
    stats: dict[str, tuple[int, str | None]] = {}
    by_table: dict[str, tuple[RawTable, list[str]]] = {}
    for pf in files:
        by_table.setdefault(pf.table.qualified_name, (pf.table, []))[1].append(load_ids[pf.file.key])
    for table, ids in by_table.values():
        month = f"strftime({readers.sql_ident(table.period_column)}, '%Y-%m')" if table.period_column else "NULL"
        for load_id, rows, periods in con.execute(
            f"SELECT _load_id, count(*), string_agg(DISTINCT {month}, ',' ORDER BY {month}) "
            f"FROM {table.qualified_name} WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY _load_id",
            [ids],
        ).fetchall():
            stats[load_id] = (rows, periods)
    return stats


def _explain(con: duckdb.DuckDBPyConnection, pf: PlannedFile, exc: duckdb.Error) -> BadFileError:
    if pf.format == "parquet":
        return readers.locate_parquet_error(con, pf.file, pf.table)
    return readers.bad_file_from_duckdb(pf.file, exc)


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
            pf.file,
            sha,
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
    file: LandingFile,
    sha: str,
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
        f"INSERT INTO {LOADS_TABLE} (load_id, source, raw_table, path, sha256, bytes, file_version, rows, "
        "billing_period, partition_key, delivery_id, status, error, loaded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id or uuid.uuid4().hex,
            slug,
            table.qualified_name if table else None,
            file.key,
            sha,
            file.size,
            file.version,
            rows,
            period,
            partition,
            delivery,
            status,
            error,
            at,
        ],
    )
