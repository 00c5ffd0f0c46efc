"""Opening the DuckDB warehouse with the session settings every writer uses.

DuckDB lets one process write a database file (and no other process read it meanwhile). An analyst or a BI
tool that opens the warehouse file itself would therefore stop the nightly run, so opening waits a bounded
time (``Settings.lock_wait_seconds``) for the holder to close it, says once which process it waits for, and
then gives up with ``WarehouseBusy`` naming it. Waiting only ever retries the open: nothing is written until
the lock is ours, so a busy warehouse is never corrupted. Analysts are pointed at the published copy
(``pipelines.publish``), which no run ever opens for writing.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.config import Settings

log = logging.getLogger(__name__)

# Seconds between two attempts to open a held file: a failed open costs a millisecond, and a run that waits
# minutes gains nothing from noticing the release sooner.
_POLL_SECONDS = 0.5


class WarehouseBusy(Exception):
    """The warehouse file is open for writing in another process; ``str()`` says which, in one line."""


_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


@dataclass(frozen=True)
class _Holder:
    """The process DuckDB names as holding the file's lock."""

    name: str
    pid: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.name})"


def _holder(exc: duckdb.IOException) -> _Holder | None:
    """The process holding the lock, when ``exc`` is DuckDB's lock conflict (else ``None``)."""
    match = _HOLDER.search(str(exc))
    if match is None:
        return None
    # DuckDB names the holder's executable; its base name (python3.11, dbeaver, ...) is what people recognise.
    return _Holder(name=Path(match.group(1)).name, pid=match.group(2))


def connect(
    settings: Settings, read_only: bool = False, wait_seconds: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Opens the warehouse file (creating its folder), in UTC and with a bounded memory limit.

    When another process holds the file, waits up to ``wait_seconds`` for it to close it, logging once (a
    warning) which process and for how long, then gives up.

    Args:
        settings: Run settings (warehouse path, memory limit, threads, lock wait).
        read_only: Open read-only (analysts, exports, checks).
        wait_seconds: How long to wait for another process to release the file; ``None`` means
            ``settings.lock_wait_seconds``, 0 means fail at once.

    Returns:
        An open connection.

    Raises:
        FileNotFoundError: When opening read-only a warehouse that does not exist yet.
        WarehouseBusy: When another process still holds the file after the wait (DuckDB allows one writing
            process).
    """
    path = Path(settings.warehouse)
    if read_only and not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `aicost run` (or `make demo`) first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    wait = settings.lock_wait_seconds if wait_seconds is None else wait_seconds
    con = _open_waiting(path, read_only, max(float(wait), 0.0))
    # Naive timestamps in exports (LiteLLM's Postgres text) are UTC; never the machine's zone.
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    if settings.duckdb_threads:
        con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    return con


def wait_until_free(settings: Settings, wait_seconds: float | None = None) -> None:
    """Waits until this process can open the warehouse for writing, then closes it again.

    Called right before a step that opens the file in another process (dbt), so that a held file gives the
    run's one clear message and bounded wait instead of a failure inside that step.

    Args:
        settings: Run settings (warehouse path, lock wait).
        wait_seconds: As for ``connect``.

    Raises:
        WarehouseBusy: When another process still holds the file after the wait.
    """
    connect(settings, wait_seconds=wait_seconds).close()


def _open_waiting(path: Path, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Opens ``path``, retrying while another process holds its lock, for at most ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            holder = _holder(exc)
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait_seconds:g} s" if wait_seconds else ""
                raise WarehouseBusy(
                    f"the warehouse {path} is still open in another process ({holder}){waited}; close that "
                    f"connection (analysts: open {_published(path)} instead, or connect read-only) and run again"
                ) from exc
            if not announced:
                log.warning(
                    "waiting up to %g s for %s to close %s (analysts: open %s)",
                    wait_seconds,
                    holder,
                    path,
                    _published(path),
                )
                announced = True
            time.sleep(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))


def _published(path: Path) -> Path:
    """The analyst copy of the warehouse ``path`` (where the message sends analysts)."""
    # Imported here: publish builds on this module.
    from pipelines.publish import analyst_copy_path

    return analyst_copy_path(Settings(warehouse=path))
