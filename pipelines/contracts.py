"""Raw-table contracts: the explicit column -> type map every raw table is loaded with.

Types are never auto-detected for money or identifiers: a contract says what each column is, files are
read with those types, and a value that does not fit quarantines the file with the line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MONEY = "DECIMAL(38, 12)"
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMPTZ"),
    ("_load_id", "VARCHAR"),
)


@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    Attributes:
        name: Column name as it appears in the file.
        type: DuckDB type it is loaded as.
        required: Whether a file without this column is rejected (optional columns load as NULL).
    """

    name: str
    type: str
    required: bool = True


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
    """

    slug: str
    name: str
    columns: tuple[Column, ...]
    period_column: str | None = None
    excluded: frozenset[str] = field(default_factory=frozenset)
    checks: tuple[RowCheck, ...] = ()
    null_strings: tuple[str, ...] = ("",)
    pseudonymised: frozenset[str] = field(default_factory=frozenset)

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

    def create_sql(self) -> str:
        """DDL creating the table (contract columns, then lineage columns) if it does not exist."""
        cols = [f'"{c.name}" {c.type}' for c in self.columns]
        cols += [f"{name} {typ}" for name, typ in LINEAGE_COLUMNS]
        return f"CREATE TABLE IF NOT EXISTS {self.qualified_name} (\n  " + ",\n  ".join(cols) + "\n)"
