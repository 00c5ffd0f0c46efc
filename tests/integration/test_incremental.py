"""Incremental runs: nothing new builds nothing, new data rebuilds its billing periods only, and the result
equals a full refresh exactly (every table and view, and the chargeback file byte for byte).

Each test starts from a copy of the session's demo warehouse (and its landing), as a nightly run would find
them the day after ``make demo``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

from orchestration.defs.dbt import assets as dbt_assets
from orchestration.run import RunOutcome, run_pipeline
from pipelines.config import Settings
from pipelines.demo.deliveries import restate_cur_month, write_next_day
from pipelines.export import export_chargeback
from pipelines.run_state import current_fingerprint
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, DEMO_SCALE, copy_landing
from tests.tools.mart_digest import differences, digests

NEXT_MONTH = "2026-11"


def _copy_of_demo(demo_run, root: Path) -> Settings:
    landing = copy_landing(demo_run.landing, root / "landing")
    warehouse = root / "warehouse" / "aicost.duckdb"
    shutil.copytree(demo_run.settings.warehouse.parent, warehouse.parent)
    return Settings(landing=str(landing), warehouse=warehouse, exports_dir=root / "exports")


def _log(outcome: RunOutcome) -> str:
    return outcome.log_path.read_text(encoding="utf-8")


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_run_with_nothing_new_skips_dbt_and_changes_nothing(demo_run, tmp_path):
    settings = _copy_of_demo(demo_run, tmp_path)
    before = digests(settings.warehouse)
    # a file written again with the same bytes: the loaders hash it, find it unchanged, and dbt is skipped
    touched = next(Path(settings.landing).glob("litellm/**/*.parquet"))
    os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 60))

    through_loaders = run_pipeline(settings)

    assert through_loaders.success and through_loaders.failed_checks == []
    assert not through_loaders.unchanged and through_loaders.dbt_skipped
    assert "dbt: nothing new since the last build" in _log(through_loaders)
    assert differences(before, digests(settings.warehouse)) == []

    # the same landing (paths, sizes, times), project and packages again: no step runs, the outcome stands
    unchanged = run_pipeline(settings)

    assert unchanged.success and unchanged.unchanged and unchanged.warnings == through_loaders.warnings
    assert "nothing new: the landing's" in _log(unchanged) and "step started" not in _log(unchanged)
    assert differences(before, digests(settings.warehouse)) == []
    # ... unless the project changes (another reporting currency); a new price catalogue in the warehouse
    # vetoes it too (test_request_side: a new catalogue version restates list cost)
    assert current_fingerprint(settings) != current_fingerprint(replace(settings, reporting_currency="EUR"))


def test_new_data_rebuilds_only_its_periods_and_equals_a_full_refresh(demo_run, tmp_path, monkeypatch):
    # October holds most of the demo's rows, so a restated October would be rebuilt in full (cheaper than
    # deleting and re-inserting it): the incremental rebuild of a period is what is tested here.
    monkeypatch.setattr(dbt_assets, "REBUILD_ALL_SHARE", 1.01)
    settings = _copy_of_demo(demo_run, tmp_path / "incremental")
    october = "SELECT * FROM focus_cost_and_usage WHERE BillingPeriodStart < DATE '2026-11-01' ORDER BY ALL"
    october_before = _rows(settings, october)

    # the next night: one more day of gateway, OTel and outcome files (2026-11-01)
    write_next_day(Path(settings.landing), scale=DEMO_SCALE, seed=7, month=DEMO_MONTH)
    next_day = run_pipeline(settings)

    assert next_day.success and next_day.failed_checks == []
    assert f"dbt: rebuilding billing period(s) {NEXT_MONTH}" in _log(next_day)
    # the bill chain is fed by no changed source: left as it was, tests included
    assert "node(s) not fed by litellm, otel_genai, outcomes left out" in _log(next_day)
    assert "model main.stg_aws_cur__line_items" not in _log(next_day)
    assert "model main.fct_llm_requests " in _log(next_day)
    assert _rows(settings, october) == october_before
    requests = f"SELECT count(*) FROM fct_llm_requests WHERE request_date >= DATE '{NEXT_MONTH}-01'"
    assert _rows(settings, requests)[0][0] > 0

    # AWS restates October: only October is rebuilt, and it changes
    restate_cur_month(Path(settings.landing), DEMO_MONTH)
    restated = run_pipeline(settings)

    assert restated.success and restated.failed_checks == []
    assert f"dbt: rebuilding billing period(s) {DEMO_MONTH}" in _log(restated)
    assert "of the rows: rebuilding all" not in _log(restated)
    assert _rows(settings, october) != october_before

    # the same warehouse rebuilt from scratch gives the same tables and the same chargeback bytes
    full = Settings(
        landing=settings.landing,
        warehouse=tmp_path / "full" / "warehouse" / "aicost.duckdb",
        exports_dir=tmp_path / "full" / "exports",
    )
    shutil.copytree(settings.warehouse.parent, full.warehouse.parent)
    refreshed = run_pipeline(full, full_refresh=True)

    assert refreshed.success and refreshed.failed_checks == []
    assert "--full-refresh" in _log(refreshed) or "full refresh" in _log(refreshed)
    files = {}
    for name, run_settings in (("incremental", settings), ("full", full)):
        with connect(run_settings, read_only=True) as con:
            files[name] = export_chargeback(con, DEMO_MONTH, tmp_path / f"{name}.csv").path
    assert files["incremental"].read_bytes() == files["full"].read_bytes()
    assert differences(digests(full.warehouse), digests(settings.warehouse)) == []
