"""``aicost-dbt``: dbt, started so that it dies with the process that started it.

dagster-dbt runs dbt as a child process. When the run is killed (``kill -9``, an OOM kill, a closed
terminal), an ordinary child keeps running and keeps DuckDB's write lock, and every later run fails. This
wrapper asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG``), then becomes dbt itself
(``exec``, which keeps the request), so no orphan is ever left holding the warehouse.

Linux delivers the signal when the *thread* that started the child exits: dagster-dbt starts dbt from the
step's thread, which lives until the step has read dbt's output to the end, so a finished step never kills
a running dbt.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from pathlib import Path

from pipelines.runlock import process_alive

_PR_SET_PDEATHSIG = 1
# The pid of the run that starts dbt (set by the run; dagster-dbt starts dbt from that process).
RUN_PID_ENV = "AICOST_RUN_PID"


def die_with_parent() -> None:
    """Makes this process (and what it ``exec``s) receive SIGKILL when its parent dies (Linux only).

    Raises:
        OSError: When the kernel refuses the request.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    expected = os.environ.get(RUN_PID_ENV, "")
    if expected.isdigit() and int(expected) != parent and not process_alive(int(expected)):
        # The run that started this dbt died before this line: nobody is waiting for it.
        os._exit(1)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(error)}")
    if os.getppid() != parent:
        # The parent died between the two calls: the request came too late.
        os._exit(1)


def main() -> None:
    """Entry point: dbt with the arguments given, dying with its parent."""
    die_with_parent()
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(str(dbt), [str(dbt), *sys.argv[1:]])  # noqa: S606 (becomes dbt; arguments are passed through)


if __name__ == "__main__":
    main()
