"""The controls find what the demo planted (``pipelines/demo/plants.py``), on the right day, and nothing else.

The demo month holds four known events: a runaway agent loop, a model switch, a cache regression and growth's
campaign crossing its budget. Each must be flagged at high severity on its day (or cross the budget's
thresholds on the days measured when it was planted); every other high-severity anomaly is a false alarm.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from orchestration.cli import main
from pipelines.demo.plants import GROWTH_CAMPAIGN, PLANTED_EVENTS, PlantedEvent
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, DEMO_SCALE

MONTH_START = date.fromisoformat(f"{DEMO_MONTH}-01")


def _query(demo_run, sql: str, params: list | None = None) -> list[tuple]:
    with connect(demo_run.settings, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _day(day_of_month: int) -> date:
    return MONTH_START + timedelta(days=day_of_month - 1)


def _high_anomalies(demo_run) -> list[tuple]:
    return _query(
        demo_run,
        "SELECT rule, anomaly_date, team, application, model_id, explanation FROM rpt_cost_anomalies "
        "WHERE severity = 'high' ORDER BY anomaly_date, rule, team, application, model_id",
    )


def _explained_by(anomaly: tuple, plant: PlantedEvent) -> bool:
    """Whether a high-severity anomaly is the plant itself (its rules, scope and days)."""
    rule, anomaly_date, team, application, _model, _explanation = anomaly
    first, last = _day(plant.day), _day(plant.day + plant.lasting_days - 1)
    # a team-level rule (a model new to the team) may name no application
    return (
        rule in plant.rules
        and team == plant.team
        and application in (plant.application, None)
        and first <= anomaly_date <= last
    )


@pytest.mark.parametrize("plant", PLANTED_EVENTS, ids=[p.name for p in PLANTED_EVENTS])
def test_each_planted_event_is_flagged_high_on_its_day(demo_run, plant):
    found = [a for a in _high_anomalies(demo_run) if a[1] == _day(plant.day) and _explained_by(a, plant)]
    assert found, (plant, _high_anomalies(demo_run))


def test_the_model_switch_names_the_new_model(demo_run):
    plant = next(p for p in PLANTED_EVENTS if p.name == "model_switch")
    rows = _query(
        demo_run,
        "SELECT DISTINCT model_id FROM rpt_cost_anomalies WHERE rule = 'new_model_for_team' AND team = ? "
        "AND anomaly_date = ?",
        [plant.team, _day(plant.day)],
    )
    assert rows == [(plant.model_id,)]


def test_nothing_unplanted_is_flagged_at_high_severity(demo_run):
    unexplained = [a for a in _high_anomalies(demo_run) if not any(_explained_by(a, p) for p in PLANTED_EVENTS)]
    assert unexplained == []


def test_growth_crosses_its_soft_then_its_hard_budget_on_the_planted_days(demo_run):
    soft_day, hard_day = GROWTH_CAMPAIGN.crossings[DEMO_SCALE]
    rows = _query(
        demo_run,
        "SELECT budget_amount, soft_breached_on, hard_breached_on, is_hard_breach, status FROM rpt_budget_status "
        "WHERE scope_type = 'team' AND scope_value = ? AND budget_month = ?",
        [GROWTH_CAMPAIGN.team, DEMO_MONTH],
    )
    assert rows == [(GROWTH_CAMPAIGN.budget, _day(soft_day), _day(hard_day), True, "hard_breach")]


def test_no_other_budget_is_breached(demo_run):
    rows = _query(
        demo_run,
        "SELECT scope_type, scope_value FROM rpt_budget_status WHERE budget_month = ? "
        "AND (soft_breached_on IS NOT NULL OR hard_breached_on IS NOT NULL) ORDER BY ALL",
        [DEMO_MONTH],
    )
    assert rows == [("team", GROWTH_CAMPAIGN.team)]


def test_the_hard_breach_fails_the_budget_check_as_a_warning(demo_run):
    # A breach is news for the budget's owner, not a broken run: reported, the run still succeeds.
    assert demo_run.outcome.success
    assert "rpt_budget_status: no_budget_over_hard_threshold" in demo_run.outcome.warnings
    assert not any("no_budget_over_hard_threshold" in name for name in demo_run.outcome.failed_checks)


def test_alerts_command_lists_the_plants_as_json_lines(demo_run, tmp_path, capsys):
    out = tmp_path / "alerts.jsonl"
    code = main(
        # --all: another test runs the pipeline again on this warehouse, after which no anomaly is new
        [
            "alerts",
            "--warehouse",
            str(demo_run.settings.warehouse),
            "--min-severity",
            "high",
            "--all",
            "--jsonl",
            str(out),
        ]
    )
    assert code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"budget": 1, "anomaly": len(_high_anomalies(demo_run))} == {
        kind: sum(1 for r in records if r["kind"] == kind) for kind in ("budget", "anomaly")
    }
    budget = next(r for r in records if r["kind"] == "budget")
    assert (budget["rule"], budget["scope"], budget["severity"]) == ("hard_breach", "team=growth", "high")
    assert Decimal(budget["amount"]) > GROWTH_CAMPAIGN.budget
    assert capsys.readouterr().out.count("[HIGH  ]") == len(records)
