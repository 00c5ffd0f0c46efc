"""Settings for a run: where the landing zone and the warehouse are.

Every setting has a default that works on a laptop. Values come, in order of precedence, from explicit
arguments (CLI flags), environment variables (``AICOST_*``), an optional ``aicost.toml`` and the defaults.
Credentials are never settings: S3 and BigQuery use their standard credential chains.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_executable() -> Path:
    """The dbt the pipeline runs: ``aicost-dbt`` (dbt that dies with its parent), else plain dbt."""
    scripts = Path(sys.executable).parent
    wrapper = scripts / "aicost-dbt"
    return wrapper if wrapper.is_file() else scripts / "dbt"


_ENV = {
    "landing": "AICOST_LANDING",
    "warehouse": "AICOST_WAREHOUSE",
    "exports_dir": "AICOST_EXPORTS",
    "duckdb_memory_limit": "AICOST_DUCKDB_MEMORY_LIMIT",
    "duckdb_threads": "AICOST_DUCKDB_THREADS",
    "openai_organization_id": "AICOST_OPENAI_ORGANIZATION_ID",
    "anthropic_organization_id": "AICOST_ANTHROPIC_ORGANIZATION_ID",
    "reporting_currency": "AICOST_REPORTING_CURRENCY",
    "s3_endpoint_url": "AICOST_S3_ENDPOINT_URL",
    "download_dir": "AICOST_DOWNLOAD_DIR",
    "gcp_billing_table": "AICOST_GCP_BILLING_TABLE",
    "bigquery_project": "AICOST_BIGQUERY_PROJECT",
    "bigquery_endpoint_url": "AICOST_BIGQUERY_ENDPOINT_URL",
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
        anthropic_organization_id: The same for the Anthropic usage and cost reports.
        reporting_currency: ISO currency the x_Reporting* FOCUS columns convert to (dated FX seed).
        s3_endpoint_url: Endpoint of an S3-compatible store (MinIO, R2, a local test server) for
            ``s3://`` landing locations; empty means AWS itself. Credentials come from boto3's chain.
        download_dir: Where objects of a remote landing location are downloaded to (only new or changed
            ones are fetched); defaults to ``<warehouse folder>/downloads``.
        gcp_billing_table: ``project.dataset.table`` of a GCP billing export in BigQuery to pull; empty
            means none (exported files under ``gcp_billing/`` still load).
        bigquery_project: Project that runs the BigQuery queries (billing is charged to it); defaults to
            the table's project.
        bigquery_endpoint_url: API endpoint override for BigQuery (a local emulator); empty means Google.
    """

    landing: str = "landing"
    warehouse: Path = Path("warehouse/aicost.duckdb")
    exports_dir: Path = Path("exports")
    duckdb_memory_limit: str = "3GB"
    duckdb_threads: int = 0
    openai_organization_id: str = "org-demo"
    anthropic_organization_id: str = "anthropic-org-demo"
    reporting_currency: str = "USD"
    s3_endpoint_url: str = ""
    download_dir: Path | None = None
    gcp_billing_table: str = ""
    bigquery_project: str = ""
    bigquery_endpoint_url: str = ""

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
        return cls.from_values(values)

    @classmethod
    def from_values(cls, values: dict[str, object]) -> Settings:
        """Builds settings from plain values (text or numbers), converting each to its field's type.

        Args:
            values: Setting name -> value; missing settings take their defaults, ``""`` clears a path.

        Returns:
            The settings.

        Raises:
            ValueError: For a name that is not a setting.
        """
        unknown = set(values) - set(_ENV)
        if unknown:
            raise ValueError(f"unknown setting(s) in configuration: {', '.join(sorted(unknown))}")
        converted: dict[str, object] = {}
        for field in fields(cls):
            if field.name in values:
                value = values[field.name]
                kind = field.type if isinstance(field.type, str) else field.type.__name__
                if "Path" in kind:
                    converted[field.name] = Path(str(value)) if value not in ("", None) else None
                elif kind == "int":
                    converted[field.name] = int(str(value))
                else:
                    converted[field.name] = str(value)
        return replace(cls(), **converted)

    @property
    def downloads(self) -> Path:
        """Folder that remote landing objects are downloaded to."""
        return self.download_dir or self.warehouse.parent / "downloads"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile reads."""
        return {
            "AICOST_WAREHOUSE": str(self.warehouse.resolve()),
            "AICOST_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DO_NOT_TRACK": "1",
        }

    def dbt_vars(self) -> dict[str, str]:
        """Dbt vars that come from settings."""
        return {
            "openai_organization_id": self.openai_organization_id,
            "anthropic_organization_id": self.anthropic_organization_id,
            "reporting_currency": self.reporting_currency,
        }
