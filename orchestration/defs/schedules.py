"""The nightly job and its schedule."""

from __future__ import annotations

import dagster as dg

# Everything: loads, dbt build, checks. Runs in one process, since DuckDB allows one writing process.
nightly = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all(),
    description="Load every landing source, build the dbt project and run the invariant checks.",
    executor_def=dg.in_process_executor,
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_schedule",
    job=nightly,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
