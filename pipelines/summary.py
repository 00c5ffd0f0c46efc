"""The short, human summary printed after a run."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from pipelines.config import Settings
from pipelines.load.drift import open_drift
from pipelines.load.manifest import LOADS_TABLE
from pipelines.reconcile import allocation_report, conservation_report, manifest_row_mismatches, open_quarantines


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_summary(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """Spend by provider and by team, reconciliation status and quarantined files, as text.

    Args:
        con: Warehouse connection (read-only is enough).
        settings: Run settings.

    Returns:
        Printable text.
    """
    lines = []
    by_provider = con.execute(
        "SELECT strftime(BillingPeriodStart, '%Y-%m'), ProviderName, BillingCurrency, sum(BilledCost), "
        "sum(CASE WHEN ServiceCategory = 'AI and Machine Learning' OR x_GpuCount IS NOT NULL "
        "THEN BilledCost ELSE 0 END) FROM main.focus_cost_and_usage GROUP BY ALL ORDER BY 1, 2, 3"
    ).fetchall()
    lines.append("Billed cost by provider (all services | AI and GPU):")
    for period, provider, currency, total, ai in by_provider:
        lines.append(f"  {period}  {provider:<22} {currency} {_money(total):>14} | {_money(ai):>12}")
    lines += _allocation(con)
    lines += _answers(con)
    by_source = con.execute(
        "SELECT request_source, count(*) FROM main.fct_llm_requests GROUP BY ALL ORDER BY 2 DESC, 1"
    ).fetchall()
    costs = con.execute("SELECT sum(gateway_cost), sum(list_cost) FROM main.fct_llm_requests").fetchone()
    counted = ", ".join(f"{source} {n:,}" for source, n in by_source) or "none"
    lines.append(
        f"LLM requests, each call once, by the source that counts it: {counted} "
        f"(gateway estimate {_money(costs[0] or Decimal(0))} USD, list price {_money(costs[1] or Decimal(0))} USD)"
    )
    unpriced = con.execute("SELECT count(*), coalesce(sum(total_tokens), 0) FROM main.rpt_unpriced_usage").fetchone()
    if unpriced[0]:
        lines.append(f"Unpriced usage: {unpriced[0]} group(s), {unpriced[1]:,} tokens (see main.rpt_unpriced_usage)")
    report = conservation_report(con, settings)
    broken = [r for r in report if r.difference != 0]
    if report:
        lines.append(
            f"Conservation: {len(report) - len(broken)}/{len(report)} source x account x period x currency totals "
            "match the source files to the cent" + (" -- MISMATCH" if broken else "")
        )
    else:
        lines.append("Conservation: no bill loaded, nothing to reconcile")
    lines += [
        f"  {r.source} {r.billing_account_id} {r.billing_period} {r.currency}: files {r.source_billed_cost}, "
        f"FOCUS {r.focus_billed_cost}"
        for r in broken
    ]
    lines += [
        f"Row count MISMATCH: {m.path}: the manifest states {m.expected_rows} rows, the warehouse holds "
        f"{m.rows_in_warehouse}"
        for m in manifest_row_mismatches(con)
    ]
    lines += _resolved(con)
    drifted = open_drift(con)
    if drifted:
        lines.append(
            f"Schema drift ({len(drifted)} field(s) the contracts do not know; loaded, see raw._schema_drift): "
            + ", ".join(f"{d.raw_table}.{d.field}" for d in drifted[:8])
            + (" ..." if len(drifted) > 8 else "")
        )
    quarantined = open_quarantines(con)
    if quarantined:
        lines.append(f"Quarantined files ({len(quarantined)}):")
        lines += [f"  {q.error}" for q in quarantined]
    return "\n".join(lines)


def _allocation(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Effective cost by team as allocated (AI | all), the Unallocated and Idle shares, allocation conservation."""
    # By team the amortised cost is what is fair: a commitment's fee is billed to one account, while the
    # usage it covers (and therefore its effective cost) belongs to the teams that ran it.
    lines = ["Effective (amortised) cost by team, allocated by measured usage (AI | all):"]
    for team, currency, ai, total in con.execute(
        "SELECT team, billing_currency, sum(CASE WHEN is_ai THEN effective_cost ELSE 0 END), sum(effective_cost) "
        "FROM main.fct_ai_costs_allocated GROUP BY ALL ORDER BY 4 DESC, 1"
    ).fetchall():
        lines.append(f"  {team:<24} {currency} {_money(ai):>14} | {_money(total):>14}")
    for currency, ai, unallocated, idle in con.execute(
        "SELECT billing_currency, sum(effective_cost), sum(effective_cost) FILTER (WHERE team = 'Unallocated'), "
        "sum(effective_cost) FILTER (WHERE team = 'Idle') FROM main.fct_ai_costs_allocated WHERE is_ai "
        "GROUP BY ALL ORDER BY 1"
    ).fetchall():
        share = (unallocated or Decimal(0)) / ai * 100 if ai else Decimal(0)
        lines.append(
            f"Unallocated AI cost: {currency} {_money(unallocated or Decimal(0))} = {share:.2f}% of effective AI cost "
            f"{_money(ai)} (idle capacity and unused commitments: {_money(idle or Decimal(0))})"
        )
    report = allocation_report(con)
    broken = [r for r in report if not r.conserved]
    lines.append(
        f"Allocation: {len(report) - len(broken)}/{len(report)} provider x account x period x currency totals "
        "allocated exactly, both bases, cents included" + (" -- MISMATCH" if broken else "")
    )
    return lines


