"""Settings for a run: where the landing zone and the warehouse are.

Every setting has a default that works on a laptop. Values come, in order of precedence, from explicit
arguments (CLI flags), environment variables (``AICOST_*``), an optional ``aicost.toml`` and the defaults.
Credentials are never settings: S3 and BigQuery use their standard credential chains.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

_ENV = {
    "landing": "AICOST_LANDING",
    "warehouse": "AICOST_WAREHOUSE",
    "exports_dir": "AICOST_EXPORTS",
    "duckdb_memory_limit": "AICOST_DUCKDB_MEMORY_LIMIT",
    "duckdb_threads": "AICOST_DUCKDB_THREADS",
    "openai_organization_id": "AICOST_OPENAI_ORGANIZATION_ID",
}


@dataclass(frozen=True)
class Settings:
    """Where a run reads from and writes to.

    Attributes:
        landing: Landing location: a local folder or a URI, laid out as ``<slug>/...``.
        warehouse: Path of the DuckDB warehouse file.
        exports_dir: Folder for finance exports (chargeback CSVs).
        duckdb_memory_limit: DuckDB ``memory_limit`` for loads and dbt (keeps peak memory bounded).
        duckdb_threads: DuckDB worker threads; 0 means DuckDB's default (all cores).
        openai_organization_id: OpenAI organization the usage and costs exports belong to (the exports
            themselves do not say); it is the FOCUS BillingAccountId of OpenAI charges.
    """

    landing: str = "landing"
    warehouse: Path = Path("warehouse/aicost.duckdb")
    exports_dir: Path = Path("exports")
    duckdb_memory_limit: str = "3GB"
    duckdb_threads: int = 0
    openai_organization_id: str = "org-demo"

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: object) -> Settings:
        """Builds settings from defaults, ``aicost.toml``, the environment and explicit overrides.

        Args:
            config_file: Optional TOML file with an ``[aicost]`` table; defaults to ``./aicost.toml``
                when it exists (or the file named by ``AICOST_CONFIG``).
            **overrides: Explicit values (e.g. from CLI flags); ``None`` values are ignored.

        Returns:
            The resolved settings.
        """
        values: dict[str, object] = {}
        path = config_file or Path(os.environ.get("AICOST_CONFIG", "aicost.toml"))
        if path.is_file():
            with path.open("rb") as fh:
                values.update(tomllib.load(fh).get("aicost", {}))
        for field, env_name in _ENV.items():
            if env_name in os.environ:
                values[field] = os.environ[env_name]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - set(_ENV)
        if unknown:
            raise ValueError(f"unknown setting(s) in configuration: {', '.join(sorted(unknown))}")
        settings = cls()
        return replace(
            settings,
            landing=str(values.get("landing", settings.landing)),
            warehouse=Path(str(values.get("warehouse", settings.warehouse))),
            exports_dir=Path(str(values.get("exports_dir", settings.exports_dir))),
            duckdb_memory_limit=str(values.get("duckdb_memory_limit", settings.duckdb_memory_limit)),
            duckdb_threads=int(str(values.get("duckdb_threads", settings.duckdb_threads))),
            openai_organization_id=str(values.get("openai_organization_id", settings.openai_organization_id)),
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile reads."""
        return {
            "AICOST_WAREHOUSE": str(self.warehouse.resolve()),
            "AICOST_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DO_NOT_TRACK": "1",
        }

    def dbt_vars(self) -> dict[str, str]:
        """Dbt vars that come from settings."""
        return {"openai_organization_id": self.openai_organization_id}
