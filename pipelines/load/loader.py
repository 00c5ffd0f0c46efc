"""The one idempotent load path: landing files -> ``raw_<slug>.*``, recorded in ``raw._loads``.

Rules (DESIGN.md "Load rules" and invariants 3 and 6):

* A file is identified by its path and SHA-256. Seeing the same file again is a no-op (a file whose path,
  size and modification time are unchanged is not even read). The same contents under another path are
  recorded as ``skipped`` (``duplicate_of`` names the copy that counts), whatever the source, inside one
  delivery or across deliveries; when that copy goes away, the skipped file loads on the next run.
* Files load in deliveries. Loading a delivery of a partition replaces (deletes) the rows of every earlier
  load of that partition (``replaced``). A CUR billing period of one export is a partition and its manifest
  a delivery; for other sources the partition is the file path, so a rewritten file replaces its previous
  version. Deliveries of different partitions that cover the same billing scope are resolved by
  ``pipelines.load.overlaps`` (the newest delivery counts).
* A file that vanished from the landing zone stops counting: its rows are deleted (``removed``).
* A file that cannot be read, breaks a row rule, or holds another number of rows than its manifest states
  is ``quarantined`` with file, line, field and reason; nothing of its delivery is loaded, the previous
  delivery stays in place, and the other deliveries still load.
* Request-level tables name a unique key: the same request id in two files is counted once downstream
  (the first load wins) and the later load records how many ids it repeated (``duplicate_rows``).
* Fields a file has that the contract does not know are recorded as schema drift, never a reason to
  refuse the file.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb

from pipelines.landing import Landing, LandingFile, RefusedFile
from pipelines.load import drift, manifest, overlaps, pseudonyms, readers, verify
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError
from pipelines.load.manifest import LOADS_TABLE, Entry
from pipelines.sources.base import LoadOptions, PlannedFile, Source

__all__ = ["LOADS_TABLE", "LoadResult", "ensure_tables", "load_source"]

log = logging.getLogger(__name__)

# (partition, delivery id, files): the unit that loads or fails as a whole.
Delivery = tuple[str, str, list[PlannedFile]]
# Passes over the deliveries of one run: a pass that replaced or removed rows may free a skipped duplicate.
_MAX_PASSES = 3
# Raw tables whose files are to be read again (a contract column was added after they were loaded).
REREADS_TABLE = "raw._rereads"
_REREADS_DDL = f"""
CREATE TABLE IF NOT EXISTS {REREADS_TABLE} (
    raw_table VARCHAR PRIMARY KEY,
    reason VARCHAR NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
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
        files_removed: Previously loaded files that vanished from the landing zone (their rows deleted).
        quarantined: Messages of quarantined files (file, line, column, reason).
        notes: What else happened that an operator should know (duplicates resolved, deliveries superseded).
    """

    source: str
    files_loaded: int = 0
    rows_loaded: int = 0
    files_unchanged: int = 0
    files_skipped: int = 0
    files_replaced: int = 0
    files_removed: int = 0
    quarantined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def merge(self, other: LoadResult) -> None:
        """Adds the counts of ``other`` (a committed part of the same load)."""
        self.files_loaded += other.files_loaded
        self.rows_loaded += other.rows_loaded
        self.files_unchanged += other.files_unchanged
        self.files_skipped += other.files_skipped
        self.files_replaced += other.files_replaced
        self.files_removed += other.files_removed
        self.quarantined += other.quarantined
        self.notes += other.notes


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> None:
    """Creates the manifest tables and the raw schema and tables of a source if they do not exist.

    A contract that gained columns since the table was created (an upgrade) gets them added, NULL for the
    rows already loaded, and the table is marked for a re-read (``raw._rereads``): the next load reads its
    files that are still in the landing zone again, so the new column is filled for them too.
    """
    manifest.ensure_manifest(con)
    con.execute(_REREADS_DDL)
    overlaps.ensure_scopes(con)
    drift.ensure_drift(con)
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
        wanted = [(c.name, c.type) for c in table.columns] + list(table.lineage_columns)
        added = [name for name, _ in wanted if name not in existing]
        for name, kind in wanted:
            if name not in existing:
                log.info("%s: adding column %s %s (new in the contract)", table.qualified_name, name, kind)
                con.execute(f"ALTER TABLE {table.qualified_name} ADD COLUMN {readers.sql_ident(name)} {kind}")
        contract_added = [name for name in added if name in {c.name for c in table.columns}]
        if contract_added and con.execute(f"SELECT count(*) > 0 FROM {table.qualified_name}").fetchone()[0]:
            con.execute(
                f"INSERT INTO {REREADS_TABLE} VALUES (?, ?, ?) ON CONFLICT (raw_table) DO NOTHING",
                [table.qualified_name, f"new contract column(s) {', '.join(contract_added)}", datetime.now(UTC)],
            )


def pending_rereads(con: duckdb.DuckDBPyConnection, tables: tuple[RawTable, ...]) -> set[str]:
    """The tables of a source whose loaded files must be read again (their contract gained a column)."""
    return {
        r[0]
        for r in con.execute(
            f"SELECT raw_table FROM {REREADS_TABLE} WHERE raw_table IN (SELECT unnest(?::VARCHAR[]))",
            [[t.qualified_name for t in tables]],
        ).fetchall()
    }


def _values(table: RawTable, salt: str | None) -> str:
    """The contract columns as inserted: pseudonymised columns hashed when a salt is configured."""
    hashed = table.pseudonymised if salt else frozenset()
    return ", ".join(
        pseudonyms.sql_expression(readers.sql_ident(c.name)) if c.name in hashed else readers.sql_ident(c.name)
        for c in table.columns
    )


def _is_transient(exc: duckdb.Error) -> bool:
    """Whether an error is the machine's (memory, disk, an interrupt), not the file's."""
    if isinstance(exc, duckdb.OutOfMemoryException | duckdb.InterruptException):
        return True
    text = str(exc).lower()
    return "no space left" in text or "disk quota" in text or "could not write" in text


class _ListingRecorder:
    """A landing zone that remembers every key it listed (to tell which loaded files have vanished)."""

    def __init__(self, landing: Landing) -> None:
        self._landing = landing
        self.uri = landing.uri
        self.keys: set[str] = set()

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        for file in self._landing.list_files(prefix, fetch=fetch):
            self.keys.add(file.key)
            yield file

    def refused(self, prefix: str) -> list[RefusedFile]:
        return self._landing.refused(prefix)


def load_source(
    con: duckdb.DuckDBPyConnection, source: Source, landing: Landing, options: LoadOptions | None = None
) -> LoadResult:
    """Loads every new delivery of one source from the landing zone.

    Args:
        con: Open warehouse connection.
        source: The source package.
        landing: Where its files are (under ``<slug>/``).
        options: What the load needs from the configuration (the current one when not given).

    Returns:
        Counts of what was loaded, skipped, replaced, removed and quarantined.
    """
    ensure_tables(con, source.tables)
    run = _SourceLoad(con, source, datetime.now(UTC), options or LoadOptions.from_config())
    run.rereads = pending_rereads(con, source.tables)
    if run.rereads:
        log.info("%s: reading loaded files again to fill new contract columns: %s", source.slug, sorted(run.rereads))
    result = LoadResult(source=source.slug)
    listing = _ListingRecorder(landing)
    plan = source.plan(listing)
    refused = listing.refused(source.slug)

    for item in refused:
        run.refuse(item, result)
    for file, reason in plan.ignored:
        sha = run.checksum(file)
        current = manifest.current_entry(con, file.key, sha)
        # Never seen, or quarantined in a delivery that a newer one has replaced: record why it is not loaded
        # (which also closes the old quarantine).
        if current is None or current.status == "quarantined":
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
    listed = listing.keys | {r.key for r in refused}
    folder_missing = not landing.exists(source.slug)
    for first_pass in (True, *([False] * (_MAX_PASSES - 1))):
        before = (result.files_replaced, result.files_removed)
        run.load(deliveries, result, count_unchanged=first_pass)
        # After loading, so that a file whose delivery was superseded counts as replaced, not removed.
        run.remove_vanished(listed, result, folder_missing)
        if (result.files_replaced, result.files_removed) == before:
            break
        run.rereads = set()  # read again once: later passes only follow what that freed
    con.execute(
        f"DELETE FROM {REREADS_TABLE} WHERE raw_table IN (SELECT unnest(?::VARCHAR[]))",
        [[t.qualified_name for t in source.tables]],
    )
    log.info(
        "%s: %d file(s) loaded (%d rows), %d unchanged, %d skipped, %d replaced, %d removed, %d quarantined",
        source.slug,
        result.files_loaded,
        result.rows_loaded,
        result.files_unchanged,
        result.files_skipped,
        result.files_replaced,
        result.files_removed,
        len(result.quarantined),
    )
    return result


class _DeliveryFailed(Exception):
    """A delivery that could not be loaded; ``explain`` gives the quarantine message.

    Attributes:
        error: The quarantine message when already known.
        bad: The file whose read failed (to locate the bad record after the rollback).
        cause: DuckDB's error.
        python_csv: Whether the bad file was read with Python's csv module (the fallback).
    """

    def __init__(
        self,
        error: BadFileError | None = None,
        bad: PlannedFile | None = None,
        cause: duckdb.Error | None = None,
        python_csv: bool = False,
    ) -> None:
        super().__init__(error.message if error else str(cause))
        self.error = error
        self.bad = bad
        self.cause = cause
        self.python_csv = python_csv

    @property
    def wants_python_csv(self) -> bool:
        """Whether DuckDB refused a CSV's layout, so Python's csv module should read it instead."""
        return (
            self.bad is not None
            and self.bad.format == "csv"
            and not self.python_csv
            and self.cause is not None
            and readers.is_csv_parser_error(self.cause)
        )

    def explain(self, con: duckdb.DuckDBPyConnection) -> BadFileError:
        """The quarantine message; call after ROLLBACK (finding the bad record needs a usable connection)."""
        if self.error is None:
            assert self.bad is not None and self.cause is not None
            try:
                self.error = self._locate(con)
            except (duckdb.Error, BadFileError, OSError) as exc:
                # The file is too broken even to find its bad record (a corrupt Parquet page): say what DuckDB said.
                log.info("%s: the bad record cannot be located (%s)", self.bad.file.key, exc)
                self.error = readers.bad_file_from_duckdb(self.bad.file, self.cause)
        return self.error

    def _locate(self, con: duckdb.DuckDBPyConnection) -> BadFileError:
        """The bad record of the failed file, found by reading it again."""
        assert self.bad is not None and self.cause is not None
        if self.bad.format == "parquet":
            return readers.locate_parquet_error(con, self.bad.file, self.bad.table, self.bad.column_map)
        if self.python_csv:
            records, lines = readers.csv_records_arrow(self.bad.file)
            name = f"_locate_{uuid.uuid4().hex}"
            con.register(name, records)
            try:
                return readers.locate_text_conversion_error(
                    con, self.bad.file, self.bad.table, self.bad.column_map, name, lines
                )
            finally:
                con.unregister(name)
        return readers.bad_file_from_duckdb(self.bad.file, self.cause)


class _SourceLoad:
    """One run of the loader over one source: its connection, time and checksums."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, at: datetime, options: LoadOptions) -> None:
        self.con = con
        self.source = source
        self.at = at
        self.options = options
        self._checksums: dict[str, str] = {}
        # CSV files DuckDB's reader refused although they may be valid CSV: read with Python's csv module.
        self._python_csv: set[str] = set()
        # Raw tables whose files in place are read again in this run (a contract column was added).
        self.rereads: set[str] = set()

    def checksum(self, file: LandingFile) -> str:
        """SHA-256 of a file, read once per run, and not at all when the manifest already knows it."""
        if file.key not in self._checksums:
            self._checksums[file.key] = manifest.known_checksum(self.con, file) or file.sha256()
        return self._checksums[file.key]

    def record(self, pf: PlannedFile, status: str, **details: object) -> str:
        """Adds a manifest row for a planned file of this run (source, table, file, checksum and time filled in)."""
        return manifest.record(
            self.con, Entry(self.source.slug, pf.table, pf.file, self.checksum(pf.file), status, self.at, **details)
        )

    def refuse(self, item: RefusedFile, result: LoadResult) -> None:
        """Quarantines a landing entry that is never read (a symlink leading outside the landing zone)."""
        file = LandingFile(key=item.key, local_path=Path(item.key), size=0, version="refused")
        marker = f"refused:{item.reason}"
        if manifest.last_status(self.con, item.key, marker) == "quarantined":
            return
        message = BadFileError(item.key, item.reason).message
        manifest.record(self.con, Entry(self.source.slug, None, file, marker, "quarantined", self.at, error=message))
        log.error("quarantined %s", message)
        result.quarantined.append(message)

    def remove_vanished(self, listed: set[str], result: LoadResult, folder_missing: bool) -> None:
        """Deletes the rows of files that are no longer in the landing zone (one transaction).

        A source folder that is missing altogether (an unmounted share, a wrong landing location) is not
        taken as every file having been deleted: nothing is removed and the source's check fails.
        """
        if folder_missing:
            self._report_missing_folder(result)
            return
        self._close_missing_folder()

        def remove() -> None:
            removed = manifest.remove_vanished(self.con, self.source.slug, self.source.tables, listed, self.at)
            for path in removed:
                result.notes.append(f"{path}: no longer in the landing zone; its rows no longer count")
            result.files_removed += len(removed)

        self._in_transaction(remove, result)

    def _report_missing_folder(self, result: LoadResult) -> None:
        present = self.con.execute(
            f"SELECT count(*) FROM {LOADS_TABLE} WHERE source = ? AND status IN {manifest.PRESENT}",
            [self.source.slug],
        ).fetchone()[0]
        if not present:
            return
        key = f"{self.source.slug}/"
        reason = (
            f"the landing has no {key} folder although {present} file(s) were loaded from it: nothing was "
            "removed (if the files were deleted on purpose, recreate the empty folder)"
        )
        marker = "missing-folder"
        if manifest.last_status(self.con, key, marker) != "quarantined":
            file = LandingFile(key=key, local_path=Path(key), size=0)
            manifest.record(
                self.con, Entry(self.source.slug, None, file, marker, "quarantined", self.at, error=f"{key}: {reason}")
            )
        result.quarantined.append(f"{key}: {reason}")

    def _close_missing_folder(self) -> None:
        key = f"{self.source.slug}/"
        if manifest.last_status(self.con, key, "missing-folder") == "quarantined":
            file = LandingFile(key=key, local_path=Path(key), size=0)
            manifest.record(
                self.con,
                Entry(self.source.slug, None, file, "missing-folder", "skipped", self.at, error="the folder is back"),
            )

    def _in_transaction(self, work: Callable[[], None], result: LoadResult) -> None:
        """Runs ``work()`` and the overlap resolution of the source's bill tables in one transaction."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            work()
            self._resolve(result)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _resolve(self, result: LoadResult) -> None:
        """Decides, per billing scope, which delivery counts where two exports overlap.

        Called inside every transaction that changes which files are present, so a crash never leaves
        two overlapping exports both counted.
        """
        for table in self.source.tables:
            if table.scope:
                result.notes += overlaps.resolve(self.con, table, self.at)

    def load(self, deliveries: list[Delivery], result: LoadResult, count_unchanged: bool = True) -> None:
        """Loads deliveries: all together in one transaction when every file is good, else one by one.

        Together means one commit and one parallel scan per table over all new Parquet files, several
        times faster than a statement and a commit per file. Only when a file turns out bad is the run
        rolled back and redone delivery by delivery (file by file), so that the bad delivery is quarantined
        with its file, line and column, and every other delivery still loads.

        Args:
            deliveries: The planned deliveries.
            result: Counts to add to.
            count_unchanged: Whether deliveries already in place count as unchanged (the first pass only).
        """
        unchanged = LoadResult(source=self.source.slug)
        todo = [d for d in deliveries if self._needs_load(d, unchanged)]
        if count_unchanged:
            result.files_unchanged += unchanged.files_unchanged
        if not todo:
            return
        attempt = LoadResult(source=self.source.slug)
        try:
            self._in_transaction(partial(self._insert, todo, attempt, together=True), attempt)
        except _DeliveryFailed:
            pass
        else:
            result.merge(attempt)
            return
        for delivery in todo:
            self._load_alone(delivery, result)

    def _load_alone(self, delivery: Delivery, result: LoadResult) -> None:
        """Loads one delivery in its own transaction; quarantines it when a file is bad."""
        while True:
            attempt = LoadResult(source=self.source.slug)
            try:
                self._in_transaction(partial(self._insert, [delivery], attempt, together=False), attempt)
            except _DeliveryFailed as failed:
                if failed.wants_python_csv:
                    assert failed.bad is not None
                    log.info(
                        "%s: DuckDB's CSV reader refused the file; reading it with Python's csv", failed.bad.file.key
                    )
                    self._python_csv.add(failed.bad.file.key)
                    continue
                self.quarantine(delivery[2], failed.explain(self.con), result)
            else:
                result.merge(attempt)
            return

    def quarantine(self, files: list[PlannedFile], error: BadFileError, result: LoadResult) -> None:
        """Records the files of a bad delivery as quarantined (once per file version)."""
        for pf in files:
            sha = self.checksum(pf.file)
            culprit = pf.file.key == error.file
            current = manifest.current_entry(self.con, pf.file.key, sha)
            if (
                current is not None
                and current.status == "quarantined"
                and current.expected_rows == pf.expected_rows
                and (current.blocked_by is None) == culprit
            ):
                continue  # reported already
            if culprit:
                message = error.message
            else:
                message = f"{pf.file.key}: not loaded: another file of the same delivery is bad ({error.message})"
            self.record(
                pf,
                "quarantined",
                error=message,
                period=pf.billing_period,
                partition=pf.partition,
                delivery=pf.delivery or sha,
                expected_rows=pf.expected_rows,
                blocked_by=None if culprit else error.file,
            )
            log.error("quarantined %s", message)
            result.quarantined.append(message)

    def _needs_load(self, delivery: Delivery, result: LoadResult) -> bool:
        """Whether a delivery must load (not already in place as it is); counts the unchanged ones.

        In place means: every file's current manifest row belongs to this partition and delivery, and is
        either present (loaded or superseded) or a skipped duplicate whose original is still present.
        """
        partition, delivery_id, files = delivery
        entries = [manifest.current_entry(self.con, pf.file.key, self.checksum(pf.file)) for pf in files]
        if any(
            e is not None and e.status == "quarantined" and e.blocked_by is None and e.expected_rows == pf.expected_rows
            for e, pf in zip(entries, files, strict=True)
        ):
            # Already reported: the delivery stays quarantined until the bad file itself changes (a new
            # checksum) or its manifest states another row count. Files quarantined only because of another
            # file are retried once the delivery no longer has it.
            result.files_unchanged += len(files)
            return False
        in_place = all(
            e is not None
            and e.partition == partition
            and e.delivery == delivery_id
            and (
                e.status in manifest.PRESENT
                or (e.status == "skipped" and manifest.is_present(self.con, e.duplicate_of))
            )
            for e in entries
        )
        if in_place and files[0].table.qualified_name in self.rereads:
            return True
        if in_place:
            result.files_unchanged += len(files)
        return not in_place

    def _insert(self, deliveries: list[Delivery], result: LoadResult, together: bool) -> None:
        """Inserts the files of new deliveries, records them and replaces earlier loads of their partitions."""
        load_ids: dict[str, str] = {}
        duplicates: dict[str, tuple[str, str]] = {}  # file key -> (load id, path) of the copy that counts
        first_of: dict[tuple, tuple[str, str]] = {}  # identical contents seen earlier in this batch
        files: list[PlannedFile] = []
        for partition, delivery_id, delivery_files in deliveries:
            for pf in delivery_files:
                sha = self.checksum(pf.file)
                if pf.table.scope:
                    # Bills: a copy inside one delivery counts once; copies across exports are overlapping
                    # deliveries of the same billing scope, resolved by pipelines.load.overlaps (newest wins).
                    seen = (pf.table.qualified_name, partition, delivery_id, sha)
                    original = first_of.get(seen)
                else:
                    seen = (pf.table.qualified_name, sha)
                    original = first_of.get(seen) or manifest.present_elsewhere(self.con, pf.table, sha, partition)
                if original:
                    duplicates[pf.file.key] = original
                    continue
                load_ids[pf.file.key] = uuid.uuid4().hex
                first_of[seen] = (load_ids[pf.file.key], pf.file.key)
                files.append(pf)
        replaced = self._loads_to_replace(deliveries, list(load_ids.values()))
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
        file_columns: dict[str, list[str]] = {}
        for group in groups:
            try:
                file_columns.update(self._insert_group(group, load_ids))
            except BadFileError as error:
                raise _DeliveryFailed(error) from error
            except duckdb.Error as exc:
                if _is_transient(exc):
                    raise  # memory, disk or an interrupt: the run fails, no file is blamed
                bad = group[0] if len(group) == 1 else None
                python_csv = bad is not None and bad.file.key in self._python_csv
                raise _DeliveryFailed(bad=bad, cause=exc, python_csv=python_csv) from exc

        error = verify.first_row_violation(self.con, files, load_ids)
        stats = verify.load_stats(self.con, files, load_ids)
        error = error or verify.manifest_row_mismatch(files, load_ids, stats)
        if error:
            raise _DeliveryFailed(error)
        repeated = verify.repeated_keys(self.con, files, load_ids, replaced)
        verify.record_drift(self.con, self.source.slug, self.at, files, load_ids, file_columns)
        for partition, delivery_id, delivery_files in deliveries:
            new_ids = []
            for pf in delivery_files:
                if pf.file.key in duplicates:
                    original_id, original_path = duplicates[pf.file.key]
                    self.record(
                        pf,
                        "skipped",
                        error=f"same contents as {original_path}, which counts instead",
                        period=pf.billing_period,
                        partition=partition,
                        delivery=delivery_id,
                        duplicate_of=original_id,
                    )
                    result.files_skipped += 1
                    continue
                load_id = load_ids[pf.file.key]
                rows, periods = stats.get(load_id, (0, None))
                count, other = repeated.get(load_id, (0, None))
                note = None
                if count:
                    note = (
                        f"{count} row(s) repeat a {'/'.join(pf.table.unique_key)} already loaded "
                        f"(from {other}): the first load counts"
                    )
                    result.notes.append(f"{pf.file.key}: {note}")
                self.record(
                    pf,
                    "loaded",
                    rows=rows,
                    period=pf.billing_period or periods,
                    partition=partition,
                    delivery=delivery_id,
                    load_id=load_id,
                    expected_rows=pf.expected_rows,
                    duplicate_rows=count or None,
                    error=note,
                )
                new_ids.append(load_id)
                result.files_loaded += 1
                result.rows_loaded += rows
            table = delivery_files[0].table
            result.files_replaced += manifest.replace_earlier(self.con, table, partition, new_ids, self.at)
            overlaps.record_scopes(self.con, table, new_ids)

    def _insert_group(self, files: list[PlannedFile], load_ids: dict[str, str]) -> dict[str, list[str]]:
        """One INSERT for a group of files of one table, with the pseudonym salt set while it runs."""
        secret = self.options.pseudonym_salt if files[0].table.pseudonymised else None
        if secret:
            self.con.execute(f"SET VARIABLE {pseudonyms.SALT_VARIABLE} = ?", [secret])
        try:
            return self._insert_group_rows(files, load_ids)
        finally:
            if secret:
                self.con.execute(f"RESET VARIABLE {pseudonyms.SALT_VARIABLE}")

    def _insert_group_rows(self, files: list[PlannedFile], load_ids: dict[str, str]) -> dict[str, list[str]]:
        """One INSERT for a group of files of one table (several only for Parquet); returns their columns."""
        table = files[0].table
        columns = ", ".join(readers.sql_ident(c.name) for c in table.columns)
        values = _values(table, self.options.pseudonym_salt)
        lineage = "_source_file, _source_row, _loaded_at, _load_id"
        if files[0].format == "parquet":
            selection = readers.parquet_select(self.con, [pf.file for pf in files], table, files[0].column_map)
            self.con.execute(
                f"INSERT INTO {table.qualified_name} ({columns}, {lineage}) "
                f"SELECT {values}, files.file_key, incoming._source_row, ?, files.load_id "
                f"FROM ({selection.sql}) AS incoming JOIN (SELECT unnest(?::VARCHAR[]) AS local_path, "
                "unnest(?::VARCHAR[]) AS file_key, unnest(?::VARCHAR[]) AS load_id) AS files "
                "ON incoming._source_path = files.local_path",
                [
                    self.at,
                    [readers.duckdb_path(pf.file.local_path) for pf in files],
                    [pf.file.key for pf in files],
                    [load_ids[pf.file.key] for pf in files],
                ],
            )
            return selection.columns
        (pf,) = files
        if pf.format == "csv":
            return self._insert_csv(pf, load_ids[pf.file.key])
        arrow_name = None
        try:
            if pf.format == "jsonl":
                selection = readers.jsonl_select(pf.file, table)
            else:
                arrow_name = f"_incoming_{load_ids[pf.file.key]}"
                parsed = self._parse(pf)
                self.con.register(arrow_name, parsed)
                fields = readers.parsed_fields(parsed)
                selection = readers.Selection(
                    readers.arrow_select(arrow_name), {} if fields is None else {pf.file.key: fields}
                )
            self._insert_selection(pf, selection, load_ids[pf.file.key])
        finally:
            if arrow_name:
                self.con.unregister(arrow_name)
        return selection.columns

    def _insert_selection(self, pf: PlannedFile, selection: readers.Selection, load_id: str) -> None:
        table = pf.table
        columns = ", ".join(readers.sql_ident(c.name) for c in table.columns)
        self.con.execute(
            f"INSERT INTO {table.qualified_name} ({columns}, _source_file, _source_row, _loaded_at, _load_id) "
            f"SELECT {_values(table, self.options.pseudonym_salt)}, ?, _source_row, ?, ? FROM ({selection.sql}) AS incoming",
            [pf.file.key, self.at, load_id],
        )

    def _insert_csv(self, pf: PlannedFile, load_id: str) -> dict[str, list[str]]:
        """Reads a CSV with DuckDB, or with Python's csv module when DuckDB's reader refused the file."""
        if pf.file.key not in self._python_csv:
            selection = readers.csv_select(pf.file, pf.table, pf.column_map)
            self._insert_selection(pf, selection, load_id)
            return selection.columns
        records, _ = readers.csv_records_arrow(pf.file)
        name = f"_csv_{load_id}"
        self.con.register(name, records)
        try:
            selection = readers.csv_select(pf.file, pf.table, pf.column_map, registered=name)
            self._insert_selection(pf, selection, load_id)
        finally:
            self.con.unregister(name)
        return selection.columns

    def _parse(self, pf: PlannedFile) -> object:
        """A source's own parser; any failure of it is a property of the file, never of the run."""
        try:
            return self.source.parse(pf, self.options)
        except BadFileError:
            raise
        except Exception as exc:
            log.exception("%s: the %s parser failed", pf.file.key, self.source.slug)
            raise BadFileError(pf.file.key, f"cannot be parsed: {type(exc).__name__}: {exc}") from exc

    def _loads_to_replace(self, deliveries: list[Delivery], new_ids: list[str]) -> list[str]:
        """Present loads of the partitions these deliveries are about to replace."""
        keys = sorted({(d[2][0].table.qualified_name, d[0]) for d in deliveries})
        return [
            r[0]
            for r in self.con.execute(
                f"SELECT load_id FROM {LOADS_TABLE} WHERE status IN {manifest.PRESENT} "
                "AND (raw_table, partition_key) IN (SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])) "
                "AND load_id NOT IN (SELECT unnest(?::VARCHAR[]))",
                [[k[0] for k in keys], [k[1] for k in keys], new_ids],
            ).fetchall()
        ]
