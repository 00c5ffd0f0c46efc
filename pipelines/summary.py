"""The short, human summary printed after a run."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from pipelines.config import Settings
from pipelines.reconcile import conservation_report, open_quarantines


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
    by_team = con.execute(
        "SELECT x_Team, BillingCurrency, sum(EffectiveCost) FROM main.focus_cost_and_usage GROUP BY ALL ORDER BY 3 DESC"
    ).fetchall()
    # By team the amortised cost is what is fair: a commitment's fee is billed to one account, while the
    # usage it covers (and therefore its effective cost) belongs to the teams that ran it.
    lines.append("Effective (amortised) cost by team:")
    for team, currency, total in by_team:
        lines.append(f"  {team:<24} {currency} {_money(total):>14}")
    requests = con.execute(
        "SELECT count(*) FILTER (WHERE request_source = 'litellm'), count(*) FILTER (WHERE request_source <> 'litellm'), "
        "sum(gateway_cost), sum(list_cost) FROM main.fct_llm_requests"
    ).fetchone()
    lines.append(
        f"LLM requests: {requests[0]:,} via the gateway + {requests[1]:,} seen only by OpenTelemetry "
        f"(gateway estimate {_money(requests[2] or Decimal(0))} USD, list price {_money(requests[3] or Decimal(0))} USD)"
    )
    unpriced = con.execute("SELECT count(*), coalesce(sum(total_tokens), 0) FROM main.rpt_unpriced_usage").fetchone()
    if unpriced[0]:
        lines.append(f"Unpriced usage: {unpriced[0]} group(s), {unpriced[1]:,} tokens (see main.rpt_unpriced_usage)")
    report = conservation_report(con, settings)
    broken = [r for r in report if r.difference != 0]
    lines.append(
        f"Conservation: {len(report) - len(broken)}/{len(report)} source x account x period x currency totals "
        "match the source files to the cent" + (" -- MISMATCH" if broken else "")
    )
    quarantined = open_quarantines(con)
    if quarantined:
        lines.append(f"Quarantined files ({len(quarantined)}):")
        lines += [f"  {q.error}" for q in quarantined]
    return "\n".join(lines)
