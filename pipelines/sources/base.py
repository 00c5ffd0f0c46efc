"""What a source package provides: a reader for the loader, and a ``SourceUnit`` for everything else.

A source is one unit (``pipelines/sources/<slug>/``): its raw contract, file plan and parser, pull where it
has one, conservation query, demo writer and README. The registry lists the units; the loader, the Dagster
definitions, the summary, the CLI and the bench iterate over it and never name a source.

Imports: what a source package may import is stated once, in ``pipelines.sources`` (its ``__init__``);
outside the source packages only the registry (and tests) names one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

import pyarrow as pa

from pipelines.landing import Landing, LandingFile, Pulled
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError

if TYPE_CHECKING:
    from pipelines.config import Secrets, Settings
    from pipelines.demo.world import DemoWorld
    from pipelines.pull.admin_api import Provider

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


@dataclass(frozen=True, repr=False)
class LoadOptions:
    """What a load needs from the configuration, passed in (sources never read the environment).

    Attributes:
        pseudonym_salt: Secret salt of end-user pseudonyms; ``None`` stores identifiers as sent.
        otel_attribute_keys: Span or resource attributes kept as attribution keys (comma-separated).
    """

    pseudonym_salt: str | None = None
    otel_attribute_keys: str = ""

    @classmethod
    def from_config(cls) -> LoadOptions:
        """The options of the current configuration (settings and environment)."""
        from pipelines.config import Secrets, Settings

        return cls(Secrets.from_env().pseudonym_salt, Settings.load().otel_attribute_keys)

    def __repr__(self) -> str:
        """Never shows the salt."""
        return f"LoadOptions(pseudonym_salt={'set' if self.pseudonym_salt else 'unset'}, otel_attribute_keys={self.otel_attribute_keys!r})"


class Source(Protocol):
    """A source package: discovers its files and, for formats DuckDB cannot read typed, parses them."""

    slug: str
    tables: tuple[RawTable, ...]

    def plan(self, landing: Landing) -> LoadPlan:
        """Lists the source's files under ``<slug>/`` and assigns each to a raw table."""
        ...

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Parses a ``json`` or ``python`` file into an Arrow table shaped like ``contract_arrow_schema(table)``."""
        ...


@dataclass(frozen=True)
class BilledTotals:
    """The conservation query of a bill source, read straight from its raw tables (never from dbt's models).

    Attributes:
        sql: SELECT of (billing account, ``YYYY-MM`` period, currency, billed cost) for the rows that count;
            ``?`` stands for the account setting when the source's files do not name their account.
        account_setting: The ``Settings`` field holding the billing account, for reports without one.
    """

    sql: str
    account_setting: str | None = None


class DemoWriter(Protocol):
    """Writes a source's files of the demo month from the simulated company (``pipelines.demo.world``)."""

    def __call__(self, world: DemoWorld) -> int:
        """Writes the files under ``<landing>/<slug>/`` and returns the rows written."""
        ...


@dataclass(frozen=True)
class SourceUnit:
    """Everything about one source, in one place: the registry holds one per slug.

    Attributes:
        reader: Plans the source's files and parses those DuckDB cannot read typed (``Source``).
        description: What the source is (shown on its Dagster assets).
        demo: Writes the source's files for `aicost demo`.
        demo_label: What the demo's row count counts ("CUR lines").
        billed_totals: Its conservation query, for bill sources.
        pull: Fetches it from an API or database into a local folder before each load (landing-time pulls).
        api: Its Admin API, pulled by `aicost pull <name>`.
        bench_reads: (glob under the landing root, DuckDB reader) of its files: how `make bench` reads them
            untyped, the irreducible cost the loader is measured against.
    """

    reader: Source
    description: str
    demo: DemoWriter | None = None
    demo_label: str = "rows"
    billed_totals: BilledTotals | None = None
    pull: Callable[[Settings, Secrets], Pulled | None] | None = None
    api: Provider | None = None
    bench_reads: tuple[tuple[str, str], ...] = ()

    @property
    def slug(self) -> str:
        """The source's slug (package, Dagster group, dbt staging folder, raw schema)."""
        return self.reader.slug

    @property
    def tables(self) -> tuple[RawTable, ...]:
        """Its raw tables."""
        return self.reader.tables

    def plan(self, landing: Landing) -> LoadPlan:
        """The reader's plan of the landing zone."""
        return self.reader.plan(landing)

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """The reader's parse of a file DuckDB cannot read typed."""
        return self.reader.parse(planned, options)
