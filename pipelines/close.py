"""The period close: a month's chargeback published as a numbered, immutable version.

Layout of the close store (``<exports_dir>/closed``)::

    closed/<YYYY-MM>/v<N>/chargeback_<YYYY-MM>_v<N>.csv      the chargeback, as `aicost export chargeback` writes it
    closed/<YYYY-MM>/v<N>/chargeback_<YYYY-MM>_v<N>.parquet  the same rows as Parquet (DECIMAL money)
    closed/<YYYY-MM>/v<N>/manifest.json                      what was closed, from what, and the checks' figures
    closed/<YYYY-MM>/v<N>/diff_from_v<N-1>.csv               from v2 on: per cost centre and currency, what moved and why

A version is written into a hidden folder beside its final place, its files made read-only (0444), and the
folder renamed into place: a reader never sees half a version, and nothing ever writes into an existing one.
A month is closed only when its figures hold (conservation from the files to the chargeback, exactly; the
unexplained share of the invoices within ``close_tolerance``); closing again with the same data does nothing,
and closing after a restatement adds the next version with its diff, leaving the earlier ones as they were.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.export import (
    CENT,
    ChargebackLine,
    chargeback_lines,
    parse_month,
    render_csv,
    render_parquet,
    sha256_hex,
)
from pipelines.load.manifest import LOADS_TABLE
from pipelines.reconcile import conservation_report

STORE_FOLDER = "closed"
MANIFEST_NAME = "manifest.json"
READ_ONLY = 0o444
DIFF_COLUMNS = (
    "billing_period",
    "cost_centre_id",
    "cost_centre_name",
    "currency",
    "basis",
    "booked",
    "restated",
    "change",
    "booked_rounded",
    "restated_rounded",
    "change_rounded",
    "why",
)
# The figures of a totals entry in the manifest, in the order _totals adds them up.
_TOTAL_NAMES = (
    "billed_cost",
    "billed_cost_rounded",
    "effective_cost",
    "effective_cost_rounded",
    "amount",
    "amount_rounded",
)
_VERSION_DIR = re.compile(r"v([1-9][0-9]*)")
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


class VersionNotFound(LookupError):
    """The month has no closed version of that number."""


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


@dataclass(frozen=True)
class CloseResult:
    """What ``close_month`` did.

    Attributes:
        month: The billing period.
        version: The version written, or the latest one when nothing changed.
        folder: Its folder.
        manifest: Its manifest.
        created: ``False`` when the month was already closed with the same data (nothing written).
        diff_path: The diff from the previous version, when one was written.
    """

    month: str
    version: int
    folder: Path
    manifest: dict
    created: bool
    diff_path: Path | None = None


def store_root(exports_dir: Path) -> Path:
    """The close store under the exports folder."""
    return Path(exports_dir) / STORE_FOLDER


def version_folder(store: Path, month: str, version: int) -> Path:
    """``<store>/<month>/v<version>``."""
    return store / month / f"v{version}"


def file_names(month: str, version: int) -> dict[str, str]:
    """Names of a version's chargeback files by format."""
    return {fmt: f"chargeback_{month}_v{version}.{fmt}" for fmt in ("csv", "parquet")}


def versions(store: Path, month: str) -> list[int]:
    """The closed versions of a month, ascending (folders ``v<N>`` holding a manifest)."""
    folder = store / month
    if not folder.is_dir():
        return []
    found = []
    for child in folder.iterdir():
        match = _VERSION_DIR.fullmatch(child.name)
        if match and (child / MANIFEST_NAME).is_file():
            found.append(int(match.group(1)))
    return sorted(found)


def read_manifest(store: Path, month: str, version: int) -> dict:
    """A version's manifest.

    Raises:
        VersionNotFound: When the month has no such version.
    """
    path = version_folder(store, month, version) / MANIFEST_NAME
    if not path.is_file():
        closed = versions(store, month)
        listed = ", ".join(f"v{v}" for v in closed) if closed else "none"
        raise VersionNotFound(f"{month} has no closed version v{version} (closed versions: {listed})")
    return json.loads(path.read_text(encoding="utf-8"))


