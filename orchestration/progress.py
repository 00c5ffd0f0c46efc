"""What a running ``aicost run`` shows on the terminal: one progress line per stage.

Two stages: the source loads ("sources 4/11 loaded (1,234,567 rows)") and the dbt build ("dbt 123/540
nodes"). On a terminal the line is redrawn in place; anywhere else (cron, a CI log, a pipe) each update is a
plain line of its own, never a carriage return, and dbt is reported about every tenth of its nodes or every
30 seconds, so a nightly log stays short. The run's detailed output goes to its log file (``runlog``), not
here.

The run installs one ``Progress`` for its duration (``active``); the dbt asset reports to ``current()``,
which is a silent stand-in when no run installed one (runs launched from the Dagster UI or the daemon).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

# Plain (non-terminal) output: a dbt line at least every this many seconds, or every tenth of the nodes.
_PLAIN_INTERVAL_SECONDS = 30.0
_PLAIN_STEPS = 10
# A terminal line is redrawn at most this often (dbt finishes hundreds of tests a second).
_LIVE_INTERVAL_SECONDS = 0.2
_LOAD_SUFFIX = "_load"


class Progress:
    """Progress of one run, written to a terminal (redrawn in place) or as plain lines.

    Args:
        stream: Where to write (the terminal's stderr).
        live: Redraw one line in place (a terminal) instead of writing plain lines.
        sources: How many sources the run loads.
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self, stream: TextIO, live: bool, sources: int = 0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._stream = stream
        self._live = live
        self._clock = clock
        self._lock = threading.Lock()
        self.sources_total = sources
        self.sources_done = 0
        self.rows = 0
        self._rows_by_step: dict[str, int] = {}
        self.dbt_total = 0
        self.dbt_done = 0
        self._finished: set[int] = set()
        self._line = ""
        self._last_draw = float("-inf")
        self._last_plain_step = -1
        self._last_plain_at = float("-inf")

    @classmethod
    def for_terminal(cls, stream: TextIO, sources: int) -> Progress:
        """Progress on ``stream``, live when it is a terminal.

        The stream's file descriptor is duplicated: while the run executes, Dagster captures the process's
        own stderr into its compute logs, and progress must reach the terminal directly.
        """
        live = bool(getattr(stream, "isatty", lambda: False)())
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            return cls(stream, live=live, sources=sources)
        return cls(os.fdopen(os.dup(fd), "w", encoding="utf-8", buffering=1), live=live, sources=sources)

    # Sources -------------------------------------------------------------------------------------------

    def on_dagster_event(self, event: Any) -> None:
        """Counts a source load when its step ends (with the rows it loaded); ignores other events."""
        step = event.step_key or ""
        if not step.endswith(_LOAD_SUFFIX):
            return
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
            rows = metadata.get("rows_loaded")
            if rows is not None:
                # Every table of a source carries the source's total: keep one.
                self._rows_by_step[step] = int(rows.value)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            self.source_loaded(step.removesuffix(_LOAD_SUFFIX), self._rows_by_step.get(step, 0))

    def source_loaded(self, slug: str, rows: int) -> None:
        """One more source loaded (or failed: it is done either way)."""
        with self._lock:
            self.sources_done += 1
            self.rows += rows
            text = f"sources {self.sources_done}/{self.sources_total} loaded ({self.rows:,} rows)"
            if self._live:
                self._draw(text, force=True)
            else:
                self._plain(f"{text}: {slug} {rows:,} rows")

    # dbt -----------------------------------------------------------------------------------------------

    def dbt_skipped(self, reason: str) -> None:
        """The dbt step built nothing."""
        with self._lock:
            self._end_line()
            self._plain(f"dbt skipped: {reason}")

    def on_dbt_event(self, raw_event: dict[str, Any]) -> None:
        """Counts a finished dbt node (from dbt's "n of N" result lines), of the N dbt selected."""
        info, data = raw_event.get("info", {}), raw_event.get("data", {})
        # Test results count their N as "num_models"; every other result line as "total".
        index, total = data.get("index"), data.get("total", data.get("num_models"))
        if not isinstance(index, int) or not isinstance(total, int):
            return
        # Hooks and microbatch batches number themselves separately ("1 of 2 START hook"): not nodes.
        if str(info.get("name", "")).startswith(("LogHook", "LogBatch")):
            return
        with self._lock:
            self.dbt_total = max(self.dbt_total, total)
            # dbt says "3 of 540 START ..." when a node starts and "3 of 540 OK ..." (a *Result event, or
            # SkippingDetails) when it ends; NodeFinished itself is a debug event dbt does not print.
            if info.get("name") == "LogStartLine" or index in self._finished:
                return
            self._finished.add(index)
            self.dbt_done = len(self._finished)
            self._report_dbt()

    def _report_dbt(self) -> None:
        total = max(self.dbt_total, self.dbt_done)
        text = f"dbt {self.dbt_done}/{total} nodes"
        if self._live:
            self._draw(text, force=self.dbt_done == total)
            return
        now = self._clock()
        step = self.dbt_done * _PLAIN_STEPS // total if total else 0
        if step > self._last_plain_step or now - self._last_plain_at >= _PLAIN_INTERVAL_SECONDS:
            self._last_plain_step, self._last_plain_at = step, now
            self._plain(text)

    # Output --------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Ends the live line (the summary starts on a line of its own)."""
        with self._lock:
            self._end_line()
            with contextlib.suppress(OSError, ValueError):
                self._stream.flush()

    def _draw(self, text: str, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._last_draw < _LIVE_INTERVAL_SECONDS:
            return
        if text.split(" ", 1)[0] != self._line.split(" ", 1)[0]:
            self._end_line()
        self._last_draw = now
        self._line = text
        # Carriage return, the text, then erase what a longer previous text left on the line.
        self._write(f"\r{text}\x1b[K")

    def _end_line(self) -> None:
        if self._live and self._line:
            self._write("\n")
        self._line = ""

    def _plain(self, text: str) -> None:
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        # A closed terminal must not fail the run.
        with contextlib.suppress(OSError, ValueError):
            self._stream.write(text)
            self._stream.flush()


class _Silent(Progress):
    """Progress of a run nobody watches (the Dagster UI, the daemon, tests): counts, writes nothing."""

    def __init__(self) -> None:
        super().__init__(stream=None, live=False)  # type: ignore[arg-type]

    def _write(self, text: str) -> None:
        pass

    def close(self) -> None:
        """Nothing to end: nothing was written."""


_current: Progress | None = None


def current() -> Progress:
    """The progress of the run executing in this process, or a silent one."""
    return _current or _Silent()


@contextlib.contextmanager
def active(progress: Progress | None) -> Iterator[Progress]:
    """Makes ``progress`` the current one for the duration of a block (``None``: a silent one)."""
    # One run at a time per process (the run lock guarantees it).
    global _current
    previous, _current = _current, progress or _Silent()
    try:
        yield _current
    finally:
        _current.close()
        _current = previous
