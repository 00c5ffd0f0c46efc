"""A run's own log file: every line timestamped plain text, loader and dbt lines together in order.

Each run writes ``<warehouse folder>/logs/run-<UTC time>-<pid>.log``; ``last_run.log`` is repointed to it
when the run ends (whatever the outcome), and only the newest ``KEPT_LOGS`` run logs are kept. A run never
writes into an earlier run's file, so a failed run cannot wipe the previous good log.

Two writers feed one file, in the order things happen: the Dagster steps' log messages and step events
(through ``dagster_logger``: "litellm: 3 file(s) loaded, ...", step failures with their tracebacks) and
dbt's output (dagster-dbt echoes it on ``sys.stdout``, which the run points here). Every line starts with
its ISO UTC time; terminal colour codes are removed.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

# Run logs kept beside the warehouse (the oldest are deleted).
KEPT_LOGS = 30
# ANSI escape sequences (colours, cursor moves) that dbt and Dagster put in their output.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# Dagster events worth a line of their own in the log (the rest are engine bookkeeping).
_STEP_EVENTS = {
    "STEP_START": "started",
    "STEP_SUCCESS": "succeeded",
    "STEP_SKIPPED": "skipped",
}


def new_log_path(logs: Path) -> Path:
    """The file of a run starting now (its name sorts by start time)."""
    logs.mkdir(parents=True, exist_ok=True)
    return logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"


def point_last_run_log(log_path: Path) -> None:
    """Makes ``last_run.log`` this run's log (atomically) and deletes the oldest run logs."""
    last = log_path.parent / "last_run.log"
    tmp = log_path.parent / f".last_run.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(log_path.name)
    tmp.replace(last)
    for old in sorted(log_path.parent.glob("run-*.log"))[:-KEPT_LOGS]:
        old.unlink(missing_ok=True)


def plain(text: str) -> str:
    """``text`` without terminal escape sequences or carriage returns."""
    return _ANSI.sub("", text).replace("\r", "")


class RunLog(io.TextIOBase):
    """The run's log file as a text stream: whole lines, each prefixed with its UTC time.

    It has no file descriptor on purpose: Dagster's compute-log capture then leaves it alone (it would
    otherwise redirect the descriptor into its own files).

    Args:
        path: The log file (created; appended to if it exists).
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file = path.open("a", encoding="utf-8")
        self._partial = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        """A log is written to."""
        return True

    def write(self, text: str) -> int:
        """Writes the complete lines of ``text``; an unfinished last line waits for the rest."""
        with self._lock:
            pending = self._partial + text
            *lines, self._partial = pending.split("\n")
            for line in lines:
                self._write_line(line)
        return len(text)

    def line(self, text: str) -> None:
        """Writes ``text`` (one or more lines) as lines of its own."""
        with self._lock:
            for line in text.split("\n"):
                self._write_line(line)
            self._file.flush()

    def flush(self) -> None:
        """Flushes the file (an unfinished line stays pending)."""
        with self._lock:
            if not self._file.closed:
                self._file.flush()

    def close(self) -> None:
        """Writes any unfinished line and closes the file."""
        with self._lock:
            if self._file.closed:
                return
            if self._partial:
                self._write_line(self._partial)
                self._partial = ""
            self._file.close()
        super().close()

    def _write_line(self, line: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self._file.write(f"{stamp} {plain(line).rstrip()}\n")


class _RunLogHandler(logging.Handler):
    """Writes Dagster's log records to the run log and hands its events to observers (progress)."""

    def __init__(self, run_log: RunLog, observers: list[Callable[[Any], None]]) -> None:
        super().__init__(level=logging.DEBUG)
        self._run_log = run_log
        self._observers = observers

    def emit(self, record: logging.LogRecord) -> None:
        meta = record.__dict__.get("dagster_meta") or {}
        event = meta.get("dagster_event")
        message = str(meta.get("orig_message") or record.getMessage())
        step = meta.get("step_key") or (event.step_key if event is not None else None)
        if event is not None:
            for observe in self._observers:
                observe(event)
            text = _event_line(event, message)
        elif record.levelno >= logging.INFO:
            text = message
        else:
            text = None
        if text:
            level = "" if record.levelno <= logging.INFO else f"{record.levelname} "
            self._run_log.line(f"{level}{f'[{step}] ' if step else ''}{text}")


def _event_line(event: Any, message: str) -> str | None:
    """The log line of a Dagster event, or ``None`` for engine bookkeeping."""
    kind = event.event_type_value
    if kind in _STEP_EVENTS:
        return f"step {_STEP_EVENTS[kind]}" + (f": {message}" if kind == "STEP_SUCCESS" else "")
    if kind in ("STEP_FAILURE", "PIPELINE_FAILURE", "RUN_FAILURE"):
        error = getattr(event.event_specific_data, "error", None)
        return message + (f"\n{error.to_string()}" if error is not None else "")
    if kind == "ASSET_CHECK_EVALUATION":
        evaluation = event.event_specific_data
        if not evaluation.passed:
            return f"check failed: {evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
    return None


def dagster_logger(run_log: RunLog, observers: list[Callable[[Any], None]]) -> dg.LoggerDefinition:
    """A Dagster logger writing the run's messages and step events into ``run_log``.

    Args:
        run_log: The run's log.
        observers: Called with every Dagster event (e.g. ``Progress.on_dagster_event``).

    Returns:
        The logger definition (the run configures it under the name it is given).
    """

    def _init(_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger("aicost.run", level=logging.DEBUG)
        logger.addHandler(_RunLogHandler(run_log, observers))
        return logger

    return dg.LoggerDefinition(_init, description="The run's own log file, and its progress on the terminal.")
