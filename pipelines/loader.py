"""The one idempotent load path: landing files -> ``raw_<slug>.*``, recorded in ``raw._loads``.

Rules (DESIGN.md invariants 3 and 6):
* A file is identified by its path and SHA-256. Seeing the same file again is a no-op (and a file whose
  path, size and modification time are unchanged is not even read); the same contents under another path
  are recorded as ``skipped`` and not loaded twice.
* Files load in deliveries. Loading a delivery of a partition replaces (deletes) the rows of every earlier
  load of that partition, whose manifest rows become ``replaced``. A CUR billing period is a partition and
  its manifest a delivery; for other sources the partition is the file path, so a rewritten file replaces
  its previous version.
* A file that cannot be read is ``quarantined`` with file, line, column and reason; nothing of its delivery
  is loaded, the previous delivery stays in place, and the other deliveries still load.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from pipelines import manifest, pseudonyms, readers
from pipelines.contracts import LINEAGE_COLUMNS, RawTable
from pipelines.errors import BadFileError
from pipelines.landing import Landing, LandingFile
from pipelines.manifest import LOADS_TABLE, Entry
from pipelines.sources.base import PlannedFile, Source

__all__ = ["LOADS_TABLE", "LoadResult", "ensure_tables", "load_source"]

log = logging.getLogger(__name__)

# (partition, delivery id, files): the unit that loads or fails as a whole.
Delivery = tuple[str, str, list[PlannedFile]]


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
    """Creates ``raw._loads`` and the raw schema and tables of a source if they do not exist.

    A contract that gained columns since the table was created (an upgrade) gets them added, NULL for the
    rows already loaded, so an existing warehouse keeps working without a reload.
    """
    manifest.ensure_manifest(con)
    for table in tables:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.schema}")
        con.execute(table.create_sql())
        existing = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [table.schema, table.name],
            ).fetchall()
        }
        for col in table.columns:
            if col.name not in existing:
                log.info("%s: adding column %s %s (new in the contract)", table.qualified_name, col.name, col.type)
                con.execute(f"ALTER TABLE {table.qualified_name} ADD COLUMN {readers.sql_ident(col.name)} {col.type}")


def _values(table: RawTable) -> str:
    """The contract columns as inserted: pseudonymised columns hashed when a salt is configured."""
    hashed = table.pseudonymised if pseudonyms.salt() else frozenset()
    return ", ".join(
        pseudonyms.sql_expression(readers.sql_ident(c.name)) if c.name in hashed else readers.sql_ident(c.name)
        for c in table.columns
    )


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
    run = _SourceLoad(con, source, datetime.now(UTC))
    result = LoadResult(source=source.slug)
    plan = source.plan(landing)

    for file, reason in plan.ignored:
        sha = run.checksum(file)
        if not manifest.last_status(con, file.key, sha):
            manifest.record(con, Entry(source.slug, None, file, sha, "skipped", run.at, error=reason))
            result.files_skipped += 1

    rejected: set[str] = set()
    for files, error in plan.rejected:
        rejected.update(pf.file.key for pf in files)
        run.quarantine(files, error, result)

    grouped: dict[tuple[str, str, str], list[PlannedFile]] = defaultdict(list)
    for pf in plan.files:
        if pf.file.key not in rejected:
            grouped[(pf.table.qualified_name, pf.partition, pf.delivery or run.checksum(pf.file))].append(pf)
    deliveries = [(partition, delivery, files) for (_, partition, delivery), files in sorted(grouped.items())]
    if deliveries:
        run.load(deliveries, result)
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


class _DeliveryFailed(Exception):
    """A delivery that could not be loaded; ``explain`` gives the quarantine message."""

    def __init__(
        self, error: BadFileError | None = None, bad: PlannedFile | None = None, cause: duckdb.Error | None = None
    ) -> None:
        super().__init__(error.message if error else str(cause))
        self.error = error
        self.bad = bad
        self.cause = cause

    def explain(self, con: duckdb.DuckDBPyConnection) -> BadFileError:
        """The quarantine message; call after ROLLBACK (finding the bad record needs a usable connection)."""
        if self.error is None:
            assert self.bad is not None and self.cause is not None
            if self.bad.format == "parquet":
                self.error = readers.locate_parquet_error(con, self.bad.file, self.bad.table, self.bad.column_map)
            else:
                self.error = readers.bad_file_from_duckdb(self.bad.file, self.cause)
        return self.error


class _SourceLoad:
    """One run of the loader over one source: its connection, time and checksums."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, at: datetime) -> None:
        self.con = con
        self.source = source
        self.at = at
        self._checksums: dict[str, str] = {}

    def checksum(self, file: LandingFile) -> str:
        """SHA-256 of a file, read once per run, and not at all when the manifest already knows it."""
        if file.key not in self._checksums:
            self._checksums[file.key] = manifest.known_checksum(self.con, file) or file.sha256()
        return self._checksums[file.key]

    def record(self, pf: PlannedFile, status: str, **details: object) -> None:
        """Adds a manifest row for a planned file of this run (source, table, file, checksum and time filled in)."""
        manifest.record(
            self.con, Entry(self.source.slug, pf.table, pf.file, self.checksum(pf.file), status, self.at, **details)
        )

    def load(self, deliveries: list[Delivery], result: LoadResult) -> None:
        """Loads deliveries: all together in one transaction when every file is good, else one by one.

        Together means one commit and one parallel scan per table over all new Parquet files, several
        times faster than a statement and a commit per file. Only when a file turns out bad is the run
        rolled back and redone delivery by delivery (file by file), so that the bad delivery is quarantined
        with its file, line and column, and every other delivery still loads.
        """
        attempt = LoadResult(source=self.source.slug)
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._insert([d for d in deliveries if self._is_new(d, attempt)], attempt, together=True)
            self.con.execute("COMMIT")
        except _DeliveryFailed:
            self.con.execute("ROLLBACK")
        else:
            result.merge(attempt)
            return
        for delivery in deliveries:
            attempt = LoadResult(source=self.source.slug)
            self.con.execute("BEGIN TRANSACTION")
            try:
                if self._is_new(delivery, attempt):
                    self._insert([delivery], attempt, together=False)
                self.con.execute("COMMIT")
            except _DeliveryFailed as failed:
                self.con.execute("ROLLBACK")
                self.quarantine(delivery[2], failed.explain(self.con), result)
            else:
                result.merge(attempt)

    def quarantine(self, files: list[PlannedFile], error: BadFileError, result: LoadResult) -> None:
        """Records the files of a bad delivery as quarantined (once per file version)."""
        for pf in files:
            sha = self.checksum(pf.file)
            if manifest.last_status(self.con, pf.file.key, sha) == "quarantined":
                continue
            if pf.file.key == error.file:
                message = error.message
            else:
                message = f"not loaded: another file of the same delivery is bad ({error.message})"
            self.record(
                pf,
                "quarantined",
                error=message,
                period=pf.billing_period,
                partition=pf.partition,
                delivery=pf.delivery or sha,
            )
            log.error("quarantined %s", message)
            result.quarantined.append(message)

    def _is_new(self, delivery: Delivery, result: LoadResult) -> bool:
        """Whether a delivery must load; counts unchanged ones and records duplicate contents as skipped."""
        partition, delivery_id, files = delivery
        table = files[0].table
        statuses = [manifest.last_status(self.con, pf.file.key, self.checksum(pf.file)) for pf in files]
        if all(s == "loaded" for s in statuses) and manifest.loaded_in_delivery(
            self.con, table, partition, delivery_id
        ) == len(files):
            result.files_unchanged += len(files)
            return False
        if "quarantined" in statuses:
            # Already reported; it stays quarantined until a corrected file (new checksum) arrives.
            result.files_unchanged += len(files)
            return False
        if files[0].delivery is None:
            pf = files[0]
            duplicate = manifest.loaded_elsewhere(self.con, table, pf.file.key, self.checksum(pf.file))
            if duplicate:
                self.record(
                    pf,
                    "skipped",
                    error=f"same contents as {duplicate}, already loaded",
                    partition=partition,
                    delivery=delivery_id,
                )
                result.files_skipped += 1
                return False
        return True

    def _insert(self, deliveries: list[Delivery], result: LoadResult, together: bool) -> None:
        """Inserts the files of new deliveries, records them and replaces earlier loads of their partitions."""
        files = [pf for _, _, delivery_files in deliveries for pf in delivery_files]
        load_ids = {pf.file.key: uuid.uuid4().hex for pf in files}
        if together:
            # Parquet files of one table share a scan, unless they name their columns their own way.
            parquet: dict[str, list[PlannedFile]] = defaultdict(list)
            for pf in files:
                if pf.format == "parquet" and pf.column_map is None:
                    parquet[pf.table.qualified_name].append(pf)
            groups = [[pf] for pf in files if pf.format != "parquet" or pf.column_map is not None]
            groups += list(parquet.values())
        else:
            groups = [[pf] for pf in files]
        for group in groups:
            try:
                self._insert_group(group, load_ids)
            except BadFileError as error:
                raise _DeliveryFailed(error) from error
            except duckdb.Error as exc:
                raise _DeliveryFailed(bad=group[0] if len(group) == 1 else None, cause=exc) from exc

        self._check_rows(files, load_ids)
        stats = self._stats(files, load_ids)
        for partition, delivery_id, delivery_files in deliveries:
            for pf in delivery_files:
                rows, periods = stats.get(load_ids[pf.file.key], (0, None))
                self.record(
                    pf,
                    "loaded",
                    rows=rows,
                    period=pf.billing_period or periods,
                    partition=partition,
                    delivery=delivery_id,
                    load_id=load_ids[pf.file.key],
                )
                result.files_loaded += 1
                result.rows_loaded += rows
            new_ids = [load_ids[pf.file.key] for pf in delivery_files]
            result.files_replaced += manifest.replace_earlier(self.con, delivery_files[0].table, partition, new_ids)

    def _insert_group(self, files: list[PlannedFile], load_ids: dict[str, str]) -> None:
        """One INSERT for a group of files of one table, with the pseudonym salt set while it runs."""
        secret = pseudonyms.salt() if files[0].table.pseudonymised else None
        if secret:
            self.con.execute(f"SET VARIABLE {pseudonyms.SALT_VARIABLE} = ?", [secret])
        try:
            self._insert_group_rows(files, load_ids)
        finally:
            if secret:
                self.con.execute(f"RESET VARIABLE {pseudonyms.SALT_VARIABLE}")

    def _insert_group_rows(self, files: list[PlannedFile], load_ids: dict[str, str]) -> None:
        """One INSERT for a group of files of one table (several only for Parquet)."""
        table = files[0].table
        columns = ", ".join(readers.sql_ident(c.name) for c in table.columns)
        values = _values(table)
        lineage = ", ".join(name for name, _ in LINEAGE_COLUMNS)
        if files[0].format == "parquet":
            select = readers.parquet_select(self.con, [pf.file for pf in files], table, files[0].column_map)
            self.con.execute(
                f"INSERT INTO {table.qualified_name} ({columns}, {lineage}) "
                f"SELECT {values}, files.file_key, incoming._source_row, ?, files.load_id "
                f"FROM ({select}) AS incoming JOIN (SELECT unnest(?::VARCHAR[]) AS local_path, "
                "unnest(?::VARCHAR[]) AS file_key, unnest(?::VARCHAR[]) AS load_id) AS files "
                "ON incoming._source_path = files.local_path",
                [
                    self.at,
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
                select = readers.csv_select(pf.file, table, pf.column_map)
            elif pf.format == "jsonl":
                select = readers.jsonl_select(pf.file, table)
            else:
                arrow_name = f"_incoming_{load_ids[pf.file.key]}"
                self.con.register(arrow_name, self.source.parse(pf))
                select = readers.arrow_select(arrow_name)
            self.con.execute(
                f"INSERT INTO {table.qualified_name} ({columns}, {lineage}) "
                f"SELECT {values}, ?, _source_row, ?, ? FROM ({select}) AS incoming",
                [pf.file.key, self.at, load_ids[pf.file.key]],
            )
        finally:
            if arrow_name:
                self.con.unregister(arrow_name)

    def _check_rows(self, files: list[PlannedFile], load_ids: dict[str, str]) -> None:
        """Applies each table's row rules to the rows just inserted; the first violation fails its delivery."""
        for pf in files:
            for check in pf.table.checks:
                bad = self.con.execute(
                    f"SELECT _source_row, CAST({readers.sql_ident(check.column)} AS VARCHAR) "
                    f"FROM {pf.table.qualified_name} WHERE _load_id = ? AND NOT coalesce(({check.condition}), true) "
                    "ORDER BY _source_row LIMIT 1",
                    [load_ids[pf.file.key]],
                ).fetchall()
                bad = bad[0] if bad else None
                if bad:
                    # CSV lines count the header; Parquet and JSON records are numbered from 1.
                    line = bad[0] + 1 if pf.format == "csv" else bad[0]
                    error = BadFileError(
                        pf.file.key, f"value {bad[1]!r} {check.reason}", line=line, column=check.column
                    )
                    raise _DeliveryFailed(error)

    def _stats(self, files: list[PlannedFile], load_ids: dict[str, str]) -> dict[str, tuple[int, str | None]]:
        """Rows and billing periods (``YYYY-MM`` list) per new load id, one scan per table."""
        stats: dict[str, tuple[int, str | None]] = {}
        by_table: dict[str, tuple[RawTable, list[str]]] = {}
        for pf in files:
            by_table.setdefault(pf.table.qualified_name, (pf.table, []))[1].append(load_ids[pf.file.key])
        for table, ids in by_table.values():
            month = f"strftime({readers.sql_ident(table.period_column)}, '%Y-%m')" if table.period_column else None
            periods_sql = f"string_agg(DISTINCT {month}, ',' ORDER BY {month})" if month else "NULL"
            for load_id, rows, periods in self.con.execute(
                f"SELECT _load_id, count(*), {periods_sql} "
                f"FROM {table.qualified_name} WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY _load_id",
                [ids],
            ).fetchall():
                stats[load_id] = (rows, periods)
        return stats
