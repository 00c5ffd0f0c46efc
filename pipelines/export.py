"""Finance exports: the monthly chargeback file (CSV or Parquet), from the live mart or a closed version.

The file is written from ``main.rpt_chargeback_monthly`` as it stands: the mart already rounds to the cent
(largest remainder per provider, billing account, period and currency), so nothing here rounds again. Rows
are sorted on the mart's whole grain and the columns are fixed, so the same data gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

CENT = Decimal("0.01")
BASES = ("billed", "effective")
FORMATS = ("csv", "parquet")
# The first thirteen columns are the export's original ones, in their original order (readers that pick
# columns by position keep working); everything after them was added later and is only ever appended to.
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
    "environment",
    "billing_account_id",
    "is_ai",
    "allocation_category",
    "effective_cost_rounded",
    "internal_price",
    "basis",
    "amount",
    "amount_rounded",
)
_EXACT = pa.decimal128(38, 12)
_CENTS = pa.decimal128(38, 2)
PARQUET_SCHEMA = pa.schema(
    [
        pa.field("billing_period", pa.string(), nullable=False),
        pa.field("cost_centre_id", pa.string()),
        pa.field("cost_centre_name", pa.string()),
        pa.field("team", pa.string()),
        pa.field("application", pa.string()),
        pa.field("provider", pa.string()),
        pa.field("model_id", pa.string()),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("billed_cost", _EXACT, nullable=False),
        pa.field("billed_cost_rounded", _CENTS, nullable=False),
        pa.field("effective_cost", _EXACT, nullable=False),
        pa.field("tax_cost", _EXACT),
        pa.field("credit_cost", _EXACT),
        pa.field("environment", pa.string()),
        pa.field("billing_account_id", pa.string()),
        pa.field("is_ai", pa.bool_()),
        pa.field("allocation_category", pa.string()),
        pa.field("effective_cost_rounded", _CENTS, nullable=False),
        pa.field("internal_price", _EXACT),
        pa.field("basis", pa.string(), nullable=False),
        pa.field("amount", _EXACT, nullable=False),
        pa.field("amount_rounded", _CENTS, nullable=False),
    ]
)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class NoCharges(ValueError):
    """The warehouse has no chargeback rows for the billing period."""


class UnknownCostCentre(ValueError):
    """A cost centre asked for has no chargeback rows in the billing period."""


class ExportExists(Exception):
    """The target file exists with other contents and overwriting was not allowed."""


@dataclass(frozen=True)
class ChargebackLine:
    """One row of ``rpt_chargeback_monthly``, as exported (``charge_rows`` is not a column of the file)."""

    billing_period: str
    cost_centre_id: str | None
    cost_centre_name: str | None
    team: str | None
    application: str | None
    provider: str | None
    model_id: str | None
    currency: str
    billed_cost: Decimal
    billed_cost_rounded: Decimal
    effective_cost: Decimal
    tax_cost: Decimal | None
    credit_cost: Decimal | None
    environment: str | None
    billing_account_id: str | None
    is_ai: bool | None
    allocation_category: str | None
    effective_cost_rounded: Decimal
    internal_price: Decimal | None
    charge_rows: int

    def amount(self, basis: str) -> Decimal:
        """The exact cost on a basis (``billed`` or ``effective``)."""
        return self.billed_cost if basis == "billed" else self.effective_cost

    def amount_rounded(self, basis: str) -> Decimal:
        """The mart's cents on a basis."""
        return self.billed_cost_rounded if basis == "billed" else self.effective_cost_rounded


@dataclass(frozen=True)
class ChargebackExport:
    """What was written.

    Attributes:
        path: The file.
        rows: Rows written.
        basis: ``billed`` or ``effective``.
        totals: Per currency, the sum of ``amount`` (the basis's exact cost).
        rounded_totals: Per currency, the sum of ``amount_rounded`` (cents).
        sha256: Checksum of the file.
        unchanged: The file was already there with these exact contents (nothing was rewritten).
    """

    path: Path
    rows: int
    basis: str
    totals: dict[str, Decimal]
    rounded_totals: dict[str, Decimal]
    sha256: str
    unchanged: bool = False


def parse_month(text: str) -> str:
    """Checks a billing month.

    Args:
        text: What was given, e.g. ``2026-10``.

    Returns:
        The month, unchanged.

    Raises:
        ValueError: When it is not a ``YYYY-MM`` month (``2026-13``, ``oct``, ``2026-1``, ``26-10``).
    """
    if not _MONTH.fullmatch(text):
        raise ValueError(f"invalid billing month {text!r}: expected YYYY-MM with a month 01-12, e.g. 2026-10")
    return text


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


