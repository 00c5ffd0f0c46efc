"""The HTML report on a tiny hand-made warehouse: self-contained, every chart fed, money printed exactly."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import duckdb
import pytest

from pipelines.report import queries, render_report, write_report

MONTH = "2026-10"
CHARTS = {
    "chart-spend-provider",
    "chart-spend-team",
    "chart-spend-model",
    "chart-anomalies",
    "chart-chargeback",
    "chart-cost-per-outcome",
    "chart-unit-costs",
    "chart-budget-burndown",
    "chart-opportunities",
}
# 2**53 + 1 cents-exact: a float cannot hold it, so printing it right proves the Decimal path
HUGE = Decimal("9007199254740993.010000000000")
M = "decimal(38, 12)"

FINANCE = f"""
create table main.rpt_showback_daily (charge_date date, provider_name varchar, team varchar, model_id varchar,
    billing_currency varchar, billed_cost {M}, effective_cost {M});
insert into main.rpt_showback_daily values
    ('2026-10-01', 'OpenAI', 'support', 'gpt-4o', 'USD', 10.5, 10.5),
    ('2026-10-02', 'OpenAI', 'support', 'gpt-4o', 'USD', 12.25, 12.25),
    ('2026-10-02', 'Microsoft', 'legal', null, 'USD', 40, 40),
    ('2026-09-30', 'OpenAI', 'support', 'gpt-4o', 'USD', 999, 999);
create table main.fct_ai_costs_allocated (charge_date date, billing_period varchar, team varchar, model_id varchar,
    is_ai boolean, billing_currency varchar, effective_cost {M});
insert into main.fct_ai_costs_allocated values
    ('2026-10-01', '2026-10', 'support', 'gpt-4o', true, 'USD', 10.5),
    ('2026-10-02', '2026-10', 'support', 'gpt-4o', true, 'USD', 12.25),
    ('2026-10-02', '2026-10', 'legal', '', true, 'USD', 40);
create table main.rpt_chargeback_monthly (billing_period varchar, cost_centre_id varchar, cost_centre_name varchar,
    is_ai boolean, billing_currency varchar, billed_cost {M}, effective_cost {M});
insert into main.rpt_chargeback_monthly values
    ('2026-10', 'CC-1', 'Support', true, 'USD', 1111.111111111111, 1111.111111111111),
    ('2026-10', 'CC-1', 'Support', false, 'USD', 2222.222222222222, 2222.222222222222),
    ('2026-10', 'CC-9', 'Research', true, 'USD', {HUGE}, {HUGE}),
    ('2026-09', 'CC-1', 'Support', true, 'USD', 5, 5);
"""

CONTROLS = f"""
create table main.rpt_cost_per_outcome_summary (billing_period varchar, outcome_type varchar, team varchar,
    application varchar, billing_currency varchar, outcomes bigint, group_outcomes bigint, outcome_value {M},
    linked_cost {M}, workload_cost {M}, linked_cost_share {M}, cost_per_outcome {M}, value_per_outcome {M},
    roi {M});
insert into main.rpt_cost_per_outcome_summary values
    ('2026-10', 'ticket_resolved', 'support', 'assistant', 'USD', 4, 4, 40, 2, 3, 0.666666666667, 0.5, 10, 19);
create table main.rpt_unit_costs_daily (cost_date date, team varchar, billing_currency varchar, requests bigint,
    allocated_cost {M}, provider_tokens bigint);
insert into main.rpt_unit_costs_daily values
    ('2026-10-01', 'support', 'USD', 10, 10.5, 5000), ('2026-10-02', 'support', 'USD', 20, 12.25, 9000);
create table main.rpt_budget_status (budget_month varchar, scope_type varchar, scope_value varchar,
    billing_currency varchar, budget_amount {M}, as_of_date date, month_to_date_cost {M}, forecast_month_end {M},
    consumed_pct {M}, forecast_pct {M}, status varchar, soft_breached_on date, hard_breached_on date);
insert into main.rpt_budget_status values
    ('2026-10', 'team', 'legal', 'USD', 30, '2026-10-02', 40, 600, 133.333333333333, 2000, 'hard_breach',
     '2026-10-02', '2026-10-02');
create table main.rpt_budget_burndown_daily (budget_month varchar, scope_type varchar, scope_value varchar,
    cost_date date, billing_currency varchar, cumulative_cost {M}, forecast_cumulative_cost {M},
    budget_amount {M}, soft_limit {M}, hard_limit {M}, is_forecast boolean);
