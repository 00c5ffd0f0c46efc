"""Plotly figures for the report, built from plain lists (no numpy or pandas needed).

Money arrives as Decimal: it becomes float only as a plotted coordinate; the hover text shows the exact figure
rounded to cents (formatted from the Decimal).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipelines.report.queries import Rows

SEVERITY_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#bcbd22"}
SEVERITY_SYMBOLS = {"high": "x", "medium": "diamond", "low": "circle"}
BURN_COLOURS = {
    "Spend to date": "#1f77b4",
    "Forecast": "#1f77b4",
    "Soft limit": "#ff7f0e",
    "Hard limit (budget)": "#d62728",
}
OTHER = "Other"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def money(value: Decimal | None) -> str:
    """Exact figure rounded to cents with thousands separators ('-' for none)."""
    return "-" if value is None else f"{value:,.2f}"


def _num(value: Decimal | float | None) -> float | None:
    # the one place a Decimal becomes a float: a coordinate on a chart
    return None if value is None else float(value)


def _iso(day: date) -> str:
    return day.isoformat()


def _currency_label(rows: list[dict[str, Any]]) -> str:
    currencies = sorted({r["billing_currency"] for r in rows})
    return currencies[0] if len(currencies) == 1 else "by currency"


def _named(series: str, currency: str, several: bool) -> str:
    return f"{series} ({currency})" if several else series


def _style(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 30, "t": 60, "b": 50},
        font={"family": FONT, "size": 12},
        legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.01, "font": {"size": 11}},
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


def daily_stacked(rows: Rows, title: str, top: int = 8) -> go.Figure:
    """Stacked daily bars of cost per series (provider, team or model); series beyond `top` become Other."""
    several = len({r["billing_currency"] for r in rows.rows}) > 1
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows.rows:
        totals[(r["series"] or "(none)", r["billing_currency"])] += r["cost"]
    ranked = sorted(totals, key=lambda k: (-totals[k], k))
    kept = set(ranked[:top]) if len(ranked) > top + 1 else set(ranked)
    cells: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows.rows:
        key = (r["series"] or "(none)", r["billing_currency"])
        key = key if key in kept else (OTHER, r["billing_currency"])
        cells[key][_iso(r["day"])] += r["cost"]
    order = [k for k in ranked if k in kept] + sorted({k for k in cells if k[0] == OTHER})
    fig = go.Figure()
    for series, currency in order:
        days = sorted(cells[(series, currency)])
        values = [cells[(series, currency)][d] for d in days]
        fig.add_trace(
            go.Bar(
                x=days,
                y=[_num(v) for v in values],
                name=_named(series, currency, several),
                customdata=[f"{money(v)} {currency}" for v in values],
                hovertemplate="%{fullData.name}: %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", hovermode="x unified", bargap=0.15)
    fig.update_xaxes(title_text="Day", tickformat="%d %b", dtick=86400000 * 2)
    fig.update_yaxes(title_text=f"Effective cost ({_currency_label(rows.rows)})", tickformat=",.0f")
    return _style(fig, title)


def spend_with_anomalies(totals: Rows, found: Rows, title: str) -> go.Figure:
    """Daily spend of the estate as a line, with each day's anomalies marked on it by severity."""
    several = len({r["billing_currency"] for r in totals.rows}) > 1
    by_currency: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in totals.rows:
        by_currency[r["billing_currency"]][_iso(r["day"])] = r["cost"]
    fig = go.Figure()
    for currency, series in sorted(by_currency.items()):
        days = sorted(series)
        fig.add_trace(
            go.Scatter(
                x=days,
                y=[_num(series[d]) for d in days],
                mode="lines+markers",
                name=_named("Daily spend", currency, several),
                line={"color": "#1f77b4", "width": 2},
                marker={"size": 5},
                customdata=[f"{money(series[d])} {currency}" for d in days],
                hovertemplate="%{x|%a %d %b}: %{customdata}<extra></extra>",
            )
        )
    marks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for a in found.rows:
        scope = " / ".join(str(p) for p in (a["team"], a["application"], a["model_id"]) if p)
        impact = f" (impact {money(a['cost_impact'])} {a['billing_currency']})" if a["cost_impact"] is not None else ""
        text = f"<b>{a['rule']}</b> {scope}{impact}<br>{_wrap(a['explanation'] or '')}"
        marks[(a["severity"], _iso(a["anomaly_date"]), a["billing_currency"])].append(text)
    # high last, so it is drawn on top where several severities share a day; the legend lists high first
    for legend_rank, severity in ((3, "low"), (2, "medium"), (1, "high")):
        points = sorted((d, c, texts) for (s, d, c), texts in marks.items() if s == severity)
        if not points:
            continue
        fig.add_trace(
            go.Scatter(
                x=[d for d, _, _ in points],
                y=[_num(by_currency.get(c, {}).get(d, Decimal(0))) for d, c, _ in points],
                mode="markers",
                name=f"{severity} anomaly",
                legendrank=1000 + legend_rank,
                marker={
                    "size": 14,
                    "color": SEVERITY_COLOURS.get(severity, "#7f7f7f"),
                    "symbol": SEVERITY_SYMBOLS.get(severity, "circle"),
                    "line": {"width": 1.5, "color": "#ffffff"},
                },
                customdata=[
                    f"{len(t)} {severity} anomal{'y' if len(t) == 1 else 'ies'}<br>" + "<br>".join(t)
                    for *_, t in points
                ],
                hovertemplate="%{x|%a %d %b}: %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text="Day", tickformat="%d %b", dtick=86400000 * 2)
    fig.update_yaxes(
        title_text=f"Effective cost ({_currency_label(totals.rows)})", tickformat=",.0f", rangemode="tozero"
    )
    return _style(fig, title)


def _wrap(text: str, width: int = 90) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line]) if line else "<br>".join(lines)


