"""Running the Dagster asset graph in-process (what `aicost run` and `aicost demo` do).

A run holds the warehouse's run lock (``pipelines.runlock``) from start to end, so two runs never write
the same warehouse or the same log, and it writes its own log file: ``last_run.log`` is repointed to it
only when the run ends, so a run that dies early never wipes the previous good log.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.dbt_child import RUN_PID_ENV
from pipelines.config import Settings
from pipelines.mappings import render_errors, validate_mappings
from pipelines.runlock import run_lock

log = logging.getLogger(__name__)
# Run logs kept beside the warehouse (the oldest are deleted).
_KEPT_LOGS = 30


@dataclass
class RunOutcome:
    """How a run went.

    Attributes:
        success: Whether every step (loads, dbt build) succeeded.
        failed_checks: ``asset: check`` names of asset checks at ERROR severity that did not pass.
        warnings: ``asset: check`` names of WARN-severity checks that did not pass (schema drift): reported,
            the exit code stays 0.
        materialized: Number of assets materialised.
        log_path: File holding the run's detailed output (dbt's log lines among them).
    """

    success: bool
    failed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    materialized: int = 0
    log_path: Path | None = None


def run_pipeline(settings: Settings, wait_seconds: float = 0) -> RunOutcome:
    """Materialises the ``nightly`` job (loads, dbt build, checks) in this process, holding the run lock.

    Args:
        settings: Landing location and warehouse.
        wait_seconds: How long to wait for another run of the same warehouse to finish.

    Returns:
        The outcome, including failed asset checks (e.g. quarantined files), which do not stop the run.

    Raises:
        RunLockBusy: Another run holds the warehouse.
        WarehouseBusy: Another process (not a run: an analyst's writable connection) holds the file.
    """
    from pipelines.warehouse import connect

    with run_lock(settings.warehouse, wait_seconds):
        # Fail in one line, before any step, when another process holds DuckDB's write lock.
        connect(settings).close()
        return _run_locked(settings)


def _run_locked(settings: Settings) -> RunOutcome:
    # The mapping seeds decide who pays: a bad row stops the run before any load, with every error named.
    mapping_errors = validate_mappings()
    if mapping_errors:
        return _stopped_before_start(settings, render_errors(mapping_errors))
    # dbt (aicost-dbt, started by this process) knows which run it belongs to, and dies with it.
    os.environ[RUN_PID_ENV] = str(os.getpid())
    import dagster as dg

    from orchestration.definitions import build_definitions

    os.environ.update(settings.dbt_env())
    defs = build_definitions(settings)
    job = defs.resolve_job_def("nightly")
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    # Dagster's console logger would print every engine event and dagster-dbt echoes dbt's output: both go
    # to a log file beside the warehouse, and the summary says what matters.
    run_config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    logs = settings.warehouse.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    try:
        with log_path.open("w", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file):
            result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
    finally:
        _point_last_run_log(log_path)
    failed, warnings = [], []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
                is_warning = evaluation.severity == dg.AssetCheckSeverity.WARN
                (warnings if is_warning else failed).append(name)
    materialized = sum(1 for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION")
    return RunOutcome(
        success=result.success,
        failed_checks=sorted(failed),
        warnings=sorted(warnings),
        materialized=materialized,
        log_path=log_path,
    )


def _stopped_before_start(settings: Settings, report: str) -> RunOutcome:
    """A failed outcome whose log (the run's own, and ``last_run.log``) is the report of why it did not start."""
    logs = settings.warehouse.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    log_path.write_text(report + "\n", encoding="utf-8")
    _point_last_run_log(log_path)
    return RunOutcome(success=False, log_path=log_path)


def _point_last_run_log(log_path: Path) -> None:
    """Makes ``last_run.log`` this run's log (atomically) and deletes the oldest run logs."""
    last = log_path.parent / "last_run.log"
    tmp = log_path.parent / f".last_run.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(log_path.name)
    tmp.replace(last)
    for old in sorted(log_path.parent.glob("run-*.log"))[:-_KEPT_LOGS]:
        old.unlink(missing_ok=True)