def _resolved(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the loader resolved without failing: duplicate copies, superseded deliveries, repeated request ids."""
    skipped, superseded, repeated = con.execute(
        f"SELECT count(*) FILTER (WHERE status = 'skipped' AND duplicate_of IS NOT NULL), "
        f"count(*) FILTER (WHERE status = 'superseded'), "
        f"coalesce(sum(duplicate_rows) FILTER (WHERE status IN ('loaded', 'superseded')), 0) FROM {LOADS_TABLE}"
    ).fetchone()
    parts = []
    if skipped:
        parts.append(f"{skipped} file(s) identical to another, counted once")
    if superseded:
        parts.append(f"{superseded} bill file(s) superseded by a newer delivery of the same billing scope")
    if repeated:
        parts.append(f"{repeated:,} repeated request/span id(s) counted once (the first load wins)")
    return [f"Duplicates resolved: {'; '.join(parts)} (see raw._loads)"] if parts else []


def _answers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Cost per outcome, the top three savings opportunities and the alerts: what the marts answer."""
    from pipelines.alerts import collect_alerts

    lines = ["Cost per outcome (allocated AI cost of the linked requests; main.rpt_cost_per_outcome_summary):"]
    for period, outcome_type, team, application, currency, outcomes, cost_per, value_per, roi, share in con.execute(
        "SELECT billing_period, outcome_type, team, application, billing_currency, group_outcomes, cost_per_outcome, "
        "value_per_outcome, roi, linked_cost_share FROM main.rpt_cost_per_outcome_summary "
        "WHERE team IS NOT NULL ORDER BY 1, 2, 3, 4, 5"
    ).fetchall():
        lines.append(
            f"  {period}  {outcome_type:<20} {team}/{application}: {outcomes:,} outcomes, "
            f"{currency} {_ratio(cost_per)} per outcome (value {_ratio(value_per)}, ROI {_percent(roi)}, "
            f"{_percent(share)} of the workload's cost linked)"
        )
    opportunities = con.execute(
        "SELECT opportunity_type, coalesce(team, '-'), coalesce(model_id, '-'), estimated_savings, billing_currency, "
        "suggested_action FROM main.rpt_optimization_opportunities ORDER BY savings_rank LIMIT 3"
    ).fetchall()
    lines.append("Top savings opportunities (main.rpt_optimization_opportunities):")
    lines += [
        f"  {kind:<24} {team:<14} {model:<28} {currency} {_money(savings):>10}  {action}"
        for kind, team, model, savings, currency, action in opportunities
    ] or ["  none found"]
    alerts = collect_alerts(con, min_severity="medium", include_known=True)
    by_kind = ", ".join(
        f"{sum(1 for a in alerts if a.kind == kind and a.severity == severity)} {kind} {severity}"
        for kind in ("budget", "anomaly")
        for severity in ("high", "medium")
    )
    lines.append(f"Alerts (medium and high): {by_kind} (`aicost alerts` lists them)")
    return lines


def _ratio(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.4f}"


def _percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"
