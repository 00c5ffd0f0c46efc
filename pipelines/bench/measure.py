"""Runs a command in its own process group and measures its wall time and peak memory.

Peak memory is the larger of two figures: the summed resident set of the process and all its descendants,
sampled from ``/proc`` while it runs (the run and its dbt child are alive at the same time), and the largest
single process's high-water mark that the kernel reports when it is reaped (``wait4``), which catches peaks
shorter than the sampling interval.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.2

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Measured:
    """How a command ran.

    Attributes:
        seconds: Wall time.
        peak_mb: Peak memory (MB) of the process and its descendants.
        exit_code: Its exit code (negative: killed by that signal).
        timed_out: Whether it was killed for running past the timeout.
    """

    seconds: float
    peak_mb: float
    exit_code: int
    timed_out: bool = False


def _tree_rss_kb(root: int) -> int:
    """Summed resident set (KiB) of ``root`` and every process descending from it."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue  # the process ended while we looked
        # the command name (field 2) may hold spaces and parentheses: split after its last ')'
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        children[int(fields[1])].append(pid)
        rss[pid] = int(fields[21]) * _PAGE_KB
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def run_measured(
    cmd: list[str], *, cwd: Path, log: Path, env: dict[str, str] | None = None, timeout: float | None = None
) -> Measured:
    """Runs ``cmd`` to completion (or until ``timeout``), its output going to ``log``.

    Args:
        cmd: Command and arguments.
        cwd: Working directory.
        log: File receiving stdout and stderr.
        env: Environment (default: this process's).
        timeout: Seconds after which the whole process group is killed (some tools hang instead of failing).

    Returns:
        Wall time, peak memory and exit code.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    peak_kb, timed_out = 0, False
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, _tree_rss_kb(proc.pid))
            if timeout is not None and time.perf_counter() - start > timeout:
                timed_out = True
                _kill_group(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    if timed_out or proc.returncode != 0:
        _kill_group(proc.pid)  # helpers a failed tool left behind (the converter's writer processes)
    return Measured(seconds, max(peak_kb, usage.ru_maxrss) / 1024, proc.returncode, timed_out)


def _kill_group(pgid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        time.sleep(2)
