"""The analyst copy: a read-only DuckDB file of the marts, published atomically after each successful run.

Analysts, BI tools and finance open ``<warehouse folder>/published/aicost.duckdb``, never the file the run
writes: DuckDB lets one process write a file and no other process read it meanwhile, so a connection to the
warehouse itself would lock analysts out during a run, or stop the run.

What the copy holds (the same schema-qualified names as in the warehouse, so a query runs on either):

- ``main.<mart>``: every model under ``dbt_project/models/marts`` (``focus_cost_and_usage``, ``fct_*``,
  ``rpt_*``); a mart that is a view is materialised as a table, since the copy has no upstream models.
  The list comes from the dbt project's model files, not from ``target/manifest.json``: the files are what the
  run just built, while a manifest may be missing (a fresh clone), stale, or in a per-run target folder.
- ``reference.<seed>``: the seeds (teams, budgets, FX rates...), which the marts' keys refer to.
- ``raw._loads``: which files were loaded when, for "how fresh is this?" questions. No other raw table.
- ``main._publication``: one row per published relation (its row count), with when and from which warehouse.

Column types are copied as they are (money stays ``DECIMAL(38, 12)``); constraints are not.

Atomicity: the copy is written to a temporary file in the same folder, checkpointed, closed and fsynced, then
renamed over the previous copy. A reader opening the path sees either the previous complete copy or the new
one; a reader holding the previous copy open keeps reading it (the rename leaves its open file intact). A
publication that fails at any point removes its temporary file and leaves the previous copy as it was.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.config import DBT_PROJECT_DIR, Settings
from pipelines.runlock import process_alive
from pipelines.warehouse import WarehouseBusy, connect

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
SEED_SCHEMA = "reference"
LOADS_TABLE = ("raw", "_loads")
# DuckDB's storage format 1.0: read by every DuckDB from 1.0.0 on (the versions BI tools and drivers embed);
# the project's DuckDB writes v2.0.0+ by default, which no 1.x client can open, and v1.2.0+ is unreadable
# by 1.0 and 1.1.
STORAGE_VERSION = "v1.0.0"
# Catalog name of the copy inside the publishing connection (unlike the warehouse's, named by its file).
_COPY = "aicost_analyst_copy"


@dataclass(frozen=True)
class PublishResult:
    """A publication of the analyst copy.

    Attributes:
        path: The analyst copy.
        tables: Relations published (marts, seeds, loads; not counting ``_publication``).
        rows: Rows in those relations.
        seconds: Wall-clock time of the publication.
    """

    path: Path
    tables: int
    rows: int
    seconds: float


class PublishError(Exception):
    """The analyst copy could not be published (the previous one is unchanged); ``str()`` is one line."""


def analyst_copy_path(settings: Settings) -> Path:
    """The file analysts, BI tools and finance open: ``<warehouse folder>/published/aicost.duckdb``."""
    return Path(settings.warehouse).parent / "published" / "aicost.duckdb"


def mart_names(marts_dir: Path = MARTS_DIR) -> list[str]:
    """The dbt models under ``marts_dir`` (their file names), sorted."""
    return sorted(path.stem for path in marts_dir.rglob("*.sql"))


def publish_analyst_copy(settings: Settings) -> PublishResult:
    """Publishes the marts, seeds and load history of the warehouse as the analyst copy, atomically.

    Called after a successful run, under the run lock, with no other connection of this process open on the
    warehouse. Opens the warehouse read-only, so analysts' read-only connections never stand in its way.

    Args:
        settings: Run settings (the warehouse; memory limit and lock wait for opening it).

    Returns:
        Where the copy is, how many relations and rows it holds and how long publishing took.

    Raises:
        PublishError: When the warehouse cannot be read (a missing or unreadable mart, a busy file) or the
            copy cannot be written; the previous copy is left as it was.
    """
    started = time.perf_counter()
    target = analyst_copy_path(settings)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(target)
    except OSError as exc:
        raise PublishError(f"cannot write the analyst copy in {target.parent}: {exc.strerror or exc}") from exc
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tables, rows = _write_copy(settings, staging)
        _fsync(staging)
        # A WAL left beside the copy by someone who opened it for writing belongs to the previous file: DuckDB
        # would replay it onto the new one.
        _unlink(_wal(target))
        os.replace(staging, target)
        _fsync(target.parent)
    except (duckdb.Error, WarehouseBusy, FileNotFoundError, OSError) as exc:
        raise PublishError(f"could not publish the analyst copy {target} ({_one_line(exc)}); it is unchanged") from exc
    finally:
        _unlink(staging)
        _unlink(_wal(staging))
    return PublishResult(path=target, tables=tables, rows=rows, seconds=time.perf_counter() - started)


def _write_copy(settings: Settings, staging: Path) -> tuple[int, int]:
    """Writes the complete copy to ``staging`` (checkpointed and closed); returns (relations, rows)."""
    con = connect(settings, read_only=True)
    try:
        # Nothing analysts do relies on row order, and keeping it makes DuckDB hold large views in memory.
        con.execute("SET preserve_insertion_order = false")
        source = con.execute("SELECT current_database()").fetchone()[0]
        relations = _relations(con, source)
        con.execute(f"ATTACH {_literal(staging)} AS {_COPY} (STORAGE_VERSION '{STORAGE_VERSION}', READ_WRITE)")
        counts: list[tuple[str, str, str, int]] = []
        for schema in sorted({schema for schema, _, _ in relations}):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_COPY}.{_ident(schema)}")
        for schema, name, kind in relations:
            qualified = f"{_ident(schema)}.{_ident(name)}"
            rows = con.execute(
                f"CREATE TABLE {_COPY}.{qualified} AS SELECT * FROM {_ident(source)}.{qualified}"
            ).fetchone()[0]
            counts.append((schema, name, kind, int(rows)))
        _copy_comments(con, source, relations)
        con.execute(
            f"CREATE TABLE {_COPY}.main._publication (relation VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
            "row_count BIGINT NOT NULL, published_at TIMESTAMP WITH TIME ZONE NOT NULL, "
            "source_warehouse VARCHAR NOT NULL, writer_duckdb_version VARCHAR NOT NULL, "
            "storage_version VARCHAR NOT NULL)"
        )
        header = (str(Path(settings.warehouse).resolve()), duckdb.__version__, STORAGE_VERSION)
        con.executemany(
            f"INSERT INTO {_COPY}.main._publication VALUES (?, ?, ?, current_timestamp, ?, ?, ?)",
            [(f"{schema}.{name}", kind, rows, *header) for schema, name, kind, rows in counts],
        )
        con.execute(f"CHECKPOINT {_COPY}")
        con.execute(f"DETACH {_COPY}")
    finally:
        con.close()
    return len(counts), sum(rows for *_, rows in counts)


def _relations(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str, str]]:
    """(schema, name, kind) of every relation to publish; kind is ``mart``, ``seed`` or ``loads``.

    Raises:
        PublishError: When a mart of the dbt project is not in the warehouse (never a partial copy).
    """
    present = {
        (schema, name)
        for schema, name in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
            "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal",
            [source, source],
        ).fetchall()
    }
    marts = mart_names()
    missing = [name for name in marts if ("main", name) not in present]
    if missing:
        raise PublishError(f"the warehouse lacks mart(s) {', '.join(missing)}: run `aicost run` first")
    seeds = sorted(name for schema, name in present if schema == SEED_SCHEMA)
    loads = [LOADS_TABLE] if LOADS_TABLE in present else []
    return (
        [("main", name, "mart") for name in marts]
        + [(SEED_SCHEMA, name, "seed") for name in seeds]
        + [(schema, name, "loads") for schema, name in loads]
    )


def _copy_comments(con: duckdb.DuckDBPyConnection, source: str, relations: list[tuple[str, str, str]]) -> None:
    """Copies table and column comments (dbt's persisted docs, when the project persists them)."""
    wanted = {(schema, name) for schema, name, _ in relations}
    for schema, name, comment in con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? AND comment IS NOT NULL "
        "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() "
        "WHERE database_name = ? AND comment IS NOT NULL",
        [source, source],
    ).fetchall():
        if (schema, name) in wanted:
            con.execute(f"COMMENT ON TABLE {_COPY}.{_ident(schema)}.{_ident(name)} IS {_literal(comment)}")
    for schema, name, column, comment in con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = ? AND comment IS NOT NULL",
        [source],
    ).fetchall():
        if (schema, name) in wanted:
            con.execute(
                f"COMMENT ON COLUMN {_COPY}.{_ident(schema)}.{_ident(name)}.{_ident(column)} IS {_literal(comment)}"
            )


def _remove_abandoned(target: Path) -> None:
    """Removes temporary copies left by a publication whose process died (a live one's stays)."""
    for path in target.parent.glob(f".{target.name}.*.tmp*"):
        pid = path.name.removeprefix(f".{target.name}.").split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            _unlink(path)


def _fsync(path: Path) -> None:
    """Flushes a file's (or a folder's entries') data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    """DuckDB's write-ahead log of a database file."""
    return path.with_name(path.name + ".wal")


def _unlink(path: Path) -> None:
    """Removes a file if it is there."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    """A quoted SQL string literal (ATTACH and COMMENT take no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def _one_line(exc: BaseException) -> str:
    """The first line of an error's message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
