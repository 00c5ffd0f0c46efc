"""Running the Dagster asset graph in-process (what `aicost run` and `aicost demo` do).

A run holds the warehouse's run lock (``pipelines.runlock``) from start to end, so two runs never write
the same warehouse. It runs in the warehouse's persistent Dagster instance (``orchestration.instance``), so
the Dagster UI (`make ui`) shows it; writes its own log file (``orchestration.runlog``), whatever happens,
without touching an earlier run's; shows its progress on the terminal (``orchestration.progress``); and,
when it succeeds, publishes the analyst copy of the marts (``pipelines.publish``), which is what analysts,
BI tools and finance open instead of the file the run writes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from orchestration import progress
from orchestration.dbt_child import RUN_PID_ENV
from orchestration.runlog import RunLog, dagster_logger, new_log_path, point_last_run_log
from pipelines.config import Settings
from pipelines.mappings import render_errors, validate_mappings
from pipelines.run_state import (
    RunState,
    current_fingerprint,
    forget_state,
    last_state,
    record_check_results,
    record_state,
)
from pipelines.runlock import RunLockBusy, run_lock

log = logging.getLogger(__name__)
# The dbt step's name in the nightly job (dagster-dbt names it after the decorated function).
_DBT_STEP = "aicost_dbt_assets"
_LOGGER = "aicost_run_log"


@dataclass
class RunOutcome:
    """How a run went.

    Attributes:
        success: Whether every step (loads, dbt build) succeeded and the analyst copy is current.
        failed_checks: ``asset: check`` names of asset checks at ERROR severity that did not pass.
        warnings: ``asset: check`` names of WARN-severity checks that did not pass (schema drift): reported,
            the exit code stays 0.
        materialized: Number of assets materialised.
        log_path: File holding the run's detailed output (step logs and dbt's lines, timestamped).
        error: Why the run failed, in one line, when it stopped outside a step (else empty).
        dbt_skipped: The dbt step found nothing new since the last build and built nothing.
        unchanged: The landing, project and packages were as the last successful run saw them: no step ran
            and the outcome (failed checks, warnings) is that run's (``pipelines.run_state``).
        analyst_copy: The published analyst copy (``None`` when the run failed before publishing).
        run_id: The run's id in the warehouse's Dagster instance (``None`` when it never started).
    """

    success: bool
    failed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    materialized: int = 0
    log_path: Path | None = None
    error: str = ""
    dbt_skipped: bool = False
    unchanged: bool = False
    analyst_copy: Path | None = None
    run_id: str | None = None


def run_pipeline(
    settings: Settings, wait_seconds: float = 0, full_refresh: bool = False, progress_to: TextIO | None = None
) -> RunOutcome:
    """Materialises the ``nightly`` job (loads, dbt build, checks) in this process, holding the run lock.

    Args:
        settings: Landing location and warehouse.
        wait_seconds: How long to wait for another run of the same warehouse to finish.
        full_refresh: Rebuild every dbt model from scratch (``dbt build --full-refresh``), even when nothing
            changed.
        progress_to: The terminal stream to show progress on (``None``: no progress shown).

    Returns:
        The outcome, including failed asset checks (e.g. quarantined files), which do not stop the run. A run
        that stops outside a step (a bad mapping seed, an unreadable warehouse) is a failed outcome whose log
        says why.

    Raises:
        RunLockBusy: Another run holds the warehouse.
        WarehouseBusy: Another process (not a run: an analyst's writable connection) still holds the file
            after the bounded wait (``settings.lock_wait_seconds``).
    """
    from pipelines.warehouse import WarehouseBusy, connect

    log_path = new_log_path(settings.warehouse.parent / "logs")
    run_log = RunLog(log_path)
    run_log.line(
        f"aicost run (pid {os.getpid()}): landing {settings.landing} -> warehouse {settings.warehouse}"
        + (" (full refresh)" if full_refresh else "")
    )
    outcome = None
    try:
        with _sigterm_kept(), run_lock(settings.warehouse, wait_seconds):
            # Fail in one line, before any step, when another process holds DuckDB's write lock.
            connect(settings).close()
            # what the run reads, taken before it starts: a file arriving meanwhile makes the next run differ
            before = current_fingerprint(settings)
            outcome = None if full_refresh else _unchanged_run(settings, before, run_log)
            if outcome is None:
                # forgotten first: a run that stops anywhere leaves no shortcut to its predecessor's outcome
                _record_state(settings, None, run_log)
                outcome = _run_locked(settings, run_log, full_refresh, progress_to)
                if outcome.success:
                    _publish(settings, outcome, run_log)
                if outcome.success and before is not None:
                    _record_state(
                        settings, RunState(before[0], before[1], outcome.failed_checks, outcome.warnings), run_log
                    )
    except (RunLockBusy, WarehouseBusy) as exc:
        run_log.line(f"ERROR the run did not start: {exc}")
        raise
    except Exception as exc:
        run_log.line(f"ERROR the run stopped: {exc}\n{traceback.format_exc()}")
        outcome = RunOutcome(success=False, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    finally:
        if outcome is not None:
            run_log.line(_verdict(outcome))
        run_log.close()
        point_last_run_log(log_path)
    outcome.log_path = log_path
    return outcome


def _unchanged_run(settings: Settings, now: tuple[str, int] | None, run_log: RunLog) -> RunOutcome | None:
    """The last successful run's outcome when nothing it read has changed since (else ``None``: run it all)."""
    from pipelines.build_state import pending_changes, project_fingerprint, record_run
    from pipelines.publish import analyst_copy_path
    from pipelines.warehouse import connect

    copy = analyst_copy_path(settings)
    if now is None or not copy.is_file():
        return None
    with connect(settings) as con:
        state = last_state(con)
        if state is None or state.fingerprint != now[0]:
            return None
        # the warehouse itself must be as its last build left it (e.g. no price catalogue added since)
        if pending_changes(con, project_fingerprint(settings)):
            return None
        record_run(con, built=False)
    run_log.line(
        f"nothing new: the landing's {now[1]} file(s) (paths, sizes, modification times), the dbt project and "
        "the packages are as the last successful run saw them; loads, dbt and checks skipped, its outcome "
        "stands (aicost run --full-refresh runs every step)"
    )
    return RunOutcome(
        success=True,
        failed_checks=state.failed_checks,
        warnings=state.warnings,
        dbt_skipped=True,
        unchanged=True,
        analyst_copy=copy,
    )


def _record_state(settings: Settings, state: RunState | None, run_log: RunLog) -> None:
    """Records what a successful run read (``pipelines.run_state``), or forgets it (``state`` ``None``)."""
    import duckdb

    from pipelines.warehouse import WarehouseBusy, connect

    try:
        with connect(settings) as con:
            if state is not None:
                record_state(con, state)
            else:
                forget_state(con)
    except (duckdb.Error, WarehouseBusy) as exc:
        if state is None:
            raise  # the run must not start while a stale shortcut may remain
        # the next run then goes through every step
        run_log.line(f"WARNING what the run read could not be recorded: {exc}")


def _verdict(outcome: RunOutcome) -> str:
    """The last line of a run's log."""
    verdict = "succeeded" if outcome.success else f"FAILED{f': {outcome.error}' if outcome.error else ''}"
    return (
        f"run {verdict}; {outcome.materialized} asset(s) materialised"
        + (", nothing new (no step ran)" if outcome.unchanged else "")
        + (", dbt skipped (nothing new)" if outcome.dbt_skipped and not outcome.unchanged else "")
        + (f"; failed checks: {', '.join(outcome.failed_checks)}" if outcome.failed_checks else "")
    )


def _run_locked(settings: Settings, run_log: RunLog, full_refresh: bool, progress_to: TextIO | None) -> RunOutcome:
    # The mapping seeds decide who pays: a bad row stops the run before any load, with every error named.
    mapping_errors = validate_mappings()
    if mapping_errors:
        report = render_errors(mapping_errors)
        run_log.line(f"ERROR the run did not start: the mapping seeds are invalid\n{report}")
        return RunOutcome(success=False, error=report.splitlines()[0] if report else "invalid mapping seeds")
    # dbt (aicost-dbt, started by this process) knows which run it belongs to, and dies with it.
    os.environ[RUN_PID_ENV] = str(os.getpid())
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.defs.sources import LOAD_ASSETS
    from orchestration.instance import open_instance
    from pipelines.warehouse import connect

    os.environ.update(settings.dbt_env())
    defs = build_definitions(settings)
    shown = progress.Progress.for_terminal(progress_to, len(LOAD_ASSETS)) if progress_to is not None else None
    observers = [shown.on_dagster_event] if shown is not None else []
    # Only the run's own logger: Dagster's console logger would print every engine event on the terminal.
    job = defs.resolve_job_def("nightly").with_logger_defs({_LOGGER: dagster_logger(run_log, observers)})
    run_config: dict = {"loggers": {_LOGGER: {}}}
    if full_refresh:
        run_config["ops"] = {_DBT_STEP: {"config": {"full_refresh": True}}}
    # dagster-dbt echoes dbt's output on stdout: both it and stray stderr go to the run's log, in order.
    with (
        open_instance(settings) as instance,
        progress.active(shown),
        contextlib.redirect_stdout(run_log),
        contextlib.redirect_stderr(run_log),
    ):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
    evaluated = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
            evaluated[name] = (evaluation.passed, evaluation.severity == dg.AssetCheckSeverity.WARN)
    known = {f"{k.asset_key.to_user_string()}: {k.name}" for k in defs.resolve_asset_graph().asset_check_keys}
    # a check this run did not evaluate (its asset was not built) keeps its last result
    with connect(settings) as con:
        failed, warnings = record_check_results(con, evaluated, known)
    materialized = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    dbt_succeeded = any(e.event_type_value == "STEP_SUCCESS" and e.step_key == _DBT_STEP for e in result.all_events)
    return RunOutcome(
        success=result.success,
        failed_checks=failed,
        warnings=warnings,
        materialized=len(materialized),
        dbt_skipped=dbt_succeeded and not any(e.step_key == _DBT_STEP for e in materialized),
        run_id=result.run_id,
    )


@contextlib.contextmanager
def _sigterm_kept() -> Iterator[None]:
    """Gives SIGTERM back the handler it had before the run, whatever Dagster did with it.

    Dagster points SIGTERM at SIGINT's handler whenever it guards user code (building definitions, running
    the job) and leaves it there. In a process started in the background by a script (cron wrappers,
    ``nohup ... &``), SIGINT is ignored, so SIGTERM would stay ignored after the run: the process, and every
    program it starts afterwards, could then no longer be stopped with a plain ``kill``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can set handlers (and Dagster then leaves them alone too)
        return
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _copy_is_current(settings: Settings, copy: Path) -> bool:
    """Whether the analyst copy was published after the last recorded build (a failed publication was not)."""
    from datetime import UTC, datetime

    from pipelines.build_state import last_built_at
    from pipelines.warehouse import connect

    if not copy.is_file():
        return False
    with connect(settings, read_only=True) as con:
        built_at = last_built_at(con)
    return built_at is None or datetime.fromtimestamp(copy.stat().st_mtime, UTC) >= built_at


def _publish(settings: Settings, outcome: RunOutcome, run_log: RunLog) -> None:
    """Publishes the analyst copy after a successful run (unless dbt changed nothing and one exists)."""
    from pipelines.publish import PublishError, analyst_copy_path, publish_analyst_copy

    existing = analyst_copy_path(settings)
    if outcome.dbt_skipped and _copy_is_current(settings, existing):
        run_log.line(f"analyst copy unchanged (nothing new): {existing}")
        outcome.analyst_copy = existing
        return
    try:
        published = publish_analyst_copy(settings)
    except PublishError as exc:
        run_log.line(f"ERROR {exc}")
        outcome.success, outcome.error = False, str(exc)
        return
    run_log.line(
        f"analyst copy published: {published.path} ({published.tables} relations, {published.rows:,} rows, "
        f"{published.seconds:.1f} s)"
    )
    outcome.analyst_copy = published.path
