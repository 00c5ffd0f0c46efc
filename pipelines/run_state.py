"""Whether a run can know, before starting any step, that nothing is new since the last one.

A nightly run that finds nothing new should cost seconds, not the start-up of the whole asset graph (Dagster
plans every asset and check of the job before the first step: ~9 s here) and of the eleven loaders hashing
the landing. After each successful run, ``aicost run`` records the run's *state*:

* the landing's listing: every file's path, size and modification time (what ``make`` and ``rsync`` trust to
  say a file is unchanged; the loaders hash the files that differ);
* the dbt project fingerprint (``pipelines.build_state.project_fingerprint``: models, seeds, vars, packages),
  aicost's own code (loaders, checks, publication) and the price catalogue's package (genai-prices);
* the checks that failed or warned, so that a run that repeats the last one reports the same outcome.

Checks are also kept per check (``check_results``): a run evaluates only the checks of what it built (dbt
leaves out the nodes no changed source feeds, and skips everything when nothing is new), so a check it did
not evaluate keeps its last result, and the run's outcome (failed checks, exit code) is that of the whole
warehouse, not of the part it touched.

The next ``aicost run`` (not ``--full-refresh``) compares: the same state, and a warehouse still as its last
build left it (``pipelines.build_state.pending_changes``: no load or price catalogue added since), means the
loaders would find every file unchanged and dbt nothing to build, so the run skips both, writes its log, and
reports the previous outcome. Only a local landing folder qualifies: an ``s3://`` landing, a BigQuery table or a LiteLLM database
are read remotely and may change without a local trace, so those runs always go through the loaders, as
does a landing with an entry that cannot be read (a broken link: the loaders report it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.build_state import SCHEMA, has_table, project_fingerprint
from pipelines.config import PROJECT_ROOT, Secrets, Settings

STATE = f"{SCHEMA}.run_state"
CHECK_RESULTS = f"{SCHEMA}.check_results"
# aicost's own code: a fixed loader, check or publication must run again on the same files.
_CODE = ("pipelines", "orchestration")
# Packages whose upgrade may change what a load or the price step writes.
_PACKAGES = ("genai-prices",)


@dataclass(frozen=True)
class RunState:
    """What a successful run saw and concluded.

    Attributes:
        fingerprint: Hash of the landing listing, the dbt project and the packages.
        files: Files in the landing listing.
        failed_checks: ``asset: check`` names that failed at ERROR severity.
        warnings: ``asset: check`` names that failed at WARN severity.
    """

    fingerprint: str
    files: int
    failed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def current_fingerprint(settings: Settings) -> tuple[str, int] | None:
    """The fingerprint of what a run would read now, and the landing's file count.

    Args:
        settings: Run settings.

    Returns:
        ``(fingerprint, files)``, or ``None`` when the run reads something remote (an ``s3://`` landing, a
        BigQuery table) that only the loaders can check.
    """
    if "://" in settings.landing or settings.gcp_billing_table or Secrets.from_env().litellm_database_url:
        return None
    root = Path(settings.landing)
    if not root.is_dir():
        return None
    digest = hashlib.sha256()
    files = 0
    try:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                stat = path.stat()
                digest.update(f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
                files += 1
    except OSError:
        return None  # a broken link, a file gone while listed: the loaders say what it is
    for package in _CODE:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(project_fingerprint(settings).encode())
    digest.update(json.dumps({p: importlib.metadata.version(p) for p in _PACKAGES}).encode())
    return digest.hexdigest(), files


def last_state(con: duckdb.DuckDBPyConnection) -> RunState | None:
    """The state the last successful ``aicost run`` recorded, or ``None`` (none, or unreadable)."""
    try:
        if not has_table(con, STATE):
            return None
        row = con.execute(f"select fingerprint, files, failed_checks, warnings from {STATE}").fetchone()
        return RunState(row[0], row[1], json.loads(row[2]), json.loads(row[3])) if row else None
    except (duckdb.Error, ValueError, TypeError):
        return None  # a record of another layout: the run goes through every step and records anew


def record_state(con: duckdb.DuckDBPyConnection, state: RunState) -> None:
    """Replaces the recorded state with ``state`` (after a successful run)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create or replace table {STATE} (recorded_at timestamptz not null, fingerprint varchar not null, "
        "files bigint not null, failed_checks varchar not null, warnings varchar not null)"
    )
    con.execute(
        f"insert into {STATE} values (?, ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            state.fingerprint,
            state.files,
            json.dumps(state.failed_checks),
            json.dumps(state.warnings),
        ],
    )


def record_check_results(
    con: duckdb.DuckDBPyConnection, evaluated: dict[str, tuple[bool, bool]], known: set[str]
) -> tuple[list[str], list[str]]:
    """Keeps each check's latest result; returns the failing ones of the whole warehouse.

    Args:
        con: Warehouse connection (writable).
        evaluated: This run's evaluations: ``"asset: check"`` -> ``(passed, is_warning)``.
        known: Every check the job defines (results of checks no longer defined are dropped).

    Returns:
        ``(failed, warnings)``: checks whose latest result failed, at ERROR and at WARN severity, sorted.
    """
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create table if not exists {CHECK_RESULTS} (check_name varchar primary key, passed boolean not null, "
        "is_warning boolean not null, evaluated_at timestamptz not null)"
    )
    now = datetime.now(UTC)
    rows = [[name, passed, warn, now] for name, (passed, warn) in evaluated.items()]
    con.execute("begin transaction")
    try:
        if rows:
            con.executemany(f"insert or replace into {CHECK_RESULTS} values (?, ?, ?, ?)", rows)
        con.execute(f"delete from {CHECK_RESULTS} where not list_contains(?, check_name)", [sorted(known)])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    failing = con.execute(
        f"select check_name, is_warning from {CHECK_RESULTS} where not passed order by check_name"
    ).fetchall()
    return [n for n, warn in failing if not warn], [n for n, warn in failing if warn]


def forget_state(con: duckdb.DuckDBPyConnection) -> None:
    """Drops the recorded state (a failed run: the next one goes through every step)."""
    con.execute(f"drop table if exists {STATE}")
