"""The Dagster code location: assembles the definitions in ``defs/``; nothing else."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.checks import (
    allocated_cost_conserves_focus,
    billed_cost_reconciles_to_source,
    no_budget_over_hard_threshold,
)
from orchestration.defs.dbt.assets import aicost_dbt_assets
from orchestration.defs.prices import price_catalogue
from orchestration.defs.resources import dbt_cli_resource, warehouse_resource
from orchestration.defs.schedules import nightly, nightly_schedule
from orchestration.defs.sources import LANDING_SENSORS, LOAD_ASSETS, REFRESH_JOBS
from pipelines.config import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """The whole code location for one set of settings (the CLI passes its own; `dagster dev` the defaults).

    Args:
        settings: Landing location and warehouse to run against.

    Returns:
        Definitions with the load assets, dbt assets, checks, the nightly job and its schedule, and each
        source's refresh job and landing sensor.
    """
    return dg.Definitions(
        assets=[*LOAD_ASSETS.values(), price_catalogue, aicost_dbt_assets],
        asset_checks=[billed_cost_reconciles_to_source, allocated_cost_conserves_focus, no_budget_over_hard_threshold],
        jobs=[nightly, *REFRESH_JOBS.values()],
        schedules=[nightly_schedule],
        sensors=LANDING_SENSORS,
        resources={"warehouse": warehouse_resource(settings), "dbt": dbt_cli_resource()},
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.load())
