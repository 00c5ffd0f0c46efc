"""What the last build saw (pipelines.build_state): when a run must build, and what it must rebuild."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.build_state import (
    changed_loads,
    full_refresh_reason,
    last_run_built,
    pending_changes,
    project_fingerprint,
    rebuilt_periods,
    rebuilt_periods_by_source,
    rebuilt_share,
    record_build,
    record_run,
    unaffected_nodes,
)
from pipelines.config import Settings
from pipelines.load.manifest import ensure_manifest


def _add_load(
    con: duckdb.DuckDBPyConnection, load_id: str, source: str, periods: str, status: str = "loaded", rows: int = 10
) -> None:
    con.execute(
        "insert into raw._loads (load_id, source, path, sha256, bytes, rows, billing_period, status, loaded_at) "
        "values (?, ?, ?, ?, 1, ?, ?, ?, ?)",
        [load_id, source, f"{source}/{load_id}", load_id, rows, periods, status, datetime.now(UTC)],
    )


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_manifest(connection)
    _add_load(connection, "cur-sep", "aws_cur", "2026-09")
    _add_load(connection, "gw-1", "litellm", "2026-09,2026-10")
    yield connection
    connection.close()


def test_a_warehouse_never_built_needs_a_full_build(con: duckdb.DuckDBPyConnection) -> None:
    assert full_refresh_reason(con, "fp") == "no successful build is recorded"
    assert pending_changes(con, "fp") == ["no successful build is recorded"]


def test_nothing_new_since_the_recorded_build_means_nothing_to_build(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    assert pending_changes(con, "fp") == []
    assert rebuilt_periods(con) == []
    # one row per load and period it holds
    assert con.execute("select count(*) from _aicost.built_loads").fetchone()[0] == 3


def test_a_new_load_rebuilds_only_the_periods_it_holds(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    _add_load(con, "gw-2", "litellm", "2026-10")
    assert full_refresh_reason(con, "fp") is None
    assert changed_loads(con) == {"litellm": {"new": 1, "gone": 0}}
    assert pending_changes(con, "fp") == ["litellm: 1 new or changed load(s), 0 replaced or removed"]
    assert rebuilt_periods(con) == ["2026-10"]


def test_a_restated_month_rebuilds_that_month(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    con.execute("update raw._loads set status = 'replaced' where load_id = 'cur-sep'")
    _add_load(con, "cur-sep-v2", "aws_cur", "2026-09")
    assert changed_loads(con) == {"aws_cur": {"new": 1, "gone": 1}}
    assert rebuilt_periods(con) == ["2026-09"]


def test_a_removed_file_rebuilds_its_periods(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    con.execute("update raw._loads set status = 'removed' where load_id = 'gw-1'")
    assert changed_loads(con) == {"litellm": {"new": 0, "gone": 1}}
    assert rebuilt_periods(con) == ["2026-09", "2026-10"]


def test_the_periods_handed_to_another_engine_name_each_source(con: duckdb.DuckDBPyConnection) -> None:
    # what a Spark build gets as the dbt var aicost_rebuilt_periods: the macro picks the sources upstream of
    # each model from it, so a new gateway day must not name the bill's month for aws_cur
    record_build(con, "fp")
    assert rebuilt_periods_by_source(con) == {}
    con.execute("update raw._loads set status = 'replaced' where load_id = 'cur-sep'")
    _add_load(con, "cur-sep-v2", "aws_cur", "2026-09")
    _add_load(con, "gw-2", "litellm", "2026-10,2026-11")
    assert rebuilt_periods_by_source(con) == {"aws_cur": ["2026-09"], "litellm": ["2026-10", "2026-11"]}
    assert rebuilt_periods(con) == ["2026-09", "2026-10", "2026-11"]


def test_quarantined_and_skipped_files_change_nothing(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    _add_load(con, "bad", "litellm", "2026-10", status="quarantined")
    _add_load(con, "dup", "litellm", "2026-10", status="skipped")
    assert pending_changes(con, "fp") == []


def test_a_changed_project_or_price_catalogue_rebuilds_everything(con: duckdb.DuckDBPyConnection) -> None:
    record_build(con, "fp")
    assert (
        full_refresh_reason(con, "other") == "the dbt project, its seeds, vars or packages changed since the last build"
    )
    con.execute("create schema raw_prices")
    con.execute("create table raw_prices.genai_prices (catalogue_version varchar)")
    con.execute("insert into raw_prices.genai_prices values ('v2')")
    assert full_refresh_reason(con, "fp") == "the price catalogue changed since the last build"
    record_build(con, "fp")
    assert full_refresh_reason(con, "fp") is None


def test_the_fingerprint_follows_the_dbt_vars_the_settings_set() -> None:
    assert project_fingerprint(Settings()) == project_fingerprint(Settings())
    assert project_fingerprint(Settings()) != project_fingerprint(Settings(reporting_currency="EUR"))


def test_the_latest_run_says_whether_it_built(con: duckdb.DuckDBPyConnection) -> None:
    assert last_run_built(con) is True  # no run recorded yet
    record_run(con, built=True)
    assert last_run_built(con) is True
    record_run(con, built=False)
    assert last_run_built(con) is False


def test_the_rebuilt_share_counts_the_rows_of_restated_periods(con: duckdb.DuckDBPyConnection) -> None:
    _add_load(con, "cur-oct", "aws_cur", "2026-10", rows=80)
    record_build(con, "fp")
    assert rebuilt_share(con) == 0.0
    # a day of November appended: nothing restated, the month is rebuilt incrementally
    _add_load(con, "gw-nov", "litellm", "2026-11", rows=1)
    assert rebuilt_share(con) == 0.0
    # October restated: its CUR (80 rows) and the gateway load spanning September and October (10) of 101
    con.execute("update raw._loads set status = 'replaced' where load_id = 'cur-oct'")
    _add_load(con, "cur-oct-v2", "aws_cur", "2026-10", rows=80)
    assert rebuilt_share(con) == pytest.approx(90 / 101)


def test_nodes_no_changed_source_feeds_are_left_out() -> None:
    def node(name: str, kind: str = "model") -> dict:
        return {"name": name, "resource_type": kind}

    manifest = {
        "sources": {
            "source.p.litellm.spend_logs": {"source_name": "litellm"},
            "source.p.aws_cur.cur": {"source_name": "aws_cur"},
        },
        "nodes": {
            "model.p.stg_litellm": node("stg_litellm"),
            "model.p.stg_cur": node("stg_cur"),
            "model.p.fct": node("fct"),
            "seed.p.teams": node("teams", "seed"),
            "test.p.not_null_stg_cur": node("not_null_stg_cur", "test"),
            "test.p.relationships_fct": node("relationships_fct", "test"),
        },
        "child_map": {
            "source.p.litellm.spend_logs": ["model.p.stg_litellm"],
            "source.p.aws_cur.cur": ["model.p.stg_cur"],
            "model.p.stg_litellm": ["model.p.fct"],
            "model.p.stg_cur": ["model.p.fct", "test.p.not_null_stg_cur"],
            "seed.p.teams": ["model.p.fct", "test.p.relationships_fct"],
            "model.p.fct": ["test.p.relationships_fct"],
        },
    }
    assert unaffected_nodes(manifest, {"litellm"}) == ["not_null_stg_cur", "stg_cur", "teams"]
    assert unaffected_nodes(manifest, {"aws_cur", "litellm"}) == ["teams"]
