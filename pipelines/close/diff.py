"""The diff between two closed versions of a month: what inputs changed, and what moved per cost centre.

Owns the comparison of two manifests' input loads (``input_changes``) and the ``diff_from_v<N>.csv`` a
restated version carries (``render_diff``), read from the previous version's published CSV.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from pipelines.close.store import money
from pipelines.export import ChargebackLine

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


def input_changes(before: Sequence[dict], after: Sequence[dict]) -> list[dict]:
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


def read_booked(csv_text: str) -> list[dict]:
    """The rows of a published chargeback CSV (a closed version's booked figures), as strings."""
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
                money(booked),
                money(restated),
                money(restated - booked),
                money(booked_cents, 2),
                money(restated_cents, 2),
                money(restated_cents - booked_cents, 2),
                "; ".join(reasons),
            ]
        )
    return buffer.getvalue().encode("utf-8")
