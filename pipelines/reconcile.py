"""Invariant checks over the warehouse: conservation of billed cost, manifest row counts, quarantined files.

These queries read the raw tables and the FOCUS mart directly, independently of the dbt logic that
connects them, so a modelling bug cannot hide itself. What went in is counted from the *distinct* current
deliveries: rows of a superseded billing scope are left out, and two loads of the same file contents count
once, so that a file loaded twice shows as a mismatch instead of hiding in both totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from pipelines.config import Settings
from pipelines.load.manifest import LATEST_FIRST, LOADS_TABLE, PRESENT
from pipelines.sources.registry import SOURCES


@dataclass(frozen=True)
class ConservationRow:
    """Billed cost of one source, billing account, period and currency: in the files vs in FOCUS."""

    source: str
    billing_account_id: str
    billing_period: str
    currency: str
    source_billed_cost: Decimal
    focus_billed_cost: Decimal

    @property
    def difference(self) -> Decimal:
        """FOCUS minus source; zero when conserved."""
        return self.focus_billed_cost - self.source_billed_cost


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def conservation_report(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[ConservationRow]:
    """Compares billed cost per source, billing account, period and currency: raw tables vs FOCUS.

    Args:
        con: Warehouse connection.
        settings: Run settings (the OpenAI organization id is the billing account of OpenAI charges).

    Returns:
        One row per key present on either side, sorted.
    """
    totals: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for unit in SOURCES.values():
        if unit.billed_totals is None:
            continue
        sql = unit.billed_totals.sql
        tables = [t.split(".") for t in re.findall(r"FROM (raw_[a-z_]+\.[a-z_]+)", sql)]
        if not all(_table_exists(con, schema, table) for schema, table in tables):
            continue  # a source never loaded
        setting = unit.billed_totals.account_setting
        params = [getattr(settings, setting)] if setting else []
        for account, period, currency, cost in con.execute(sql, params).fetchall():
            totals.setdefault((unit.slug, account, period, currency), [Decimal(0), Decimal(0)])[0] += cost
    if _table_exists(con, "main", "focus_cost_and_usage"):
        for source, account, period, currency, cost in con.execute(
            "SELECT x_Source, BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
            "sum(BilledCost) FROM main.focus_cost_and_usage GROUP BY ALL"
        ).fetchall():
            totals.setdefault((source, account, period, currency), [Decimal(0), Decimal(0)])[1] += cost
    return [ConservationRow(*key, src, focus) for key, (src, focus) in sorted(totals.items())]


@dataclass(frozen=True)
class AllocationRow:
    """Cost of one provider, billing account, period and currency: in FOCUS vs allocated (both bases)."""

    provider: str
    billing_account_id: str
    billing_period: str
    currency: str
    focus_billed_cost: Decimal
    allocated_billed_cost: Decimal
    focus_effective_cost: Decimal
    allocated_effective_cost: Decimal
    allocated_billed_cents: Decimal
    allocated_effective_cents: Decimal

    @property
    def conserved(self) -> bool:
        """Whether the allocation neither created nor lost a fraction of a cent, and its cents add up."""
        cent = Decimal("0.01")
        return (
            self.allocated_billed_cost == self.focus_billed_cost
            and self.allocated_effective_cost == self.focus_effective_cost
            and self.allocated_billed_cents == self.focus_billed_cost.quantize(cent, rounding=ROUND_HALF_UP)
            and self.allocated_effective_cents == self.focus_effective_cost.quantize(cent, rounding=ROUND_HALF_UP)
        )


def allocation_report(con: duckdb.DuckDBPyConnection) -> list[AllocationRow]:
    """Invariant 2: allocated cost (Unallocated and Idle lines included) vs FOCUS, per provider, account, period.

    Reads the FOCUS table and the allocated mart directly; the exact amounts must be equal on both bases,
    and the allocated cents must add up to the exact totals rounded to the cent (half away from zero).

    Args:
        con: Warehouse connection.

    Returns:
        One row per key present on either side, sorted; empty when the marts are not built.
    """
    if not (
        _table_exists(con, "main", "focus_cost_and_usage") and _table_exists(con, "main", "fct_ai_costs_allocated")
    ):
        return []
    zero = Decimal(0)
    totals: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for *key, billed, effective in con.execute(
        "SELECT ProviderName, BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
        "sum(BilledCost), sum(EffectiveCost) FROM main.focus_cost_and_usage GROUP BY ALL"
    ).fetchall():
        totals.setdefault(tuple(key), [zero] * 6)[0:2] = [billed, effective]
    for *key, billed, effective, billed_cents, effective_cents in con.execute(
        "SELECT provider_name, billing_account_id, billing_period, billing_currency, sum(billed_cost), "
        "sum(effective_cost), sum(billed_cost_cents), sum(effective_cost_cents) "
        "FROM main.fct_ai_costs_allocated GROUP BY ALL"
    ).fetchall():
        totals.setdefault(tuple(key), [zero] * 6)[2:6] = [billed, effective, billed_cents, effective_cents]
    return [
        AllocationRow(*key, f_billed, a_billed, f_effective, a_effective, a_billed_cents, a_effective_cents)
        for key, (f_billed, f_effective, a_billed, a_effective, a_billed_cents, a_effective_cents) in sorted(
            totals.items()
        )
    ]


@dataclass(frozen=True)
class RowCountMismatch:
    """A loaded file whose rows in the warehouse differ from the count its delivery's manifest states."""

    source: str
    path: str
    expected_rows: int
    rows_in_warehouse: int


