"""Configuration: every setting declared once, and the only place the environment is read.

Settings have a default that works on a laptop. Values come, in order of precedence, from explicit
arguments (CLI flags), environment variables (``AICOST_*``, named on each field), an optional
``aicost.toml`` and the defaults. Secrets (admin keys, the LiteLLM database URL, the pseudonym salt) are
read from the environment only (``Secrets``), never from a file, and are handed to the code that needs them
as arguments. Cloud credentials are never settings: S3 and BigQuery use their standard credential chains.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_FOCUS_VALIDATOR = PROJECT_ROOT / ".venv-focus" / "bin" / "focus-validator"
# Span and resource attributes kept as attribution keys by default.
DEFAULT_OTEL_ATTRIBUTE_KEYS = "app.team,app.feature,app.customer_id,enduser.id"
# Engines dbt builds with, each an output of dbt_project/profiles.yml.
ENGINES = ("duckdb", "spark")


def dbt_executable() -> Path:
    """The dbt the pipeline runs: ``aicost-dbt`` (dbt that dies with its parent), else plain dbt."""
    scripts = Path(sys.executable).parent
    wrapper = scripts / "aicost-dbt"
    return wrapper if wrapper.is_file() else scripts / "dbt"


def _env(name: str) -> dict[str, str]:
    """Field metadata naming the environment variable of a setting or secret."""
    return {"env": name}


@dataclass(frozen=True)
class Settings:
    """Where a run reads from and writes to, and how.

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
        otel_attribute_keys: Span or resource attributes kept as attribution keys, comma-separated
            (content attributes are always refused).
        openai_api_base: Base URL of the OpenAI Admin API for ``aicost pull openai``.
        anthropic_api_base: Base URL of the Anthropic Admin API for ``aicost pull anthropic``.
        focus_validator: The focus-validator executable ``aicost validate-focus`` runs.
        close_tolerance: Largest share of a month's invoiced cost that may stay unexplained (the sum of
            ``abs(unexplained_cost)`` over that of ``abs(invoiced_cost)`` in ``rpt_reconciliation_daily``, per
            currency) for ``aicost close`` to publish the month; a decimal fraction, 0.05 = 5 %. Kept as text
            (Dagster config holds plain values; a TOML float is read through its shortest text, so 0.05 stays
            0.05); ``close_tolerance_fraction`` is the exact ``Decimal``.
        engine: The engine dbt builds the warehouse with: ``duckdb`` (embedded, the default) or ``spark``
            (the dbt profile's ``spark`` output: a local session, or a cluster configured there). With Spark
            the loader still lands raw data in the DuckDB file, mirrors it to the Parquet ``lake`` and dbt
            reads the lake.
        lake: Where the raw layer is mirrored as Parquet for Spark (``pipelines/lake.py``): a local folder or
            ``s3://bucket/prefix``; defaults to ``<warehouse folder>/lake``.
        spark_warehouse_dir: Spark's warehouse folder (its tables and the local metastore) for the local
            session; defaults to ``<warehouse folder>/spark``.
        lock_wait_seconds: How long a run waits for another process (an analyst's or BI tool's connection to
            the warehouse file itself) to release DuckDB's lock on the warehouse before it gives up as busy;
            analysts should open the published copy (``published/aicost.duckdb``), which never blocks a run.
    """

    landing: str = field(default="landing", metadata=_env("AICOST_LANDING"))
    warehouse: Path = field(default=Path("warehouse/aicost.duckdb"), metadata=_env("AICOST_WAREHOUSE"))
    exports_dir: Path = field(default=Path("exports"), metadata=_env("AICOST_EXPORTS"))
    duckdb_memory_limit: str = field(default="3GB", metadata=_env("AICOST_DUCKDB_MEMORY_LIMIT"))
    duckdb_threads: int = field(default=0, metadata=_env("AICOST_DUCKDB_THREADS"))
    openai_organization_id: str = field(default="org-demo", metadata=_env("AICOST_OPENAI_ORGANIZATION_ID"))
    anthropic_organization_id: str = field(
        default="anthropic-org-demo", metadata=_env("AICOST_ANTHROPIC_ORGANIZATION_ID")
    )
    reporting_currency: str = field(default="USD", metadata=_env("AICOST_REPORTING_CURRENCY"))
    s3_endpoint_url: str = field(default="", metadata=_env("AICOST_S3_ENDPOINT_URL"))
    download_dir: Path | None = field(default=None, metadata=_env("AICOST_DOWNLOAD_DIR"))
    gcp_billing_table: str = field(default="", metadata=_env("AICOST_GCP_BILLING_TABLE"))
    bigquery_project: str = field(default="", metadata=_env("AICOST_BIGQUERY_PROJECT"))
    bigquery_endpoint_url: str = field(default="", metadata=_env("AICOST_BIGQUERY_ENDPOINT_URL"))
    otel_attribute_keys: str = field(default=DEFAULT_OTEL_ATTRIBUTE_KEYS, metadata=_env("AICOST_OTEL_ATTRIBUTE_KEYS"))
    openai_api_base: str = field(default="https://api.openai.com/v1", metadata=_env("AICOST_OPENAI_API_BASE"))
    anthropic_api_base: str = field(default="https://api.anthropic.com/v1", metadata=_env("AICOST_ANTHROPIC_API_BASE"))
    focus_validator: Path = field(default=DEFAULT_FOCUS_VALIDATOR, metadata=_env("AICOST_FOCUS_VALIDATOR"))
    close_tolerance: str = field(default="0.05", metadata=_env("AICOST_CLOSE_TOLERANCE"))
    engine: str = field(default="duckdb", metadata=_env("AICOST_ENGINE"))
    lake: str = field(default="", metadata=_env("AICOST_LAKE"))
    spark_warehouse_dir: Path | None = field(default=None, metadata=_env("AICOST_SPARK_WAREHOUSE_DIR"))
    lock_wait_seconds: int = field(default=120, metadata=_env("AICOST_LOCK_WAIT_SECONDS"))

    def __post_init__(self) -> None:
        """Refuses a ``close_tolerance`` that is not a non-negative decimal number or an unknown engine."""
        _ = self.close_tolerance_fraction
        if self.engine not in ENGINES:
            raise ValueError(f"setting engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")

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
        for setting in fields(cls):
            env_name = setting.metadata["env"]
            if env_name in os.environ:
                values[setting.name] = os.environ[env_name]
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
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown setting(s) in configuration: {', '.join(sorted(unknown))}")
        converted: dict[str, object] = {}
        for setting in fields(cls):
            if setting.name in values:
                value = values[setting.name]
                kind = setting.type if isinstance(setting.type, str) else setting.type.__name__
                if "Path" in kind:
                    converted[setting.name] = Path(str(value)) if value not in ("", None) else None
                elif kind == "int":
                    converted[setting.name] = int(str(value))
                else:
                    converted[setting.name] = str(value)
        return replace(cls(), **converted)

    @property
    def close_tolerance_fraction(self) -> Decimal:
        """``close_tolerance`` as an exact decimal.

        Raises:
            ValueError: When it is not a non-negative decimal number.
        """
        try:
            number = Decimal(str(self.close_tolerance).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise ValueError(
                f"setting close_tolerance must be a non-negative decimal number (0.05 = 5 %), got {self.close_tolerance!r}"
            )
        return number

    @property
    def downloads(self) -> Path:
        """Folder that remote landing objects are downloaded to."""
        return self.download_dir or self.warehouse.parent / "downloads"

    @property
    def lake_location(self) -> str:
        """The Parquet lake Spark reads the raw layer from: ``lake``, else ``<warehouse folder>/lake``."""
        if self.lake.startswith("s3://"):
            return self.lake.rstrip("/")
        return str(Path(self.lake).resolve() if self.lake else self.warehouse.resolve().parent / "lake")

    @property
    def dbt_target(self) -> Path:
        """The warehouse's dbt folder (artifacts, ``partial_parse.msgpack``, ``dbt.log``), kept between runs."""
        return self.warehouse.resolve().parent / "dbt_target"

    @property
    def spark_warehouse(self) -> Path:
        """Spark's warehouse folder for the local session."""
        return (self.spark_warehouse_dir or self.warehouse.parent / "spark").resolve()

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile reads (the target is the engine).

        On Spark, ``SPARK_CONF_DIR`` names the project's Spark logging (``dbt_project/spark_conf``) unless the
        environment already names a configuration folder.
        """
        env = {
            "AICOST_WAREHOUSE": str(self.warehouse.resolve()),
            "AICOST_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "AICOST_ENGINE": self.engine,
            "AICOST_LAKE": self.lake_location,
            "AICOST_SPARK_WAREHOUSE_DIR": str(self.spark_warehouse),
            "DO_NOT_TRACK": "1",
        }
        if self.engine == "spark":
            env["SPARK_CONF_DIR"] = os.environ.get("SPARK_CONF_DIR", str(DBT_PROJECT_DIR / "spark_conf"))
        return env

    def dbt_vars(self) -> dict[str, str]:
        """Dbt vars that come from settings."""
        return {
            "openai_organization_id": self.openai_organization_id,
            "anthropic_organization_id": self.anthropic_organization_id,
            "reporting_currency": self.reporting_currency,
        }


@dataclass(frozen=True, repr=False)
class Secrets:
    """Credentials and switches read from the environment only, never from a file, never printed.

    Attributes:
        pseudonym_salt: ``AICOST_PSEUDONYM_SALT``: end-user ids are stored as ``u-`` + SHA-256(salt + id).
        litellm_database_url: ``AICOST_LITELLM_DATABASE_URL``: the LiteLLM Postgres database to pull.
        openai_admin_key: ``OPENAI_ADMIN_KEY`` for ``aicost pull openai``.
        anthropic_admin_key: ``ANTHROPIC_ADMIN_KEY`` for ``aicost pull anthropic``.
    """

    pseudonym_salt: str | None = field(default=None, metadata=_env("AICOST_PSEUDONYM_SALT"))
    litellm_database_url: str | None = field(default=None, metadata=_env("AICOST_LITELLM_DATABASE_URL"))
    openai_admin_key: str | None = field(default=None, metadata=_env("OPENAI_ADMIN_KEY"))
    anthropic_admin_key: str | None = field(default=None, metadata=_env("ANTHROPIC_ADMIN_KEY"))

    @classmethod
    def from_env(cls) -> Secrets:
        """The secrets the environment holds now (empty values count as unset)."""
        return cls(**{f.name: os.environ.get(f.metadata["env"]) or None for f in fields(cls)})

    def __repr__(self) -> str:
        """Which secrets are set, never their values."""
        return (
            "Secrets("
            + ", ".join(f"{f.name}={'set' if getattr(self, f.name) else 'unset'}" for f in fields(self))
            + ")"
        )


def env_name(secret: str) -> str:
    """The environment variable a secret is read from (for messages that must name it)."""
    return next(f.metadata["env"] for f in fields(Secrets) if f.name == secret)
