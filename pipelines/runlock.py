"""One run at a time per warehouse: an exclusive lock beside the warehouse file.

The lock is an ``flock`` on ``<warehouse>.lock``, which the kernel releases when the holding process dies
(``kill -9`` included), so a crashed run never leaves a stale lock. The file says which run holds it (pid,
host, start time, command) so a second run can name it in one line. It is re-entrant within a process:
``aicost run`` holds it for the whole run, and the steps of that run (which take it too, so that runs
launched from the Dagster UI or a schedule are covered) just nest.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (``kill -0``; one owned by another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLockBusy(Exception):
    """Another run holds the warehouse; ``str()`` names it in one line."""


# Locks this process holds: lock file -> nesting depth.
_held: dict[Path, int] = {}


def lock_path(warehouse: Path) -> Path:
    """The lock file of a warehouse."""
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(fd: int) -> str:
    """Who holds the lock, as the file says it."""
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        info = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        info = {}
    if not info:
        return "another process"
    return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started_at')} ({info.get('command')})"


@contextmanager
def run_lock(warehouse: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Holds the warehouse's run lock for the duration of a block.

    Args:
        warehouse: The warehouse file.
        wait_seconds: How long to wait for a running run to finish before giving up.

    Raises:
        RunLockBusy: When another run still holds the lock after ``wait_seconds``.
    """
    path = lock_path(warehouse).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(wait_seconds, 0)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLockBusy(
                        f"another run is using {warehouse}: {_holder(fd)}; wait for it to finish "
                        "(or pass --wait SECONDS)"
                    ) from None
                time.sleep(min(1.0, max(deadline - time.monotonic(), 0.05)))
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200],
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode("utf-8"))
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