def manifest_row_mismatches(con: duckdb.DuckDBPyConnection) -> list[RowCountMismatch]:
    """Loaded files whose manifest states a row count that the raw table does not hold.

    The loader refuses such files; this check recounts the raw rows themselves, so a load that went wrong
    after the fact (a partial delete, a double insert) shows too.
    """
    if not _table_exists(con, "raw", "_loads"):
        return []
    stated = con.execute(
        f"SELECT source, path, raw_table, load_id, expected_rows FROM {LOADS_TABLE} "
        f"WHERE status IN {PRESENT} AND expected_rows IS NOT NULL ORDER BY source, path"
    ).fetchall()
    counts: dict[str, int] = {}
    for table in sorted({row[2] for row in stated}):
        ids = [row[3] for row in stated if row[2] == table]
        counts.update(
            con.execute(
                f"SELECT _load_id, count(*) FROM {table} WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
                [ids],
            ).fetchall()
        )
    return [
        RowCountMismatch(source, path, expected, counts.get(load_id, 0))
        for source, path, _, load_id, expected in stated
        if counts.get(load_id, 0) != expected
    ]


@dataclass(frozen=True)
class Quarantined:
    """A file that is quarantined and has not been superseded by a corrected version."""

    source: str
    path: str
    error: str


def open_quarantines(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Quarantined]:
    """Lists the files whose latest state is quarantined.

    A quarantine closes when anything newer is recorded for the same path: a corrected version that loads,
    the file going away, or its delivery being superseded by a newer run of the export.

    Args:
        con: Warehouse connection.
        source: Restrict to one source slug.

    Returns:
        The quarantined files with their error messages.
    """
    if not _table_exists(con, "raw", "_loads"):
        return []
    rows = con.execute(
        f"""
        SELECT source, path, error FROM (
            SELECT source, path, error, status,
                   row_number() OVER (PARTITION BY path ORDER BY {LATEST_FIRST}) AS newest
            FROM {LOADS_TABLE} WHERE ? IS NULL OR source = ?
        )
        WHERE newest = 1 AND status = 'quarantined'
        ORDER BY source, path
        """,
        [source, source],
    ).fetchall()
    return [Quarantined(*r) for r in rows]
