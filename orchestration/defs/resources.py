"""Dagster resources: the warehouse settings every asset shares, and the dbt CLI."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable
from pipelines.runlock import run_lock
from pipelines.warehouse import connect

# How long a step launched outside `aicost run` waits for another run to release the warehouse.
STEP_LOCK_WAIT_SECONDS = 600


class _WarehouseMethods:
    """What the warehouse resource does with its settings (its fields are generated from ``Settings``)."""

    @property
    def settings(self) -> Settings:
        """The equivalent run settings."""
        return Settings.from_values({f.name: getattr(self, f.name) for f in dataclasses.fields(Settings)})

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Opens the warehouse for the duration of a block (DuckDB allows one writing process).

        A writing connection holds the warehouse's run lock (nested inside ``aicost run``'s own), so steps of
        runs launched from the Dagster UI or a schedule never write while another run does.
        """
        with self.write_lock() if not read_only else contextlib.nullcontext():
            con = connect(self.settings, read_only=read_only)
            try:
                yield con
            finally:
                con.close()

    def write_lock(self) -> contextlib.AbstractContextManager[None]:
        """The warehouse's run lock, waited for up to ten minutes (another run's step may be writing)."""
        return run_lock(self.settings.warehouse, wait_seconds=STEP_LOCK_WAIT_SECONDS)


def _config_type(setting: dataclasses.Field) -> type:
    """Dagster config holds plain values: paths become text."""
    kind = setting.type if isinstance(setting.type, str) else setting.type.__name__
    return int if kind == "int" else str


# One config field per setting, derived from Settings so nothing is declared twice (secrets are not
# settings: they never appear in Dagster's run config).
WarehouseResource = type(
    "WarehouseResource",
    (_WarehouseMethods, dg.ConfigurableResource),
    {
        "__module__": __name__,
        "__doc__": "The run settings (``pipelines.config.Settings``) as a Dagster resource: one field per setting.",
        "__annotations__": {f.name: _config_type(f) for f in dataclasses.fields(Settings)},
    },
)


def warehouse_resource(settings: Settings) -> WarehouseResource:
    """The resource for run settings (paths become strings, Dagster config being plain values)."""
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings)}
    return WarehouseResource(
        **{name: "" if v is None else str(v) if isinstance(v, Path) else v for name, v in values.items()}
    )


def dbt_cli_resource() -> DbtCliResource:
    """The dbt CLI of this virtualenv, on the project in ``dbt_project/``."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(dbt_executable()),
    )
