"""dbt models, seeds and tests as Dagster assets (dagster-dbt), grouped like the project's folders."""

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import DBT_PROJECT, prepared_manifest
from orchestration.defs.resources import WarehouseResource


class AicostDbtTranslator(DagsterDbtTranslator):
    """Staging models join their source's group; seeds are reference data; the rest by layer."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """``<slug>`` for staging, ``reference`` for seeds, else the layer (intermediate, marts)."""
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if len(fqn) > 2 and fqn[1] == "staging":
            return fqn[2]
        return fqn[1] if len(fqn) > 2 else "marts"


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT, dagster_dbt_translator=AicostDbtTranslator())
def aicost_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    """Runs ``dbt build`` (seeds, models and tests) for the selected nodes on the configured warehouse."""
    settings = warehouse.settings
    # The dbt profile reads the warehouse path from the environment of the dbt process.
    os.environ.update(settings.dbt_env())
    with warehouse.write_lock():
        yield from dbt.cli(["build", "--vars", json.dumps(settings.dbt_vars())], context=context).stream()