def chargeback_lines(
    con: duckdb.DuckDBPyConnection, month: str, cost_centres: Sequence[str] = ()
) -> list[ChargebackLine]:
    """Reads the month's chargeback rows, sorted on the mart's whole grain.

    Args:
        con: Warehouse connection.
        month: Billing period ``YYYY-MM``.
        cost_centres: Only these cost centres (all when empty).

    Returns:
        The rows.

    Raises:
        NoCharges: When the month has no rows.
        UnknownCostCentre: When a cost centre asked for has no rows in the month (named in the message).
    """
    rows = con.execute(
        """
        SELECT billing_period, cost_centre_id, cost_centre_name, team, application, provider_name, model_id,
               billing_currency, billed_cost, billed_cost_cents, effective_cost, tax_cost, credit_cost,
               environment, billing_account_id, is_ai, allocation_category, effective_cost_cents, internal_price,
               charge_rows
        FROM main.rpt_chargeback_monthly WHERE billing_period = ?
        ORDER BY billing_currency, cost_centre_id, team, application, environment, provider_name,
                 billing_account_id, model_id, is_ai, allocation_category, cost_centre_name, billed_cost,
                 effective_cost
        """,
        [month],
    ).fetchall()
    if not rows:
        raise NoCharges(f"no charges for billing period {month} in the warehouse")
    lines = [ChargebackLine(*row) for row in rows]
    if not cost_centres:
        return lines
    present = {line.cost_centre_id for line in lines}
    unknown = [c for c in dict.fromkeys(cost_centres) if c not in present]
    if unknown:
        raise UnknownCostCentre(
            f"cost centre {', '.join(unknown)} has no charges in {month} "
            f"(cost centres with charges: {', '.join(sorted(str(c) for c in present))})"
        )
    wanted = set(cost_centres)
    return [line for line in lines if line.cost_centre_id in wanted]


def _fmt(value: Decimal | None, places: int) -> str:
    if value is None:
        return ""
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_csv(lines: Iterable[ChargebackLine], basis: str) -> bytes:
    """The chargeback CSV: a header of ``CHARGEBACK_COLUMNS``, LF line ends, exact amounts with 12 places.

    Cents are the mart's (``DECIMAL(38, 2)``): written as they are, never rounded here.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CHARGEBACK_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.billing_period,
                _text(line.cost_centre_id),
                _text(line.cost_centre_name),
                _text(line.team),
                _text(line.application),
                _text(line.provider),
                _text(line.model_id),
                line.currency,
                _fmt(line.billed_cost, 12),
                _fmt(line.billed_cost_rounded, 2),
                _fmt(line.effective_cost, 12),
                _fmt(line.tax_cost, 12),
                _fmt(line.credit_cost, 12),
                _text(line.environment),
                _text(line.billing_account_id),
                _text(line.is_ai),
                _text(line.allocation_category),
                _fmt(line.effective_cost_rounded, 2),
                _fmt(line.internal_price, 12),
                basis,
                _fmt(line.amount(basis), 12),
                _fmt(line.amount_rounded(basis), 2),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def render_parquet(lines: Sequence[ChargebackLine], basis: str) -> bytes:
    """The same rows and columns as Parquet: money as DECIMAL(38, 12) and cents as DECIMAL(38, 2), never float.

    pyarrow writes no timestamp into the file (``created_by`` names the library version only), so the same
    rows give the same bytes.
    """
    columns = {
        "billing_period": [x.billing_period for x in lines],
        "cost_centre_id": [x.cost_centre_id for x in lines],
        "cost_centre_name": [x.cost_centre_name for x in lines],
        "team": [x.team for x in lines],
        "application": [x.application for x in lines],
        "provider": [x.provider for x in lines],
        "model_id": [x.model_id for x in lines],
        "currency": [x.currency for x in lines],
        "billed_cost": [x.billed_cost for x in lines],
        "billed_cost_rounded": [x.billed_cost_rounded for x in lines],
        "effective_cost": [x.effective_cost for x in lines],
        "tax_cost": [x.tax_cost for x in lines],
        "credit_cost": [x.credit_cost for x in lines],
        "environment": [x.environment for x in lines],
        "billing_account_id": [x.billing_account_id for x in lines],
        "is_ai": [x.is_ai for x in lines],
        "allocation_category": [x.allocation_category for x in lines],
        "effective_cost_rounded": [x.effective_cost_rounded for x in lines],
        "internal_price": [x.internal_price for x in lines],
        "basis": [basis] * len(lines),
        "amount": [x.amount(basis) for x in lines],
        "amount_rounded": [x.amount_rounded(basis) for x in lines],
    }
    table = pa.Table.from_pydict(columns, schema=PARQUET_SCHEMA)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def render(lines: Sequence[ChargebackLine], basis: str, fmt: str) -> bytes:
    """The file's bytes in ``csv`` or ``parquet``."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}: expected one of {', '.join(BASES)}")
    if fmt == "csv":
        return render_csv(lines, basis)
    if fmt == "parquet":
        return render_parquet(lines, basis)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def sha256_hex(content: bytes) -> str:
    """SHA-256 of some bytes, as hex."""
    return hashlib.sha256(content).hexdigest()


