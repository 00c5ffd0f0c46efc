"""Shared planning for sources delivered as plain CSV / gzip CSV / Parquet files read by DuckDB."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import RawTable
from pipelines.sources.base import FileFormat, LoadOptions, LoadPlan, PlannedFile


def tabular_format(name: str) -> FileFormat | None:
    """``parquet``, ``csv`` or ``jsonl`` (JSON lines; csv and jsonl also gzip) by file name, else ``None``."""
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return "jsonl"
    return None


def files_delivery_id(files: list[LandingFile]) -> str:
    """Delivery id of files that arrived without a manifest or run folder: their keys and sizes.

    Keys and sizes, not modification times: copying the same files again is the same delivery, while a
    rewritten file (new checksum) still replaces its previous version through the loader.
    """
    digest = hashlib.sha256("\n".join(f"{f.key}:{f.size}" for f in sorted(files, key=lambda f: f.key)).encode())
    return f"files-{digest.hexdigest()[:16]}"


class FilePerPartitionSource:
    """A source whose every CSV, Parquet or JSON-lines file (gzip allowed) under ``<slug>/`` is its own partition.

    A file rewritten with new contents replaces its previous version; other files under the slug are
    recorded as skipped.

    Args:
        slug: Source slug.
        table: The raw table every file loads into.
        what: What the files are, for the skip reason ("a spend-logs export").
    """

    def __init__(self, slug: str, table: RawTable, what: str) -> None:
        self.slug = slug
        self.tables = (table,)
        self._table = table
        self._what = what

    def plan(self, landing: Landing) -> LoadPlan:
        """Plans every CSV and Parquet file under ``<slug>/``."""
        plan = LoadPlan()
        for file in landing.list_files(self.slug):
            fmt = tabular_format(file.name)
            if fmt is None:
                plan.ignored.append((file, f"not {self._what} (.csv, .parquet or .jsonl, optionally .gz)"))
                continue
            plan.files.append(PlannedFile(file=file, table=self._table, format=fmt, partition=file.key))
        return plan

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """These files are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: {self.slug} files are read by DuckDB, not parsed in Python")