insert into main.rpt_budget_burndown_daily values
    ('2026-10', 'team', 'legal', '2026-10-01', 'USD', 0, null, 30, 24, 30, false),
    ('2026-10', 'team', 'legal', '2026-10-02', 'USD', 40, 40, 30, 24, 30, false),
    ('2026-10', 'team', 'legal', '2026-10-03', 'USD', null, 60, 30, 24, 30, true);
create table main.rpt_cost_anomalies (anomaly_date date, rule varchar, severity varchar, team varchar,
    application varchar, model_id varchar, metric_name varchar, observed_value {M}, expected_value {M},
    cost_impact {M}, billing_currency varchar, explanation varchar);
insert into main.rpt_cost_anomalies values
    ('2026-10-02', 'daily_spend_spike', 'high', 'legal', 'review', null, 'daily_cost', 40, 5, 35, 'USD',
     'Spend jumped </script><b>8x</b>');
create table main.rpt_optimization_opportunities (billing_period varchar, savings_rank integer,
    opportunity_type varchar, team varchar, application varchar, provider_name varchar, model_id varchar,
    resource_id varchar, suggested_action varchar, current_cost {M}, estimated_savings {M},
    billing_currency varchar, evidence varchar);
insert into main.rpt_optimization_opportunities values
    ('2026-10', 1, 'prompt_caching', 'support', 'assistant', 'OpenAI', 'gpt-4o', null, 'Cache the system prompt',
     22.75, 7.123456789012, 'USD', '90% repeated prefixes');
create table main.rpt_ai_kpis_monthly (billing_period varchar, kpi_group varchar, kpi_name varchar,
    kpi_value {M}, kpi_unit varchar, description varchar);
insert into main.rpt_ai_kpis_monthly values
    ('2026-10', 'utilisation', 'gpu_utilisation', 0.4137, 'ratio', 'Used over allocated GPU-hours');
