"""Raw-table contracts: the explicit column -> type map every raw table is loaded with.

Types are never auto-detected for money or identifiers: a contract says what each column is, files are
read with those types, and a value that does not fit quarantines the file with the line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MONEY = "DECIMAL(38, 12)"
QUANTITY = "DECIMAL(38, 12)"
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMPTZ"),
    ("_load_id", "VARCHAR"),
)
# On bill tables: the load id of the newer delivery that covers the row's billing scope (NULL: the row counts).
SUPERSEDED_COLUMN = ("_superseded_by", "VARCHAR")
# Decimal values (amounts, quantities) at or beyond this magnitude are refused at load: no real charge line
# is a trillion, and the downstream arithmetic (amount x rate, quantity x block size) must never overflow
# DECIMAL(38, ...). A value of 1e20 fits DECIMAL(38, 12) yet would stop the whole FOCUS build.
MAX_DECIMAL = "1e12"
# The JSON column API tables keep fields the parser does not know in (schema drift, reported, never lost).
EXTRA_FIELDS = "extra_fields"


@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    Attributes:
        name: Column name as it appears in the file.
        type: DuckDB type it is loaded as.
        required: Whether a file without this column is rejected (optional columns load as NULL).
        not_null: Whether every row must have a value (a file with an empty one is quarantined at load).
    """

    name: str
    type: str
    required: bool = True
    not_null: bool = False


@dataclass(frozen=True)
class RowCheck:
    """A rule every loaded row must satisfy; a file with a violating row is quarantined.

    For values whose type alone cannot be checked on read (text dates in a provider's own format, say).

    Attributes:
        column: The column the rule is about (named in the quarantine message).
        condition: SQL predicate over the raw columns that must be true (NULL counts as true).
        reason: What is wrong when it is false, e.g. "not a M/D/YYYY or ISO date".
    """

    column: str
    condition: str
    reason: str


@dataclass(frozen=True)
class RawTable:
    """The contract of one raw table ``raw_<slug>.<name>``.

    Attributes:
        slug: Source slug (the schema is ``raw_<slug>``).
        name: Table name.
        columns: Contract columns in table order.
        period_column: Timestamp column whose month is recorded as the file's billing period.
        excluded: Columns a file may carry that are never loaded (e.g. prompt and response bodies).
        checks: Row rules checked after each insert (see ``RowCheck``).
        null_strings: Texts a CSV file writes for a missing value.
        pseudonymised: Identifier columns (end users) replaced at load by a salted SHA-256 when a salt is
            configured (``AICOST_PSEUDONYM_SALT``), so the raw value is never stored.
        scope: On bill tables, a SQL expression over the raw columns naming the billing scope a row belongs
            to (billing account, sub-account, period). When deliveries of two partitions (two exports)
            cover the same scope, the newest delivery counts and the other's rows of that scope are
            marked superseded (``_superseded_by``), never counted twice.
        unique_key: Columns identifying one event (a request id): the same key loaded from two files is
            counted once downstream (the first load wins) and the later load records how many it repeated.
        known_columns: Columns the source documents that the warehouse does not load: not schema drift.
    """

    slug: str
    name: str
    columns: tuple[Column, ...]
    period_column: str | None = None
    excluded: frozenset[str] = field(default_factory=frozenset)
    checks: tuple[RowCheck, ...] = ()
    null_strings: tuple[str, ...] = ("",)
    pseudonymised: frozenset[str] = field(default_factory=frozenset)
    scope: str | None = None
    unique_key: tuple[str, ...] = ()
    known_columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def schema(self) -> str:
        """The raw schema of the source."""
        return f"raw_{self.slug}"

    @property
    def qualified_name(self) -> str:
        """``raw_<slug>.<name>``."""
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column:
        """Returns the contract column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def lineage_columns(self) -> tuple[tuple[str, str], ...]:
        """The lineage columns of this table (bill tables also say which newer delivery supersedes a row)."""
        return (*LINEAGE_COLUMNS, SUPERSEDED_COLUMN) if self.scope else LINEAGE_COLUMNS

    @property
    def has_extra_fields(self) -> bool:
        """Whether unknown fields of the source are kept in an ``extra_fields`` JSON column."""
        return any(c.name == EXTRA_FIELDS for c in self.columns)

    @property
    def row_checks(self) -> tuple[RowCheck, ...]:
        """The table's own row rules, then the generic ones: values present where required, amounts in range."""
        generic = []
        for col in self.columns:
            ident = '"' + col.name.replace('"', '""') + '"'
            if col.not_null:
                generic.append(RowCheck(col.name, f"{ident} IS NOT NULL", "is empty where a value is required"))
            if col.type.startswith("DECIMAL"):
                generic.append(
                    RowCheck(col.name, f"abs({ident}) < {MAX_DECIMAL}", f"is out of range (|x| >= {MAX_DECIMAL})")
                )
        return (*self.checks, *generic)

    def create_sql(self) -> str:
        """DDL creating the table (contract columns, then lineage columns) if it does not exist."""
        cols = [f'"{c.name}" {c.type}' for c in self.columns]
        cols += [f"{name} {typ}" for name, typ in self.lineage_columns]
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n  " + ",\n  ".join(cols) + "\n)"
