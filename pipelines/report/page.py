"""The HTML page: one file, Plotly's JavaScript inline once, every figure's data as inline JSON.

Each chart is a `<div class="chart" id="chart-...">` drawn from a `<script type="application/json">` block by a
small inline script, so the file opens from disk with no network, and tests can read each chart's data back.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --card: #ffffff; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 24px 48px; }
header h1 { margin: 0 0 2px; font-size: 24px; }
header p { margin: 0 0 16px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin-bottom: 20px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 21px; font-weight: 600; margin-top: 2px; white-space: nowrap; }
.tile .sub { color: var(--muted); font-size: 12px; }
.tile.alert .value { color: #c62828; }
section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px;
                margin-bottom: 18px; }
section.panel h2 { margin: 0 0 4px; font-size: 17px; }
section.panel p.desc { margin: 0 0 8px; color: var(--muted); }
.no-data { border: 1px dashed #cbd2d9; border-radius: 6px; padding: 28px; text-align: center; color: var(--muted);
           background: #fafbfc; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 13px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.nowrap { white-space: nowrap; }
td.num, th.num, .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
.sev-high, .sev-hard_breach { background: #c62828; }
.sev-medium, .sev-soft_breach, .sev-forecast_over_hard { background: #ef6c00; }
.sev-low, .sev-forecast_over_soft { background: #9e9d24; }
.more { color: var(--muted); font-size: 12px; margin-top: 6px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
"""

DRAW = """
document.querySelectorAll('script.figure-data').forEach(function (block) {
  var target = block.getAttribute('data-target');
  try {
    var figure = JSON.parse(block.textContent);
    Plotly.newPlot(target, figure.data, figure.layout, figure.config);
  } catch (err) {
    console.error('chart ' + target + ' failed to draw: ' + err);
  }
});
"""


@dataclass
class Tile:
    """One headline figure in the header."""

    label: str
    value: str
    sub: str = ""
    alert: bool = False


@dataclass
class Panel:
    """One section of the report: a chart (or a no-data note) and optional table HTML below it."""

    chart_id: str
    title: str
    description: str
    figure: go.Figure | None = None
    note: str | None = None
    table: str = ""


@dataclass
class Page:
    """Everything the page shows, in order."""

    title: str
    subtitle: str
    tiles: list[Tile] = field(default_factory=list)
    alerts: str = ""
    panels: list[Panel] = field(default_factory=list)
    kpis: str = ""
    footer: str = ""


def esc(value: object) -> str:
    """HTML-escaped text ('' for None)."""
    return "" if value is None else html.escape(str(value))


def table(
    headers: list[str],
    rows: list[list[str]],
    numeric: set[int] | None = None,
    raw: set[int] | None = None,
    nowrap: set[int] | None = None,
) -> str:
    """A plain HTML table; cells are escaped unless their column index is in `raw` (already HTML)."""
    numeric, raw, nowrap = numeric or set(), raw or set(), nowrap or set()

    def cls(i: int) -> str:
        names = [n for n, columns in (("num", numeric), ("nowrap", nowrap)) if i in columns]
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{cls(i) if i in numeric else ''}>{esc(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{cell if i in raw else esc(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_json(figure: go.Figure) -> str:
    payload = json.loads(figure.to_json())
    payload["config"] = PLOT_CONFIG
    # "</" inside a script element would end it early: escape it (JSON reads "<\/" back as "</")
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def _panel(panel: Panel) -> str:
    parts = [f'<section class="panel" id="panel-{esc(panel.chart_id)}">', f"<h2>{esc(panel.title)}</h2>"]
    if panel.description:
        parts.append(f'<p class="desc">{esc(panel.description)}</p>')
    if panel.figure is None:
        parts.append(f'<div class="no-data" data-chart="{esc(panel.chart_id)}">No data. {esc(panel.note or "")}</div>')
    else:
        parts.append(f'<div class="chart" id="{esc(panel.chart_id)}"></div>')
        parts.append(
            f'<script type="application/json" class="figure-data" data-target="{esc(panel.chart_id)}">'
            f"{_figure_json(panel.figure)}</script>"
        )
    parts.append(panel.table)
    parts.append("</section>")
    return "\n".join(parts)


def render(page: Page) -> str:
    """The whole HTML document."""
    tiles = "".join(
        f'<div class="tile{" alert" if t.alert else ""}"><div class="label">{esc(t.label)}</div>'
        f'<div class="value">{esc(t.value)}</div><div class="sub">{esc(t.sub)}</div></div>'
        for t in page.tiles
    )
    panels = "\n".join(_panel(p) for p in page.panels)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page.title)}</title>
<style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>
<body>
<main>
<header><h1>{esc(page.title)}</h1><p>{esc(page.subtitle)}</p></header>
<div class="tiles">{tiles}</div>
<section class="panel" id="panel-alerts"><h2>Alerts</h2>{page.alerts}</section>
{panels}
<section class="panel" id="panel-kpis"><h2>KPIs of the month</h2>{page.kpis}</section>
<footer>{esc(page.footer)}</footer>
</main>
<script type="text/javascript">{DRAW}</script>
</body>
</html>
"""
