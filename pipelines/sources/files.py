"""Shared file handling of sources: planning files DuckDB reads, and the text of files a source parses."""

from __future__ import annotations

import gzip
import hashlib
import zlib

import pyarrow as pa

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError
from pipelines.sources.base import FileFormat, LoadOptions, LoadPlan, PlannedFile


def decoded_text(planned: PlannedFile) -> str:
    """The text of a UTF-8 file (gzip allowed, a byte-order mark dropped) a source parses in Python.

    Raises:
        BadFileError: A truncated or corrupt gzip stream (a writer rotating the file mid-write), or a byte
            that is not UTF-8 (with its line).
    """
    key = planned.file.key
    path = planned.file.local_path
    try:
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise BadFileError(key, f"cannot be decompressed (truncated or corrupt gzip): {exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFileError(key, f"not UTF-8 (byte {exc.start})", line=raw[: exc.start].count(b"\n") + 1) from exc


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
