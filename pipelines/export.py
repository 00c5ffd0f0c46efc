"""Finance exports: the monthly chargeback CSV."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

CENT = Decimal("0.01")
CHARGEBACK_COLUMNS = (
    "billing_period",
    "cost_centre_id",
    "cost_centre_name",
    "team",
    "application",
    "provider",
    "model_id",
    "currency",
    "billed_cost",
    "billed_cost_rounded",
    "effective_cost",
    "tax_cost",
    "credit_cost",
)


@dataclass(frozen=True)
class ChargebackExport:
    """What was written: path, row count and the billed total per currency (exact and in cents)."""

    path: Path
    rows: int
    totals: dict[str, Decimal]
    rounded_totals: dict[str, Decimal]


def allocate_cents(amounts: list[Decimal]) -> list[Decimal]:
    """Rounds amounts to cents so that they add up to their rounded total (largest-remainder rule).

    Each amount is floored to the cent; the cents missing to reach the total rounded half-up are given,
    one each, to the amounts with the largest remainders (earlier rows first on ties).

    Args:
        amounts: Exact amounts.

    Returns:
        Amounts in cents, in the same order, summing exactly to ``round(sum(amounts), 2)``.
    """
    floors = [a.quantize(CENT, rounding=ROUND_FLOOR) for a in amounts]
    target = sum(amounts, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    missing = int((target - sum(floors, Decimal(0))) / CENT)
    order = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] - floors[i]), i))
    for i in order[:missing]:
        floors[i] += CENT
    return floors


def _fmt(value: Decimal, places: int) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def export_chargeback(con: duckdb.DuckDBPyConnection, month: str, out: Path) -> ChargebackExport:
    """Writes the chargeback CSV of one billing period, deterministically ordered.

    ``billed_cost`` is exact (12 decimal places); ``billed_cost_rounded`` is in cents and sums, per
    currency, to the invoice total rounded to the cent.

    Args:
        con: Warehouse connection.
        month: Billing period ``YYYY-MM``.
        out: CSV path to write.

    Returns:
        Path, rows and totals.

    Raises:
        ValueError: When the warehouse has no charges for the month.
    """
    rows = con.execute(
        """
        SELECT billing_period, cost_centre_id, cost_centre_name, team, application, provider_name, model_id,
               billing_currency, billed_cost, effective_cost, tax_cost, credit_cost
        FROM main.rpt_chargeback_monthly WHERE billing_period = ?
        ORDER BY billing_currency, cost_centre_id, team, application, provider_name, model_id
        """,
        [month],
    ).fetchall()
    if not rows:
        raise ValueError(f"no charges for billing period {month} in the warehouse")
    by_currency: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_currency[row[7]].append(i)
    rounded: dict[int, Decimal] = {}
    for indexes in by_currency.values():
        for i, cents in zip(indexes, allocate_cents([rows[i][8] for i in indexes]), strict=True):
            rounded[i] = cents
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CHARGEBACK_COLUMNS)
        for i, (period, cc_id, cc_name, team, app, provider, model, currency, billed, eff, tax, credit) in enumerate(
            rows
        ):
            writer.writerow(
                [
                    period,
                    cc_id,
                    cc_name,
                    team,
                    app,
                    provider,
                    model,
                    currency,
                    _fmt(billed, 12),
                    _fmt(rounded[i], 2),
                    _fmt(eff, 12),
                    _fmt(tax, 12),
                    _fmt(credit, 12),
                ]
            )
    totals = {c: sum((rows[i][8] for i in idx), Decimal(0)) for c, idx in by_currency.items()}
    rounded_totals = {c: sum((rounded[i] for i in idx), Decimal(0)) for c, idx in by_currency.items()}
    return ChargebackExport(out, len(rows), totals, rounded_totals)
