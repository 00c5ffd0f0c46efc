"""Alerts read from the controls marts: which budgets and anomalies alert, in what order, as JSON lines."""

import json
from decimal import Decimal

import duckdb
import pytest

from pipelines.alerts import collect_alerts, render_alerts, write_jsonl


@pytest.fixture
def marts() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE rpt_budget_status AS SELECT * FROM (VALUES
            ('2026-09', 'team', 'growth', 'hard_breach', DATE '2026-09-30', 150.00::DECIMAL(38, 12),
             100.00::DECIMAL(38, 12), 150.0::DECIMAL(38, 12), 150.00::DECIMAL(38, 12), 'USD'),
            ('2026-10', 'team', 'growth', 'hard_breach', DATE '2026-10-31', 1234.5::DECIMAL(38, 12),
             1000::DECIMAL(38, 12), 123.45::DECIMAL(38, 12), 1234.5::DECIMAL(38, 12), 'USD'),
            ('2026-10', 'team', 'legal', 'soft_breach', DATE '2026-10-31', 85::DECIMAL(38, 12),
             100::DECIMAL(38, 12), 85::DECIMAL(38, 12), 85::DECIMAL(38, 12), 'USD'),
            ('2026-10', 'team', 'support', 'ok', DATE '2026-10-31', 10::DECIMAL(38, 12),
             100::DECIMAL(38, 12), 10::DECIMAL(38, 12), 10::DECIMAL(38, 12), 'USD')
        ) AS t(budget_month, scope_type, scope_value, status, as_of_date, month_to_date_cost, budget_amount,
               consumed_pct, forecast_month_end, billing_currency);
        CREATE TABLE rpt_cost_anomalies AS SELECT * FROM (VALUES
            ('a-old', 'daily_spend_spike', 'high', DATE '2026-10-02', 'search', 'semantic-search', 'm1',
             'old spike', 5.5::DECIMAL(38, 12), 'USD', FALSE),
            ('a-new', 'new_model_for_team', 'high', DATE '2026-10-20', 'legal', 'contract-analyzer', 'm2',
             'legal started calling m2', 0.123456789012::DECIMAL(38, 12), 'USD', TRUE),
            ('a-low', 'seasonal_spend', 'low', DATE '2026-10-20', 'support', NULL, NULL,
             'support spent more than usual', 1::DECIMAL(38, 12), 'USD', TRUE)
        ) AS t(anomaly_id, rule, severity, anomaly_date, team, application, model_id, explanation, cost_impact,
               billing_currency, is_new_in_latest_run)
        """
    )
    return con


def test_latest_run_alerts_most_severe_first(marts):
    alerts = collect_alerts(marts)
    # The September budget is history; the anomaly of Oct 2 was detected by an earlier run.
    assert [(a.kind, a.rule, a.scope) for a in alerts] == [
        ("anomaly", "new_model_for_team", "team=legal application=contract-analyzer model=m2"),
        ("budget", "hard_breach", "team=growth"),
        ("budget", "soft_breach", "team=legal"),
        ("anomaly", "seasonal_spend", "team=support"),
    ]
    assert [a.severity for a in alerts] == ["high", "high", "medium", "low"]
    assert alerts[1].message == (
        "team growth: hard breach of the 2026-10 budget: USD 1,234.50 spent of 1,000.00 (123.5%) by 2026-10-31, "
        "forecast 1,234.50 at month end"
    )


def test_severity_floor_and_known_anomalies(marts):
    assert [a.alert_id for a in collect_alerts(marts, min_severity="high")] == ["a-new", "budget:2026-10:team:growth"]
    known = collect_alerts(marts, min_severity="high", include_known=True)
    assert [a.alert_id for a in known] == ["a-old", "a-new", "budget:2026-10:team:growth"]


def test_jsonl_keeps_amounts_exact(marts, tmp_path):
    path = write_jsonl(collect_alerts(marts), tmp_path / "alerts" / "latest.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 4
    assert Decimal(records[0]["amount"]) == Decimal("0.123456789012")
    assert set(records[0]) == {"kind", "severity", "rule", "day", "scope", "message", "amount", "currency", "alert_id"}
    assert not (tmp_path / "alerts" / "latest.jsonl.partial").exists()


def test_a_run_that_found_nothing_new_alerts_about_no_anomaly(marts):
    marts.execute("UPDATE rpt_cost_anomalies SET is_new_in_latest_run = FALSE")
    assert [a.kind for a in collect_alerts(marts)] == ["budget", "budget"]
    assert len(collect_alerts(marts, include_known=True)) == 5


def test_no_alerts_renders_one_line():
    assert render_alerts([]) == "No alerts."
