"""Business outcome events, as CSV, gzip CSV or Parquet files (one export per file).

Layout: ``outcomes/**/*.csv|*.csv.gz|*.parquet``. A file rewritten with new contents replaces its previous
version; the same event sent again in another file is counted once (dbt keeps the latest load of each
outcome type and id).
"""

from __future__ import annotations

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.sources.base import FileFormat, LoadPlan, PlannedFile
from pipelines.sources.outcomes.schema import EVENTS

SLUG = "outcomes"


def _format_of(name: str) -> FileFormat | None:
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


class OutcomesSource:
    """The ``outcomes`` source: one row per business outcome event."""

    slug = SLUG
    tables = (EVENTS,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Plans every CSV and Parquet file under ``outcomes/``, each its own partition."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            fmt = _format_of(file.name)
            if fmt is None:
                plan.ignored.append((file, "not an outcome events file (.csv, .csv.gz or .parquet)"))
                continue
            plan.files.append(PlannedFile(file=file, table=EVENTS, format=fmt, partition=file.key))
        return plan

    def parse(self, planned: PlannedFile) -> pa.Table:
        """Outcome files are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: outcome files are read by DuckDB, not parsed in Python")


SOURCE = OutcomesSource()
