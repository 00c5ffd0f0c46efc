"""What every source package provides to the loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pyarrow as pa

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError

# csv, parquet and jsonl (JSON lines, one flat record per line) are read by DuckDB with the contract's types;
# json and python files are parsed by the source's own ``parse`` (JSON pages, nested exports) into Arrow.
FileFormat = Literal["csv", "parquet", "jsonl", "json", "python"]


@dataclass(frozen=True)
class ColumnMap:
    """How a text file's own column names map onto a raw contract (for layouts that name columns differently).

    Attributes:
        renames: File column -> contract column (read with the contract column's type).
        packed: Contract JSON column -> {JSON key: file column}: several file columns (one per tag, say)
            packed into one JSON object; empty values are left out.
    """

    renames: Mapping[str, str] = field(default_factory=dict)
    packed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedFile:
    """A landing file the source wants loaded, and how.

    Attributes:
        file: The landing file.
        table: Raw table it loads into.
        format: How to read it.
        partition: Replacement scope: loading a new delivery of a partition replaces the rows of every
            earlier delivery of the same partition (a restated CUR billing period, a rewritten file).
        delivery: Identifies one delivery of the partition (a CUR manifest's execution id). ``None``
            means each version of the file is its own delivery (its checksum).
        billing_period: ``YYYY-MM`` when the layout says it; otherwise derived from the rows.
        column_map: For CSV files whose columns are named differently from the contract.
        expected_rows: Rows the delivery's manifest says the file holds (Azure ``dataRowCount``); a file
            holding another number (a truncated copy) quarantines its delivery.
    """

    file: LandingFile
    table: RawTable
    format: FileFormat
    partition: str
    delivery: str | None = None
    billing_period: str | None = None
    column_map: ColumnMap | None = None
    expected_rows: int | None = None


@dataclass
class LoadPlan:
    """The files a source found, and those it set aside.

    Attributes:
        files: Files to load.
        ignored: Files seen but not part of any current delivery, with the reason.
        rejected: Problems found while planning (e.g. a manifest naming a missing file); each
            quarantines the files of its delivery.
    """

    files: list[PlannedFile] = field(default_factory=list)
    ignored: list[tuple[LandingFile, str]] = field(default_factory=list)
    rejected: list[tuple[list[PlannedFile], BadFileError]] = field(default_factory=list)


class Source(Protocol):
    """A source package: discovers its files and, for formats DuckDB cannot read typed, parses them."""

    slug: str
    tables: tuple[RawTable, ...]

    def plan(self, landing: Landing) -> LoadPlan:
        """Lists the source's files under ``<slug>/`` and assigns each to a raw table."""
        ...

    def parse(self, planned: PlannedFile) -> pa.Table:
        """Parses a ``json`` or ``python`` file into an Arrow table shaped like ``contract_arrow_schema(table)``."""
        ...
