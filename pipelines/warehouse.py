"""Opening the DuckDB warehouse with the session settings every writer uses."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.config import Settings


class WarehouseBusy(Exception):
    """The warehouse file is open for writing in another process; ``str()`` says which, in one line."""


_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens the warehouse file (creating its folder), in UTC and with a bounded memory limit.

    Args:
        settings: Run settings (warehouse path, memory limit, threads).
        read_only: Open read-only (analysts, exports).

    Returns:
        An open connection.

    Raises:
        FileNotFoundError: When opening read-only a warehouse that does not exist yet.
        WarehouseBusy: When another process holds the file (DuckDB allows one writing process).
    """
    path = Path(settings.warehouse)
    if read_only and not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `aicost run` (or `make demo`) first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        holder = _HOLDER.search(str(exc))
        if holder is None:
            raise
        raise WarehouseBusy(
            f"the warehouse {path} is open in another process ({holder.group(1)}, pid {holder.group(2)}); "
            "close that connection (analysts: open the published copy or connect read-only) and run again"
        ) from exc
    # Naive timestamps in exports (LiteLLM's Postgres text) are UTC; never the machine's zone.
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    if settings.duckdb_threads:
        con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    return con
