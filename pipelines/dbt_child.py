"""``aicost-dbt``: dbt, started so that it dies with the process that started it.

dagster-dbt runs dbt as a child process. When the run is killed (``kill -9``, an OOM kill, a closed
terminal), an ordinary child keeps running and keeps DuckDB's write lock, and every later run fails. This
wrapper asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG``), then becomes dbt itself
(``exec``), so no orphan is ever left holding the warehouse.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Makes this process (and what it ``exec``s) receive SIGKILL when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        # The parent died before the request took effect: nobody is waiting for this dbt.
        os._exit(1)


def main() -> None:
    """Entry point: dbt with the arguments given, dying with its parent."""
    die_with_parent()
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(str(dbt), [str(dbt), *sys.argv[1:]])  # noqa: S606 (becomes dbt; arguments are passed through)


if __name__ == "__main__":
    main()
