"""Running the Dagster asset graph in-process (what `aicost run` and `aicost demo` do)."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import Settings

log = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    """How a run went.

    Attributes:
        success: Whether every step (loads, dbt build) succeeded.
        failed_checks: ``asset: check`` names of asset checks that did not pass.
        materialized: Number of assets materialised.
        log_path: File holding the run's detailed output (dbt's log lines among them).
    """

    success: bool
    failed_checks: list[str] = field(default_factory=list)
    materialized: int = 0
    log_path: Path | None = None


def run_pipeline(settings: Settings) -> RunOutcome:
    """Materialises the ``nightly`` job (loads, dbt build, checks) in this process.

    Args:
        settings: Landing location and warehouse.

    Returns:
        The outcome, including failed asset checks (e.g. quarantined files), which do not stop the run.
    """
    import dagster as dg

    from orchestration.definitions import build_definitions

    os.environ.update(settings.dbt_env())
    defs = build_definitions(settings)
    job = defs.resolve_job_def("nightly")
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    # Dagster's console logger would print every engine event and dagster-dbt echoes dbt's output: both go
    # to a log file beside the warehouse, and the summary says what matters.
    run_config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    log_path = settings.warehouse.parent / "logs" / "last_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
    failed = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed.append(f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}")
    materialized = sum(1 for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION")
    return RunOutcome(
        success=result.success, failed_checks=sorted(failed), materialized=materialized, log_path=log_path
    )
