"""The Dagster code location: assembles the definitions in ``defs/``; nothing else."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.anthropic_usage.assets import anthropic_usage_load
from orchestration.defs.aws_cur.assets import aws_cur_load
from orchestration.defs.aws_focus.assets import aws_focus_load
from orchestration.defs.azure_cost.assets import azure_cost_load
from orchestration.defs.checks import billed_cost_reconciles_to_source
from orchestration.defs.dbt.assets import aicost_dbt_assets
from orchestration.defs.gcp_billing.assets import gcp_billing_load
from orchestration.defs.litellm.assets import litellm_load
from orchestration.defs.openai_usage.assets import openai_usage_load
from orchestration.defs.otel_genai.assets import otel_genai_load
from orchestration.defs.outcomes.assets import outcomes_load
from orchestration.defs.prices.assets import price_catalogue
from orchestration.defs.resources import WarehouseResource, dbt_cli_resource
from orchestration.defs.schedules import nightly, nightly_schedule
from orchestration.defs.sensors import landing_sensors
from pipelines.config import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """The whole code location for one set of settings (the CLI passes its own; `dagster dev` the defaults).

    Args:
        settings: Landing location and warehouse to run against.

    Returns:
        Definitions with the load assets, dbt assets, checks, the nightly job, its schedule and the
        landing sensors.
    """
    return dg.Definitions(
        assets=[
            aws_cur_load,
            aws_focus_load,
            azure_cost_load,
            gcp_billing_load,
            openai_usage_load,
            anthropic_usage_load,
            litellm_load,
            otel_genai_load,
            outcomes_load,
            price_catalogue,
            aicost_dbt_assets,
        ],
        asset_checks=[billed_cost_reconciles_to_source],
        jobs=[nightly],
        schedules=[nightly_schedule],
        sensors=landing_sensors,
        resources={"warehouse": WarehouseResource.from_settings(settings), "dbt": dbt_cli_resource()},
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.load())
