"""The demo's planted events (``pipelines/demo/plants.py``): where, when and how big, at the smallest scale."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from pipelines.demo.plants import GROWTH_CAMPAIGN, LOOP_MIN_TURNS, LOOP_RETRY_SECONDS, event
from pipelines.demo.world import build_calls, month_bounds


@pytest.fixture(scope="module", params=["2026-10", "2027-02"])
def calls(request):
    """The calls of a 1,000-call demo month (any month: the plants are dated from its first day)."""
    start, end = month_bounds(request.param)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    build_calls(con, 7, 0.01, start, end)
    return con, start.date(), (end - start).days


def _day(first: date, day_of_month: int) -> date:
    return first + timedelta(days=day_of_month - 1)


def test_runaway_loop_is_one_gateway_session_on_its_day_failing_and_retrying_each_turn(calls):
    con, first, _ = calls
    loop = event("runaway_agent_loop")
    rows = con.execute(
        "SELECT started_at, is_failed, is_gateway_cache_hit, via_gateway, session_no, team, application, model_id "
        "FROM calls WHERE plant = 'runaway_agent_loop' ORDER BY call_id"
    ).fetchall()
    assert len(rows) == 2 * LOOP_MIN_TURNS  # two attempts a turn
    assert {r[4] for r in rows} == {rows[0][4]}
    assert {(r[5], r[6], r[7]) for r in rows} == {(loop.team, loop.application, loop.model_id)}
    assert all(r[3] and r[0].date() == _day(first, loop.day) for r in rows)
    for attempt, retry in zip(rows[::2], rows[1::2], strict=True):
        assert attempt[1] or attempt[2]  # failed (or, rarely, served by the gateway's cache)
        assert not retry[1]
        assert (retry[0] - attempt[0]).total_seconds() == LOOP_RETRY_SECONDS


def test_model_switch_moves_the_workload_to_a_model_its_team_never_used(calls):
    con, first, _ = calls
    switch = event("model_switch")
    switch_day = _day(first, switch.day)
    rows = con.execute(
        "SELECT model_id, min(started_at)::DATE, max(started_at)::DATE FROM calls "
        "WHERE workload_key = 'proj_search' AND endpoint = 'chat' GROUP BY ALL ORDER BY 2"
    ).fetchall()
    (old, _, old_last), (new, new_first, _) = rows
    assert old != new == switch.model_id
    assert old_last < switch_day <= new_first
    used_before = con.execute(
        "SELECT count(*) FROM calls WHERE team = ? AND model_id = ? AND started_at::DATE < ?",
        [switch.team, switch.model_id, switch_day],
    ).fetchone()[0]
    assert used_before == 0


def test_cache_regression_stops_every_cache_hit_of_its_workload_while_traffic_continues(calls):
    con, first, _ = calls
    cache = event("cache_regression")
    rows = con.execute(
        "SELECT started_at::DATE >= ? AS broken, count(*), sum(cache_read_tokens), "
        "count(*) FILTER (WHERE is_gateway_cache_hit) FROM calls "
        "WHERE team = ? AND application = ? AND model_id = ? GROUP BY ALL ORDER BY 1",
        [_day(first, cache.day), cache.team, cache.application, cache.model_id],
    ).fetchall()
    (_, _, reads_before, _), (_, calls_after, reads_after, hits_after) = rows
    assert reads_before > 0 and calls_after > 0
    assert reads_after == hits_after == 0


def test_growth_campaign_costs_the_same_every_day_whatever_the_scale(calls):
    con, _, days = calls
    rows = con.execute(
        "SELECT started_at::DATE, count(*), sum(list_cost), bool_and(NOT via_gateway AND NOT is_batch) FROM calls "
        "WHERE plant = 'growth_campaign' AND team = ? AND model_id = ? GROUP BY ALL",
        [GROWTH_CAMPAIGN.team, GROWTH_CAMPAIGN.model_id],
    ).fetchall()
    assert len(rows) == days
    assert {(n, Decimal(cost), direct) for _, n, cost, direct in rows} == {
        (GROWTH_CAMPAIGN.calls_per_day, GROWTH_CAMPAIGN.daily_cost, True)
    }