def write_bytes(path: Path, content: bytes, force: bool = True) -> bool:
    """Writes a file atomically (a temporary file beside it, then a rename).

    Args:
        path: Target.
        content: Bytes to write.
        force: Replace a target that holds other contents; when false such a target is an error.

    Returns:
        ``False`` when the target already held exactly these bytes (it is left untouched), else ``True``.

    Raises:
        ExportExists: When the target holds other contents and ``force`` is false.
    """
    if path.is_file():
        if sha256_hex(path.read_bytes()) == sha256_hex(content):
            return False
        if not force:
            raise ExportExists(
                f"{path} already exists with other contents (an earlier export); "
                "pass --force to replace it or --out to write elsewhere"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _totals(lines: Sequence[ChargebackLine], basis: str) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    exact: dict[str, Decimal] = defaultdict(Decimal)
    cents: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        exact[line.currency] += line.amount(basis)
        cents[line.currency] += line.amount_rounded(basis)
    return dict(exact), dict(cents)


def default_export_name(
    month: str, fmt: str = "csv", basis: str = "billed", cost_centres: Sequence[str] = (), version: int | None = None
) -> str:
    """File name of an export under the exports folder: ``chargeback_<month>[_v<N>][_effective][_<cc>...].<fmt>``.

    Options that change the contents change the name, so an export with other options never meets an
    earlier one at the default path.
    """
    parts = [f"chargeback_{month}"]
    if version is not None:
        parts.append(f"v{version}")
    if basis != "billed":
        parts.append(basis)
    parts += [re.sub(r"[^A-Za-z0-9.-]+", "-", c) for c in sorted(set(cost_centres))]
    return "_".join(parts) + f".{fmt}"


def export_chargeback(
    con: duckdb.DuckDBPyConnection,
    month: str,
    out: Path,
    *,
    basis: str = "billed",
    cost_centres: Sequence[str] = (),
    fmt: str = "csv",
    force: bool = True,
) -> ChargebackExport:
    """Writes the chargeback file of one billing period, deterministically.

    ``billed_cost``/``effective_cost`` are exact (12 decimal places); ``billed_cost_rounded`` and
    ``effective_cost_rounded`` are the mart's cents, which sum per provider, billing account and currency to
    the exact total rounded half-up. ``amount``/``amount_rounded`` repeat the chosen basis's pair.

    Args:
        con: Warehouse connection.
        month: Billing period ``YYYY-MM``.
        out: File to write.
        basis: ``billed`` (default) or ``effective``: what ``amount`` holds.
        cost_centres: Only these cost centres (all when empty).
        fmt: ``csv`` or ``parquet``.
        force: Replace an existing file with other contents (the CLI passes ``--force``).

    Returns:
        Path, rows and totals of the basis.

    Raises:
        ValueError: An unknown basis or format, or a month without charges (``NoCharges``) or a cost centre
            without charges in the month (``UnknownCostCentre``).
        ExportExists: When ``out`` holds other contents and ``force`` is false.
    """
    parse_month(month)
    lines = chargeback_lines(con, month, cost_centres)
    content = render(lines, basis, fmt)
    written = write_bytes(out, content, force=force)
    totals, rounded = _totals(lines, basis)
    return ChargebackExport(out, len(lines), basis, totals, rounded, sha256_hex(content), unchanged=not written)


def copy_closed(source: Path, out: Path, force: bool = True) -> bool:
    """Copies a published file of a closed version to ``out`` byte for byte (the copy is writable).

    Returns:
        ``False`` when ``out`` already held the same bytes.

    Raises:
        ExportExists: When ``out`` holds other contents and ``force`` is false.
    """
    return write_bytes(out, source.read_bytes(), force=force)