def chargeback(rows: Rows, title: str) -> go.Figure:
    """Horizontal stacked bars per cost centre: AI cost and other cost charged back."""
    several = len({r["billing_currency"] for r in rows.rows}) > 1
    labels = [
        _named(f"{r['cost_centre_name']} ({r['cost_centre_id']})", r["billing_currency"], several)
        if r["cost_centre_name"] != r["cost_centre_id"]
        else _named(r["cost_centre_id"], r["billing_currency"], several)
        for r in rows.rows
    ]
    fig = go.Figure()
    for column, name, colour in (("ai_cost", "AI cost", "#1f77b4"), ("other_cost", "Other cost", "#aec7e8")):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[_num(r[column]) for r in rows.rows],
                name=name,
                orientation="h",
                marker={"color": colour},
                customdata=[
                    f"{money(r[column])} {r['billing_currency']} (total {money(r['total_cost'])})" for r in rows.rows
                ],
                hovertemplate="%{y}<br>" + name + ": %{customdata}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=f"Effective cost charged back ({_currency_label(rows.rows)})", tickformat=",.0f")
    return _style(fig, title, height=max(320, 60 + 42 * len(labels)))


def cost_per_outcome(rows: Rows, title: str) -> go.Figure:
    """Bars of cost per outcome per outcome type, team and application, with ROI on a second axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    labels = [f"{r['outcome_type']}<br>{r['team']} / {r['application']}" for r in rows.rows]
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[_num(r["cost_per_outcome"]) for r in rows.rows],
            name="Cost per outcome",
            marker={"color": "#1f77b4"},
            customdata=[
                f"{money(r['cost_per_outcome'])} {r['billing_currency']} per outcome; {r['outcomes']:,} outcomes, "
                f"linked cost {money(r['linked_cost'])}, value per outcome {money(r['value_per_outcome'])}"
                for r in rows.rows
            ],
            hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[_num(r["roi"] * 100) if r["roi"] is not None else None for r in rows.rows],
            name="ROI",
            mode="markers",
            marker={"color": "#2ca02c", "size": 13, "symbol": "diamond", "line": {"width": 1, "color": "#ffffff"}},
            customdata=[_pct(r["roi"]) for r in rows.rows],
            hovertemplate="%{x}<br>ROI %{customdata}<extra></extra>",
        ),
        secondary_y=True,
    )
    currency = _currency_label(rows.rows)
    fig.update_yaxes(
        title_text=f"Cost per outcome ({currency})", tickformat=",.2f", secondary_y=False, rangemode="tozero"
    )
    fig.update_yaxes(
        title_text="ROI = (value - cost) / cost (%)",
        ticksuffix="%",
        tickformat=",.0f",
        tickmode="auto",
        secondary_y=True,
        showgrid=False,
        zeroline=True,
    )
    fig.update_xaxes(title_text="Outcome type, team / application")
    fig.update_layout(bargap=0.6 if len(labels) < 4 else 0.25)
    return _style(fig, title)


def _pct(ratio: Decimal | None) -> str:
    return "-" if ratio is None else f"{ratio * 100:,.1f}%"


def unit_costs(rows: Rows, title: str) -> go.Figure:
    """Two stacked line charts per team: cost per request and cost per million tokens."""
    several = len({r["billing_currency"] for r in rows.rows}) > 1
    currency = _currency_label(rows.rows)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(f"Cost per request ({currency})", f"Cost per million tokens ({currency})"),
    )
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows.rows:
        series[(r["team"], r["billing_currency"])].append(r)
    palette = [
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
        "#17becf",
    ]
    for i, ((team, cur), points) in enumerate(sorted(series.items())):
        name = _named(team, cur, several)
        for row, column in ((1, "cost_per_request"), (2, "cost_per_million_tokens")):
            fig.add_trace(
                go.Scatter(
                    x=[_iso(p["day"]) for p in points],
                    y=[_num(p[column]) for p in points],
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1,
                    line={"color": palette[i % len(palette)], "width": 2},
                    hovertemplate="%{fullData.name}: %{y:,.4f} " + cur + "<extra></extra>",
                ),
                row=row,
                col=1,
            )
    fig.update_layout(hovermode="x unified")
    fig.update_yaxes(rangemode="tozero", tickformat=",.3~f")
    fig.update_yaxes(title_text=currency, row=1, col=1)
    fig.update_yaxes(title_text=currency, row=2, col=1)
    fig.update_xaxes(tickformat="%d %b", dtick=86400000 * 2)
    fig.update_xaxes(title_text="Day", row=2, col=1)
    return _style(fig, title, height=560)


def budget_burndown(rows: Rows, statuses: Rows, title: str, limit: int = 9) -> go.Figure:
    """One small chart per budget: cumulative spend, the forecast to month end and the soft and hard limits."""
    scopes: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows.rows:
        scopes[(r["scope_type"], r["scope_value"], r["billing_currency"])].append(r)
    status = {(s["scope_type"], s["scope_value"], s["billing_currency"]): s["status"] for s in statuses.rows}
    rank = {"hard_breach": 0, "soft_breach": 1, "forecast_over_hard": 2, "forecast_over_soft": 3}
    keys = sorted(scopes, key=lambda k: (rank.get(status.get(k, "ok"), 4), k))[:limit]
    cols = min(3, len(keys))
    grid_rows = math.ceil(len(keys) / cols)
    titles = [f"{t} {v}: {status.get((t, v, c), 'ok').replace('_', ' ')}" for t, v, c in keys]
    legend: set[str] = set()
    fig = make_subplots(
        rows=grid_rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.07, vertical_spacing=0.16 / grid_rows * 2
    )
    for i, key in enumerate(keys):
        points = scopes[key]
        currency = key[2]
        at = {"row": i // cols + 1, "col": i % cols + 1}
        days = [_iso(p["cost_date"]) for p in points]
        actual = [p for p in points if p["cumulative_cost"] is not None]
        forecast = [p for p in points if p["forecast_cumulative_cost"] is not None]
        lines = [
            ([_iso(p["cost_date"]) for p in actual], [p["cumulative_cost"] for p in actual], "Spend to date", "solid"),
            (
                [_iso(p["cost_date"]) for p in forecast],
                [p["forecast_cumulative_cost"] for p in forecast],
                "Forecast",
                "dash",
            ),
            (days, [p["soft_limit"] for p in points], "Soft limit", "dot"),
            (days, [p["hard_limit"] for p in points], "Hard limit (budget)", "dot"),
        ]
        for x, values, name, dash in lines:
            if x:
                # one legend entry per kind of line, on the first budget that has it
                fig.add_trace(_line(x, values, name, currency, BURN_COLOURS[name], dash, name not in legend), **at)
                legend.add(name)
        fig.update_yaxes(title_text=currency if at["col"] == 1 else None, rangemode="tozero", tickformat=",.0f", **at)
    fig.update_xaxes(tickformat="%d %b")
    fig.update_layout(hovermode="x unified")
    for annotation in fig.layout.annotations:
        annotation.font = {"size": 12}
    return _style(fig, title, height=120 + 260 * grid_rows)


def _line(
    x: list[str], values: list[Decimal | None], name: str, currency: str, colour: str, dash: str, legend: bool
) -> go.Scatter:
    return go.Scatter(
        x=x,
        y=[_num(v) for v in values],
        mode="lines",
        name=name,
        legendgroup=name,
        showlegend=legend,
        line={"color": colour, "dash": dash, "width": 2 if dash != "dot" else 1.5},
        customdata=[f"{money(v)} {currency}" for v in values],
        hovertemplate=name + ": %{customdata}<extra></extra>",
    )


def opportunities(rows: Rows, title: str) -> go.Figure:
    """Horizontal bars of estimated savings of the top opportunities, largest on top."""
    labels = [
        f"#{r['savings_rank']} {r['opportunity_type'].replace('_', ' ')} · "
        + " / ".join(str(p) for p in (r["team"], r["model_id"] or r["application"] or r["provider_name"]) if p)
        for r in rows.rows
    ]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=[_num(r["estimated_savings"]) for r in rows.rows],
            orientation="h",
            marker={"color": "#2ca02c"},
            name="Estimated savings",
            text=[f"{money(r['estimated_savings'])} {r['billing_currency']}" for r in rows.rows],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                f"saves {money(r['estimated_savings'])} {r['billing_currency']} of {money(r['current_cost'])}<br>"
                f"{_wrap(r['suggested_action'] or '')}<br><i>{_wrap(r['evidence'] or '')}</i>"
                for r in rows.rows
            ],
            hovertemplate="%{y}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text=f"Estimated savings per month ({_currency_label(rows.rows)})", tickformat=",.0f")
    return _style(fig, title, height=max(320, 60 + 40 * len(labels)))