def closed_file(store: Path, month: str, version: int, fmt: str = "csv") -> Path:
    """The published chargeback file of a closed version.

    Raises:
        VersionNotFound: When the month has no such version.
    """
    manifest = read_manifest(store, month, version)
    return version_folder(store, month, version) / manifest["files"][fmt]["name"]


def list_closed(store: Path, month: str | None = None) -> list[dict]:
    """Manifests of the closed versions of one month (or of every month), by month then version."""
    if month is not None:
        months = [month]
    elif store.is_dir():
        months = sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith("."))
    else:
        months = []
    return [read_manifest(store, m, v) for m in months for v in versions(store, m)]


def _money(value: Decimal | None, places: int = 12) -> str | None:
    if value is None:
        return None
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


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
                "focus_billed_cost": _money(f_billed),
                "focus_effective_cost": _money(f_effective),
                "billed_cost": _money(billed),
                "effective_cost": _money(effective),
                "billed_cost_cents": _money(billed_cents, 2),
                "effective_cost_cents": _money(effective_cents, 2),
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
                "invoiced_cost": _money(invoiced),
                "unexplained_cost": _money(unexplained),
                "ratio": ratio(unexplained_abs, invoiced_abs),
            }
        )
    failures = []
    currencies = {}
    for currency, (invoiced, unexplained, invoiced_abs, unexplained_abs) in sorted(by_currency.items()):
        # Compared as a product, exactly: no division, no rounding decides the outcome.
        within = unexplained_abs <= tolerance * invoiced_abs
        currencies[currency] = {
            "invoiced_cost": _money(invoiced),
            "unexplained_cost": _money(unexplained),
            "invoiced_abs": _money(invoiced_abs),
            "unexplained_abs": _money(unexplained_abs),
            "ratio": ratio(unexplained_abs, invoiced_abs),
            "within_tolerance": within,
        }
        if not within:
            # Exact figures and six significant digits: a tiny excess over a zero tolerance stays visible.
            shown = f"{unexplained_abs / invoiced_abs:.6g}" if invoiced_abs else "unbounded (nothing invoiced)"
            failures.append(
                f"reconciliation: {currency}: unexplained {_money(unexplained_abs)} of invoiced "
                f"{_money(invoiced_abs)} (sums of absolute daily values) is a ratio of {shown}, above "
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
                "source_billed_cost": _money(r.source_billed_cost),
                "focus_billed_cost": _money(r.focus_billed_cost),
                "difference": _money(r.difference),
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


def _totals(lines: Sequence[ChargebackLine], basis: str) -> dict:
    def zero() -> list[Decimal]:
        return [Decimal(0)] * len(_TOTAL_NAMES)

    by_currency: dict[str, list[Decimal]] = defaultdict(zero)
    by_provider: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(zero))
    for line in lines:
        values = (
            line.billed_cost,
            line.billed_cost_rounded,
            line.effective_cost,
            line.effective_cost_rounded,
            line.amount(basis),
            line.amount_rounded(basis),
        )
        for sums in (by_currency[line.currency], by_provider[str(line.provider)][line.currency]):
            for i, value in enumerate(values):
                sums[i] += value

    def render(sums: list[Decimal]) -> dict[str, str | None]:
        return {
            name: _money(value, 2 if name.endswith("_rounded") else 12)
            for name, value in zip(_TOTAL_NAMES, sums, strict=True)
        }

    return {
        "by_currency": {c: render(s) for c, s in sorted(by_currency.items())},
        "by_provider": {p: {c: render(s) for c, s in sorted(per.items())} for p, per in sorted(by_provider.items())},
    }


def _input_changes(before: Sequence[dict], after: Sequence[dict]) -> list[dict]:
    """Loads added, replaced (same path, other contents) or removed between two manifests' inputs."""
    old = {i["path"]: i for i in before}
    new = {i["path"]: i for i in after}
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a and b and (a["sha256"], a["load_id"]) == (b["sha256"], b["load_id"]):
            continue
        kind = "replaced" if a and b else "added" if b else "removed"
        ref = b or a
        changes.append(
            {
                "change": kind,
                "provider": ref.get("provider") or (a or {}).get("provider"),
                "source": ref["source"],
                "path": path,
                "sha256_before": a["sha256"] if a else None,
                "sha256_after": b["sha256"] if b else None,
                "load_id_before": a["load_id"] if a else None,
                "load_id_after": b["load_id"] if b else None,
            }
        )
    return changes


