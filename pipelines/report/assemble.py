"""The report's content: which query feeds which chart, the header figures and the alerts table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import plotly.graph_objects as go

from pipelines.report import charts, queries
from pipelines.report.charts import money
from pipelines.report.page import Page, Panel, Tile, esc, table
from pipelines.report.queries import Rows

MAX_ALERTS = 12


def _panel(
    chart_id: str, title: str, description: str, source: Rows, draw: Callable[[], go.Figure], body: str = ""
) -> Panel:
    if not source:
        return Panel(chart_id, title, description, note=source.note)
    return Panel(chart_id, title, description, figure=draw(), table=body)


def _per_currency(rows: Rows, column: str) -> str:
    return " + ".join(f"{money(r[column])} {r['billing_currency']}" for r in rows.rows) or "-"


def _tiles(con: duckdb.DuckDBPyConnection, month: str, budgets: Rows, found: Rows) -> list[Tile]:
    totals = queries.month_totals(con, month)
    requests = queries.request_count(con, month)
    savings = queries.savings_total(con, month)
    breached = [b for b in budgets.rows if b["status"] in ("soft_breach", "hard_breach")]
    high = sum(1 for a in found.rows if a["severity"] == "high")
    return [
        Tile("Billed cost", _per_currency(totals, "billed_cost"), "invoice view, all charges"),
        Tile("Effective cost", _per_currency(totals, "effective_cost"), "amortised, after discounts"),
        Tile("AI effective cost", _per_currency(totals, "ai_effective_cost"), "models, GPUs, provisioned capacity"),
        Tile("LLM requests", "-" if requests is None else f"{requests:,}", "each call counted once"),
        Tile(
            "Budgets breached",
            f"{len(breached)} of {len(budgets.rows)}" if budgets else "-",
            "soft or hard threshold crossed",
            alert=bool(breached),
        ),
        Tile("Anomalies", f"{len(found.rows)}" if found else "0", f"{high} high severity", alert=high > 0),
        Tile(
            "Savings identified",
            _per_currency(savings, "estimated_savings"),
            f"{sum(r['opportunities'] for r in savings.rows)} opportunities; overlapping ones counted once"
            if savings
            else "",
        ),
    ]


def _alerts(budgets: Rows, found: Rows) -> str:
    rows: list[list[str]] = []
    for b in budgets.rows:
        if b["status"] == "ok":
            continue
        rows.append(
            [
                f'<span class="sev sev-{esc(b["status"])}">{esc(b["status"].replace("_", " "))}</span>',
                esc(b["hard_breached_on"] or b["soft_breached_on"] or b["as_of_date"]),
                esc(f"budget · {b['scope_type']} {b['scope_value']}"),
                esc(
                    f"{money(b['month_to_date_cost'])} of {money(b['budget_amount'])} {b['billing_currency']} spent "
                    f"({_pct(b['consumed_pct'])}); forecast {money(b['forecast_month_end'])} ({_pct(b['forecast_pct'])})"
                ),
                esc(f"{money(b['month_to_date_cost'])} {b['billing_currency']}"),
            ]
        )
    for a in found.rows:
        if a["severity"] not in ("high", "medium"):
            continue
        scope = " / ".join(str(p) for p in (a["team"], a["application"], a["model_id"]) if p)
        rows.append(
            [
                f'<span class="sev sev-{esc(a["severity"])}">{esc(a["severity"])}</span>',
                esc(a["anomaly_date"]),
                esc(f"{a['rule'].replace('_', ' ')} · {scope}"),
                esc(a["explanation"]),
                esc("-" if a["cost_impact"] is None else f"{money(a['cost_impact'])} {a['billing_currency']}"),
            ]
        )
    if not rows:
        notes = " ".join(n for n in (budgets.note, found.note) if n)
        return (
            f'<div class="no-data" data-chart="alerts">No budget or anomaly alerts for this month. {esc(notes)}</div>'
        )
    more = f'<p class="more">{len(rows) - MAX_ALERTS} more not shown.</p>' if len(rows) > MAX_ALERTS else ""
    return (
        table(
            ["Severity", "Date", "What", "Detail", "Amount"],
            rows[:MAX_ALERTS],
            numeric={4},
            raw={0, 1, 2, 3, 4},
            nowrap={0, 1},
        )
        + more
    )


def _pct(value: object) -> str:
    # budget percentages are stored as percent (e.g. 87.5), not ratios
    return "-" if value is None else f"{value:,.1f}%"


def _outcome_table(rows: Rows) -> str:
    return table(
        ["Outcome", "Team / application", "Outcomes", "Linked cost", "Cost per outcome", "Value per outcome", "ROI"],
        [
            [
                r["outcome_type"],
                f"{r['team']} / {r['application']}",
                f"{r['outcomes']:,}",
                f"{money(r['linked_cost'])} {r['billing_currency']}",
                money(r["cost_per_outcome"]),
                money(r["value_per_outcome"]),
                "-" if r["roi"] is None else f"{r['roi'] * 100:,.1f}%",
            ]
            for r in rows.rows
        ],
        numeric={2, 3, 4, 5, 6},
    )


def _chargeback_table(rows: Rows) -> str:
    return table(
        ["Cost centre", "Name", "AI cost", "Other cost", "Total"],
        [
            [
                r["cost_centre_id"],
                r["cost_centre_name"],
                money(r["ai_cost"]),
                money(r["other_cost"]),
                f"{money(r['total_cost'])} {r['billing_currency']}",
            ]
            for r in rows.rows
        ],
        numeric={2, 3, 4},
    )


def _opportunity_table(rows: Rows) -> str:
    return table(
        ["#", "Opportunity", "Scope", "Suggested action", "Current cost", "Savings"],
        [
            [
                str(r["savings_rank"]),
                r["opportunity_type"].replace("_", " "),
                " / ".join(str(p) for p in (r["team"], r["application"], r["provider_name"], r["model_id"]) if p),
                r["suggested_action"] or "",
                money(r["current_cost"]),
                f"{money(r['estimated_savings'])} {r['billing_currency']}",
            ]
            for r in rows.rows
        ],
        numeric={0, 4, 5},
    )


def _kpi_value(value: Decimal | None, unit: str | None) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value * 100:,.1f}%"
    return f"{value:,.2f}" if (unit or "").startswith("currency") else f"{value:,.4f}".rstrip("0").rstrip(".")


def _kpi_table(rows: Rows) -> str:
    if not rows:
        return f'<div class="no-data" data-chart="kpis">No data. {esc(rows.note)}</div>'
    body = [
        [
            r["kpi_group"],
            r["kpi_name"].replace("_", " "),
            _kpi_value(r["kpi_value"], r["kpi_unit"]),
            r["kpi_unit"] or "",
            r["description"] or "",
        ]
        for r in rows.rows
    ]
    return table(["Group", "KPI", "Value", "Unit", "What it measures"], body, numeric={2})


def build_page(con: duckdb.DuckDBPyConnection, month: str) -> Page:
    """Query the marts for `month` and lay out the report."""
    budgets = queries.budget_status(con, month)
    found = queries.anomalies(con, month)
    by_provider = queries.daily_spend_by_provider(con, month)
    by_team = queries.daily_spend_by_team(con, month)
    by_model = queries.daily_spend_by_model(con, month)
    no_model = queries.cost_without_model(con, month)
    totals = queries.daily_total_spend(con, month)
    centres = queries.chargeback_by_cost_centre(con, month)
    outcomes = queries.cost_per_outcome(con, month)
    units = queries.unit_costs_daily(con, month)
    burndown = queries.budget_burndown(con, month)
    top = queries.top_opportunities(con, month)
    unmodelled = _per_currency(no_model, "cost") if no_model else "nothing"
    panels = [
        _panel(
            "chart-spend-provider",
            "Spend by provider",
            "Effective cost per day and provider, every charge of the month.",
            by_provider,
            lambda: charts.daily_stacked(by_provider, "Daily spend by provider"),
        ),
        _panel(
            "chart-spend-team",
            "Spend by team",
            "Allocated effective cost per day and team; Idle is unused GPU and provisioned capacity, Unallocated has no owner yet.",
            by_team,
            lambda: charts.daily_stacked(by_team, "Daily spend by team"),
        ),
        _panel(
            "chart-spend-model",
            "Spend by model",
            f"Token-priced usage per day and model (GPU hours, provisioned capacity and shared charges, {unmodelled}, name no model).",
            by_model,
            lambda: charts.daily_stacked(by_model, "Daily spend by model"),
        ),
        _panel(
            "chart-anomalies",
            "Anomalies on the daily spend",
            "Daily effective cost with the anomalies detected on each day; hover a marker for the explanation.",
            totals,
            lambda: charts.spend_with_anomalies(totals, found, "Daily spend and anomalies"),
        ),
        _panel(
            "chart-chargeback",
            "Chargeback by cost centre",
            "Effective cost charged back to each cost centre this month.",
            centres,
            lambda: charts.chargeback(centres, "Chargeback by cost centre"),
            _chargeback_table(centres),
        ),
        _panel(
            "chart-cost-per-outcome",
            "Cost per outcome and ROI",
            "Allocated AI cost of the requests linked to each business outcome; ROI = (value - cost) / cost.",
            outcomes,
            lambda: charts.cost_per_outcome(outcomes, "Cost per outcome and ROI"),
            _outcome_table(outcomes),
        ),
        _panel(
            "chart-unit-costs",
            "Unit-cost trends",
            "Cost per request and per million tokens by team, per day.",
            units,
            lambda: charts.unit_costs(units, "Unit costs by team"),
        ),
        _panel(
            "chart-budget-burndown",
            "Budget burn-down",
            "Cumulative spend against each budget, with the forecast to month end and the soft and hard limits.",
            burndown,
            lambda: charts.budget_burndown(burndown, budgets, "Budgets: spend to date and forecast"),
        ),
        _panel(
            "chart-opportunities",
            "Top optimisation opportunities",
            "Largest estimated monthly savings, with the suggested action.",
            top,
            lambda: charts.opportunities(top, "Top optimisation opportunities"),
            _opportunity_table(top),
        ),
    ]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Page(
        title=f"AI cost report · {month}",
        subtitle=f"Generated {generated} from the warehouse marts. Money is shown to the cent; charts plot the same figures.",
        tiles=_tiles(con, month, budgets, found),
        alerts=_alerts(budgets, found),
        panels=panels,
        kpis=_kpi_table(queries.kpis(con, month)),
        footer="ai-cost-warehouse · self-contained report: opens offline, no external resources.",
    )