"""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.figures: dict[str, dict] = {}
        self.no_data: list[str] = []
        self.scripts = 0
        self._target: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self.scripts += 1
            self._target = values.get("data-target") if values.get("type") == "application/json" else None
        if "no-data" in (values.get("class") or "").split():
            self.no_data.append(values.get("data-chart", ""))

    def handle_data(self, data):
        if self._target:
            self.figures[self._target] = json.loads(data)
            self._target = None


def _warehouse(*scripts: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for script in scripts:
        con.execute(script)
    return con


def _parse(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(text)
    return collector


def _values(trace: dict) -> list:
    return [v for axis in ("x", "y") for v in trace.get(axis) or [] if v is not None]


def test_report_is_self_contained_and_embeds_plotly_once(tmp_path):
    path = write_report(_warehouse(FINANCE, CONTROLS), MONTH, tmp_path / "out" / "report.html")
    text = path.read_text()
    page = _parse(text)

    links = [(tag, name, value) for tag, name, value in page.attributes if name in ("src", "href", "srcset", "data")]
    assert links == []
    assert not [a for a in page.attributes if re.match(r"\s*(https?:)?//", a[2])]
    assert "<link" not in text and "@import" not in text
    # plotly.js inline exactly once, the figures' data blocks, and the drawing script
    assert text.count("plotly.js v") == 1
    assert page.scripts == 2 + len(CHARTS)


def test_every_chart_has_data(tmp_path):
    page = _parse(render_report(_warehouse(FINANCE, CONTROLS), MONTH))

    assert set(page.figures) == CHARTS
    assert page.no_data == []
    for chart_id, figure in page.figures.items():
        assert any(_values(trace) for trace in figure["data"]), chart_id
    anomalies = page.figures["chart-anomalies"]["data"]
    assert [t["name"] for t in anomalies] == ["Daily spend", "high anomaly"]
    assert anomalies[1]["x"] == ["2026-10-02"] and anomalies[1]["y"] == [52.25]
    provider_days = sorted({x for t in page.figures["chart-spend-provider"]["data"] for x in t["x"]})
    assert provider_days == ["2026-10-01", "2026-10-02"]  # September's row stays out of October


def test_money_is_printed_exactly_to_the_cent():
    text = render_report(_warehouse(FINANCE, CONTROLS), MONTH)

    total = Decimal("1111.111111111111") + Decimal("2222.222222222222") + HUGE
    assert total == Decimal("9007199254744326.343333333333")
    assert "9,007,199,254,744,326.34 USD" in text  # header tile: Decimal sum, not a float
    assert "9,007,199,254,740,993.01 USD" in text  # the cost centre's total in the chargeback table
    assert "7.12 USD" in text  # the opportunity's savings (7.123456789012)
    assert ">41.4%<" in text  # a ratio KPI as a percentage
    # cost per outcome: 2 / 4 outcomes = 0.50; value per outcome 40 / 4 = 10.00; ROI (40 - 2) / 2 = 1900.0%
    assert re.search(r">0\.50<.*?>10\.00<.*?>1,900\.0%<", text, re.S)


def test_savings_tile_counts_overlapping_opportunities_once():
    # support/assistant's gpt-4o calls: caching 7 and batch 5 cover the same calls, the larger (7) counts;
    # legal's gpt-4o batch 2 is other calls: gpt-4o's per-team side is 7 + 2 = 9, below the all-teams
    # provisioning suggestion of 10, so 10 counts for gpt-4o. Deployment ptu: break-even 30 (busy hours) and
    # idle 20 (idle hours) are disjoint costs and add up; idle GPU 4 adds. 10 + 30 + 20 + 4 = 64, not 78.
    con = _warehouse(FINANCE, CONTROLS)
    con.execute("""
        delete from main.rpt_optimization_opportunities;
        insert into main.rpt_optimization_opportunities
            (billing_period, opportunity_type, team, application, provider_name, model_id, resource_id,
             estimated_savings, billing_currency)
        values
            ('2026-10', 'prompt_caching', 'support', 'assistant', 'OpenAI', 'gpt-4o', null, 7, 'USD'),
            ('2026-10', 'batch_pricing', 'support', 'assistant', 'OpenAI', 'gpt-4o', null, 5, 'USD'),
            ('2026-10', 'batch_pricing', 'legal', 'review', 'OpenAI', 'gpt-4o', null, 2, 'USD'),
            ('2026-10', 'provisioned_break_even', 'All teams', 'All applications', 'OpenAI', 'gpt-4o', null, 10,
             'USD'),
            ('2026-10', 'provisioned_break_even', 'support', 'bot', 'Microsoft', 'gpt-5', 'ptu', 30, 'USD'),
            ('2026-10', 'idle_provisioned', 'support', 'bot', 'Microsoft', null, 'ptu', 20, 'USD'),
            ('2026-10', 'idle_gpu', 'ml', 'train', 'Amazon Web Services', null, 'i-1', 4, 'USD'),
            ('2026-09', 'idle_gpu', 'ml', 'train', 'Amazon Web Services', null, 'i-1', 1000, 'USD');
    """)

    (row,) = queries.savings_total(con, MONTH).rows
    assert row == {
        "billing_currency": "USD",
        "opportunities": 7,
        "gross_savings": Decimal("78"),
        "estimated_savings": Decimal("64"),
    }
    assert "64.00 USD" in render_report(con, MONTH)


def test_text_from_the_warehouse_is_escaped():
    text = render_report(_warehouse(FINANCE, CONTROLS), MONTH)

    assert "Spend jumped &lt;/script&gt;&lt;b&gt;8x&lt;/b&gt;" in text  # alerts table
    assert "Spend jumped <\\/script>" in text  # chart hover text inside the JSON block
    assert "Spend jumped </script>" not in text


def test_missing_marts_give_no_data_panels_not_a_crash():
    page = _parse(render_report(_warehouse(FINANCE), MONTH))

    assert set(page.figures) == {
        "chart-spend-provider",
        "chart-spend-team",
        "chart-spend-model",
        "chart-anomalies",
        "chart-chargeback",
    }
    assert set(page.no_data) == {"alerts", "kpis", *(CHARTS - set(page.figures))}


def test_empty_warehouse_and_empty_month_give_no_data_panels():
    empty = _parse(render_report(duckdb.connect(), MONTH))
    assert empty.figures == {}
    assert set(empty.no_data) == {"alerts", "kpis", *CHARTS}

    other_month = render_report(_warehouse(FINANCE, CONTROLS), "2027-01")
    assert "main.rpt_showback_daily has no rows for 2027-01." in other_month
    assert _parse(other_month).figures == {}


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "October", "2026-10-01"])
def test_month_must_be_yyyy_mm(month):
    with pytest.raises(ValueError, match="YYYY-MM"):
        render_report(duckdb.connect(), month)
