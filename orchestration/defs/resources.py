"""Dagster resources: the warehouse settings every asset shares, and the dbt CLI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from pipelines.config import DBT_PROJECT_DIR, Settings
from pipelines.warehouse import connect


class WarehouseResource(dg.ConfigurableResource):
    """Where the landing zone and the DuckDB warehouse are (see ``pipelines.config.Settings``)."""

    landing: str
    warehouse: str
    duckdb_memory_limit: str = "3GB"
    duckdb_threads: int = 0
    openai_organization_id: str = "org-demo"

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        """Builds the resource from run settings."""
        return cls(
            landing=settings.landing,
            warehouse=str(settings.warehouse),
            duckdb_memory_limit=settings.duckdb_memory_limit,
            duckdb_threads=settings.duckdb_threads,
            openai_organization_id=settings.openai_organization_id,
        )

    @property
    def settings(self) -> Settings:
        """The equivalent run settings."""
        return Settings(
            landing=self.landing,
            warehouse=Path(self.warehouse),
            duckdb_memory_limit=self.duckdb_memory_limit,
            duckdb_threads=self.duckdb_threads,
            openai_organization_id=self.openai_organization_id,
        )

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Opens the warehouse for the duration of a block (DuckDB allows one writing process)."""
        con = connect(self.settings, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def dbt_cli_resource() -> DbtCliResource:
    """The dbt CLI of this virtualenv, on the project in ``dbt_project/``."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )
