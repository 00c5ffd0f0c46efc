"""The checks before a close: conservation, the allocation's totals, reconciliation tolerance, and the inputs.

Owns what must hold for a month to be closed (``check_month``), the refusal when it does not
(``CloseRefused``), and the input loads a version records in its manifest (``input_loads``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from pipelines.close.store import money
from pipelines.config import Settings
from pipelines.export import CENT, ChargebackLine
from pipelines.load.manifest import LOADS_TABLE
from pipelines.reconcile import conservation_report

_RATIO_PLACES = Decimal("0.000001")


class CloseRefused(Exception):
    """A check failed: the month is not closed and nothing was written. ``str()`` lists the failures."""

    def __init__(self, month: str, failures: Sequence[str]) -> None:
        self.month = month
        self.failures = list(failures)
        super().__init__(
            f"{month} not closed, nothing written; "
            + ("1 check failed" if len(failures) == 1 else f"{len(failures)} checks failed")
            + ":\n  "
            + "\n  ".join(failures)
        )


@dataclass(frozen=True)
class CloseChecks:
    """The checks' figures (as written to the manifest) and what failed."""

    conservation: dict
    reconciliation: dict
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check held."""
        return not self.failures


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _column_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "AND column_name = ?",
            [schema, table, column],
        ).fetchone()[0]
    )


def _focus_totals(con: duckdb.DuckDBPyConnection, month: str) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """FOCUS billed and effective cost per provider, billing account and currency of the month."""
    rows = con.execute(
        """
        SELECT ProviderName, BillingAccountId, BillingCurrency, sum(BilledCost), sum(EffectiveCost)
        FROM main.focus_cost_and_usage WHERE strftime(BillingPeriodStart, '%Y-%m') = ?
        GROUP BY ALL
        """,
        [month],
    ).fetchall()
    return {(p, a, c): (b or Decimal(0), e or Decimal(0)) for p, a, c, b, e in rows}


def _compare_allocated(
    label: str,
    focus: dict[tuple[str, str, str], tuple[Decimal, Decimal]],
    allocated: dict[tuple[str, str, str], tuple[Decimal, Decimal, Decimal, Decimal]],
) -> tuple[list[dict], list[str]]:
    """Exact billed and effective totals equal FOCUS's, and the cents add up to them rounded half-up."""
    zero = Decimal(0)
    report, failures = [], []
    for key in sorted(set(focus) | set(allocated), key=lambda k: tuple(str(x) for x in k)):
        provider, account, currency = key
        f_billed, f_effective = focus.get(key, (zero, zero))
        billed, effective, billed_cents, effective_cents = allocated.get(key, (zero, zero, zero, zero))
        problems = []
        if billed != f_billed:
            problems.append(f"billed {billed} vs FOCUS {f_billed} (difference {billed - f_billed})")
        if effective != f_effective:
            problems.append(f"effective {effective} vs FOCUS {f_effective} (difference {effective - f_effective})")
        if billed_cents != _cents(billed):
            problems.append(f"billed cents sum to {billed_cents}, the exact total rounds to {_cents(billed)}")
        if effective_cents != _cents(effective):
            problems.append(f"effective cents sum to {effective_cents}, the exact total rounds to {_cents(effective)}")
        report.append(
            {
                "provider": provider,
                "billing_account_id": account,
                "currency": currency,
                "focus_billed_cost": money(f_billed),
                "focus_effective_cost": money(f_effective),
                "billed_cost": money(billed),
                "effective_cost": money(effective),
                "billed_cost_cents": money(billed_cents, 2),
                "effective_cost_cents": money(effective_cents, 2),
                "holds": not problems,
            }
        )
        failures += [f"conservation ({label}): {provider} {account} {currency}: {p}" for p in problems]
    return report, failures


def _reconciliation(con: duckdb.DuckDBPyConnection, month: str, tolerance: Decimal) -> tuple[dict, list[str]]:
    """Invoiced and unexplained cost per provider and currency, and the unexplained share per currency."""
    rows = con.execute(
        """
        SELECT provider_name, billing_currency, sum(invoiced_cost), sum(unexplained_cost),
               sum(abs(invoiced_cost)), sum(abs(unexplained_cost))
        FROM main.rpt_reconciliation_daily WHERE billing_period = ?
        GROUP BY ALL ORDER BY 2, 1
        """,
        [month],
    ).fetchall()

    def ratio(unexplained_abs: Decimal, invoiced_abs: Decimal) -> str | None:
        if invoiced_abs == 0:
            return None if unexplained_abs else "0.000000"
        return f"{(unexplained_abs / invoiced_abs).quantize(_RATIO_PLACES, rounding=ROUND_HALF_UP):f}"

    zero = Decimal(0)
    by_currency: dict[str, list[Decimal]] = defaultdict(lambda: [zero, zero, zero, zero])
    by_provider = []
    for provider, currency, invoiced, unexplained, invoiced_abs, unexplained_abs in rows:
        invoiced, unexplained = invoiced or zero, unexplained or zero
        invoiced_abs, unexplained_abs = invoiced_abs or zero, unexplained_abs or zero
        sums = by_currency[currency]
        for i, value in enumerate((invoiced, unexplained, invoiced_abs, unexplained_abs)):
            sums[i] += value
        by_provider.append(
            {
                "provider": provider,
                "currency": currency,
                "invoiced_cost": money(invoiced),
                "unexplained_cost": money(unexplained),
                "ratio": ratio(unexplained_abs, invoiced_abs),
            }
        )
    failures = []
    currencies = {}
    for currency, (invoiced, unexplained, invoiced_abs, unexplained_abs) in sorted(by_currency.items()):
        # Compared as a product, exactly: no division, no rounding decides the outcome.
        within = unexplained_abs <= tolerance * invoiced_abs
        currencies[currency] = {
            "invoiced_cost": money(invoiced),
            "unexplained_cost": money(unexplained),
            "invoiced_abs": money(invoiced_abs),
            "unexplained_abs": money(unexplained_abs),
            "ratio": ratio(unexplained_abs, invoiced_abs),
            "within_tolerance": within,
        }
        if not within:
            # Exact figures and six significant digits: a tiny excess over a zero tolerance stays visible.
            shown = f"{unexplained_abs / invoiced_abs:.6g}" if invoiced_abs else "unbounded (nothing invoiced)"
            failures.append(
                f"reconciliation: {currency}: unexplained {money(unexplained_abs)} of invoiced "
                f"{money(invoiced_abs)} (sums of absolute daily values) is a ratio of {shown}, above "
                f"close_tolerance {tolerance}"
            )
    report = {
        "tolerance": f"{tolerance}",
        "within_tolerance": not failures,
        "by_currency": currencies,
        "by_provider": by_provider,
    }
    return report, failures


def check_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    lines: Sequence[ChargebackLine],
    settings: Settings,
    tolerance: Decimal,
) -> CloseChecks:
    """Runs the close's checks on one month.

    Conservation, exactly, per provider (source), billing account and currency: FOCUS BilledCost equals the
    source files (``pipelines.reconcile``); ``fct_ai_costs_allocated`` and the chargeback rows to publish
    carry FOCUS's billed and effective totals, and their cents sum to those totals rounded half-up.
    Reconciliation: per currency, the sum of ``abs(unexplained_cost)`` is at most ``tolerance`` times the
    sum of ``abs(invoiced_cost)`` in ``rpt_reconciliation_daily``.

    Args:
        con: Warehouse connection.
        month: Billing period ``YYYY-MM``.
        lines: The month's chargeback rows (all cost centres).
        settings: Settings (the billing accounts of reports that do not name theirs).
        tolerance: ``close_tolerance``.

    Returns:
        The figures and the failures (empty when the month may be closed).
    """
    failures: list[str] = []
    source_rows = []
    for r in conservation_report(con, settings):
        if r.billing_period != month:
            continue
        source_rows.append(
            {
                "source": r.source,
                "billing_account_id": r.billing_account_id,
                "currency": r.currency,
                "source_billed_cost": money(r.source_billed_cost),
                "focus_billed_cost": money(r.focus_billed_cost),
                "difference": money(r.difference),
            }
        )
        if r.difference != 0:
            failures.append(
                f"conservation (source files to FOCUS): {r.source} {r.billing_account_id} {r.currency}: files "
                f"{r.source_billed_cost}, FOCUS {r.focus_billed_cost} (difference {r.difference})"
            )
    focus = _focus_totals(con, month)
    allocated = {
        (p, a, c): (b, e, bc, ec)
        for p, a, c, b, e, bc, ec in con.execute(
            """
            SELECT provider_name, billing_account_id, billing_currency, sum(billed_cost), sum(effective_cost),
                   sum(billed_cost_cents), sum(effective_cost_cents)
            FROM main.fct_ai_costs_allocated WHERE billing_period = ?
            GROUP BY ALL
            """,
            [month],
        ).fetchall()
    }
    allocated_rows, allocated_failures = _compare_allocated("fct_ai_costs_allocated to FOCUS", focus, allocated)
    zero = Decimal(0)
    published: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [zero, zero, zero, zero])
    for line in lines:
        sums = published[(line.provider, line.billing_account_id, line.currency)]
        sums[0] += line.billed_cost
        sums[1] += line.effective_cost
        sums[2] += line.billed_cost_rounded
        sums[3] += line.effective_cost_rounded
    chargeback_rows, chargeback_failures = _compare_allocated(
        "chargeback to FOCUS", focus, {k: tuple(v) for k, v in published.items()}
    )
    failures += allocated_failures + chargeback_failures
    conservation = {
        "holds": not failures,
        "source_to_focus": source_rows,
        "allocated_to_focus": allocated_rows,
        "chargeback_to_focus": chargeback_rows,
    }
    reconciliation, reconciliation_failures = _reconciliation(con, month, tolerance)
    return CloseChecks(conservation, reconciliation, failures + reconciliation_failures)


def input_loads(con: duckdb.DuckDBPyConnection, month: str) -> list[dict]:
    """The month's inputs: ``raw._loads`` rows with status ``loaded`` whose billing period(s) include it.

    Each carries its provider (FOCUS ProviderName of the source's charges that month; ``None`` for sources
    that are not bills, such as gateway logs, which only attribute).
    """
    if not _relation_exists(con, "raw", "_loads"):
        return []
    providers: dict[str, list[str]] = defaultdict(list)
    if _column_exists(con, "main", "focus_cost_and_usage", "x_Source"):
        for source, provider in con.execute(
            "SELECT DISTINCT x_Source, ProviderName FROM main.focus_cost_and_usage "
            "WHERE strftime(BillingPeriodStart, '%Y-%m') = ? ORDER BY 1, 2",
            [month],
        ).fetchall():
            providers[source].append(provider)
    rows = con.execute(
        f"""
        SELECT load_id, source, path, sha256, rows, billing_period
        FROM {LOADS_TABLE}
        WHERE status = 'loaded' AND list_contains(string_split(billing_period, ','), ?)
        ORDER BY source, path, load_id
        """,
        [month],
    ).fetchall()
    return [
        {
            "load_id": load_id,
            "source": source,
            "provider": ", ".join(providers[source]) or None,
            "path": path,
            "sha256": sha256,
            "rows": n,
            "billing_period": period,
        }
        for load_id, source, path, sha256, n, period in rows
    ]
