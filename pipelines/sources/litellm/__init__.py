"""LiteLLM gateway spend logs (``LiteLLM_SpendLogs`` exports) as CSV, gzip CSV or Parquet.

Layout: ``litellm/**/*.csv|*.csv.gz|*.parquet``, one export per file (typically one per day). A file
rewritten with new contents replaces its previous version.
"""

from __future__ import annotations

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.sources.base import FileFormat, LoadPlan, PlannedFile
from pipelines.sources.litellm.schema import SPEND_LOGS

SLUG = "litellm"


def _format_of(name: str) -> FileFormat | None:
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


class LiteLLMSource:
    """The ``litellm`` source: one row per gateway request."""

    slug = SLUG
    tables = (SPEND_LOGS,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Plans every CSV and Parquet export under ``litellm/``."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            fmt = _format_of(file.name)
            if fmt is None:
                plan.ignored.append((file, "not a spend-logs export (.csv, .csv.gz or .parquet)"))
                continue
            plan.files.append(PlannedFile(file=file, table=SPEND_LOGS, format=fmt, partition=file.key))
        return plan

    def parse(self, planned: PlannedFile) -> pa.Table:
        """Spend logs are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: spend logs are read by DuckDB, not parsed in Python")


SOURCE = LiteLLMSource()