def _describe(change: dict) -> str:
    if change["change"] == "replaced":
        return f"replaced {change['path']} ({change['sha256_before'][:12]} -> {change['sha256_after'][:12]})"
    return f"{change['change']} {change['path']}"


def _booked(csv_text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def render_diff(
    month: str,
    booked_rows: Sequence[dict],
    booked_basis: str,
    lines: Sequence[ChargebackLine],
    basis: str,
    changes: Sequence[dict],
) -> bytes:
    """``diff_from_v<N>.csv``: per cost centre and currency, booked (vN) vs restated (vN+1), and why.

    Every cost centre and currency of either version has a row (unchanged ones say so), so ``booked`` sums
    to vN's total and ``restated`` to vN+1's. ``why`` names, per provider whose amount moved on that row,
    the input loads of that provider added, replaced or removed between the two manifests, then the changed
    attribution inputs (request logs: they move cost between cost centres).
    """
    zero = Decimal(0)
    names: dict[tuple[str, str], str] = {}
    amounts: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [zero, zero, zero, zero])
    by_provider: dict[tuple[str, str], dict[str, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [zero, zero])
    )
    for row in booked_rows:
        key = (row["cost_centre_id"], row["currency"])
        names[key] = row["cost_centre_name"]
        amounts[key][0] += Decimal(row["amount"])
        amounts[key][2] += Decimal(row["amount_rounded"])
        by_provider[key][row["provider"]][0] += Decimal(row["amount"])
    for line in lines:
        key = (line.cost_centre_id or "", line.currency)
        names[key] = line.cost_centre_name or ""
        amounts[key][1] += line.amount(basis)
        amounts[key][3] += line.amount_rounded(basis)
        by_provider[key][line.provider or ""][1] += line.amount(basis)
    per_provider: dict[str | None, list[dict]] = defaultdict(list)
    for change in changes:
        per_provider[change["provider"]].append(change)
    attribution = per_provider.pop(None, [])

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DIFF_COLUMNS)
    for key in sorted(amounts, key=lambda k: (k[1], k[0])):
        booked, restated, booked_cents, restated_cents = amounts[key]
        reasons = []
        if booked_basis != basis:
            reasons.append(f"basis {booked_basis} -> {basis}")
        for provider, (before, after) in sorted(by_provider[key].items()):
            if before == after:
                continue
            loads = [c for p, cs in per_provider.items() if p and provider in p.split(", ") for c in cs]
            if loads:
                reasons.append(f"{provider}: " + ", ".join(_describe(c) for c in loads))
            else:
                reasons.append(f"{provider}: no input of {provider} changed (attribution, mapping or model change)")
        if reasons and attribution:
            reasons.append("attribution inputs: " + ", ".join(_describe(c) for c in attribution))
        if not reasons:
            if booked == restated and booked_cents == restated_cents:
                reasons = ["unchanged"]
            else:  # no exact amount moved, only a cent of the largest-remainder rounding
                reasons = ["a cent moved in the rounding of its provider's total (no exact amount changed)"]
        writer.writerow(
            [
                month,
                key[0],
                names[key],
                key[1],
                basis,
                _money(booked),
                _money(restated),
                _money(restated - booked),
                _money(booked_cents, 2),
                _money(restated_cents, 2),
                _money(restated_cents - booked_cents, 2),
                "; ".join(reasons),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _timestamp(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _publish(store: Path, month: str, version: int, files: dict[str, bytes]) -> Path:
    """Writes a version's files read-only into a hidden folder, then renames it into place (never over one)."""
    final = version_folder(store, month, version)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"{final} already exists: closed versions are never overwritten")
    # A plain mkdir (not mkdtemp, whose folder is private): the version gets the umask's usual mode.
    staging = final.parent / f".v{version}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, content in files.items():
            path = staging / name
            with path.open("xb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, READ_ONLY)
        if final.exists():
            raise FileExistsError(f"{final} was written by another close meanwhile; run the close again")
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def close_month(
    con: duckdb.DuckDBPyConnection,
    month: str,
    *,
    store: Path,
    settings: Settings,
    basis: str = "billed",
    tolerance: Decimal | None = None,
    now: datetime | None = None,
) -> CloseResult:
    """Closes a month: publishes its chargeback as the next version, if the checks hold and anything changed.

    Args:
        con: Warehouse connection (read-only is enough).
        month: Billing period ``YYYY-MM``.
        store: The close store (``store_root(settings.exports_dir)``).
        settings: Settings (conservation's billing accounts; ``close_tolerance`` unless ``tolerance`` is given).
        basis: ``billed`` or ``effective``: the basis of ``amount`` in the published files.
        tolerance: Largest unexplained share of the invoices, per currency.
        now: The close's time (UTC); defaults to now.

    Returns:
        The version written, or the latest one with ``created`` false when the chargeback and its inputs are
        those of the latest version already.

    Raises:
        NoCharges: When the month has no chargeback rows.
        CloseRefused: When a check fails (nothing is written).
        FileExistsError: When another close published the same version number meanwhile.
    """
    parse_month(month)
    tolerance = settings.close_tolerance_fraction if tolerance is None else tolerance
    lines = chargeback_lines(con, month)
    csv_bytes = render_csv(lines, basis)
    inputs = input_loads(con, month)
    closed = versions(store, month)
    previous = read_manifest(store, month, closed[-1]) if closed else None
    if (
        previous is not None
        and previous["files"]["csv"]["sha256"] == sha256_hex(csv_bytes)
        and [i["load_id"] for i in previous["inputs"]] == [i["load_id"] for i in inputs]
    ):
        folder = version_folder(store, month, previous["version"])
        return CloseResult(month, previous["version"], folder, previous, created=False)

    checks = check_month(con, month, lines, settings, tolerance)
    if not checks.passed:
        raise CloseRefused(month, checks.failures)

    version = closed[-1] + 1 if closed else 1
    names = file_names(month, version)
    parquet_bytes = render_parquet(lines, basis)
    files = {names["csv"]: csv_bytes, names["parquet"]: parquet_bytes}
    described = {
        "csv": {"name": names["csv"], "sha256": sha256_hex(csv_bytes), "bytes": len(csv_bytes)},
        "parquet": {"name": names["parquet"], "sha256": sha256_hex(parquet_bytes), "bytes": len(parquet_bytes)},
    }
    changes = None
    diff_name = None
    if previous is not None:
        before = version_folder(store, month, previous["version"]) / previous["files"]["csv"]["name"]
        changes = _input_changes(previous["inputs"], inputs)
        diff_bytes = render_diff(
            month, _booked(before.read_text(encoding="utf-8")), previous["basis"], lines, basis, changes
        )
        diff_name = f"diff_from_v{previous['version']}.csv"
        files[diff_name] = diff_bytes
        described["diff"] = {"name": diff_name, "sha256": sha256_hex(diff_bytes), "bytes": len(diff_bytes)}
    rows_by_currency: dict[str, int] = defaultdict(int)
    for line in lines:
        rows_by_currency[line.currency] += 1
    manifest = {
        "month": month,
        "version": version,
        "basis": basis,
        "created_at": _timestamp(now),
        "previous_version": previous["version"] if previous else None,
        "files": described,
        "row_counts": {
            "rows": len(lines),
            "charge_rows": sum(line.charge_rows or 0 for line in lines),
            "by_currency": dict(sorted(rows_by_currency.items())),
        },
        "totals": _totals(lines, basis),
        "inputs": inputs,
        "conservation": checks.conservation,
        "reconciliation": checks.reconciliation,
    }
    if previous is not None:
        manifest["changes_from_previous"] = {
            "from_version": previous["version"],
            "basis_before": previous["basis"],
            "inputs": changes,
        }
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    folder = _publish(store, month, version, files)
    return CloseResult(
        month, version, folder, manifest, created=True, diff_path=folder / diff_name if diff_name else None
    )
