"""The same project on Apache Spark: the demo built by a local Spark session equals DuckDB's, row for row.

The demo landing of ``demo_run`` (built on DuckDB) is run again through the same nightly job with
``engine = spark``: loads into a DuckDB file as always, the raw tables mirrored to the Parquet lake, dbt built
by dbt-spark (``method: session``) from the lake, and Spark's tables linked into the warehouse file for the
checks, the exports and the analyst copy. Every mart and the FOCUS table must then hold exactly DuckDB's rows
(money compared as text of the same DECIMAL(38, 12): no tolerance), and the chargeback CSV the same bytes.
The next night's incremental run (a new day of requests, a restated month) must leave both engines equal too.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.defs.dbt import assets as dbt_assets
from orchestration.run import RunOutcome, run_pipeline
from pipelines.config import Settings
from pipelines.demo.deliveries import restate_cur_month, write_next_day
from pipelines.export import export_chargeback
from pipelines.publish import mart_names
from pipelines.validate_focus import KNOWN_DEFECTS, validate_focus
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, DEMO_SCALE, DemoRun, copy_landing
from tests.tools.mart_digest import differences, digests


@pytest.fixture(scope="module")
def spark_run(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("spark")
    settings = replace(
        demo_run.settings,
        landing=str(copy_landing(demo_run.landing, root / "landing")),
        warehouse=root / "warehouse" / "aicost.duckdb",
        exports_dir=root / "exports",
        engine="spark",
    )
    return DemoRun(landing=Path(settings.landing), settings=settings, outcome=_run(settings))


def _run(settings: Settings) -> RunOutcome:
    # a run exports its settings to the process environment (for dbt): the engine must not outlive this module
    saved = dict(os.environ)
    try:
        return run_pipeline(settings)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _next_night(landing: Path) -> None:
    """The next night's deliveries: a day of gateway, OTel and outcome files (November), October restated."""
    write_next_day(landing, scale=DEMO_SCALE, seed=7, month=DEMO_MONTH)
    restate_cur_month(landing, DEMO_MONTH)


def test_the_nightly_job_on_spark_succeeds_with_every_check_passing(spark_run):
    assert spark_run.outcome.success, spark_run.outcome.error
    assert spark_run.outcome.failed_checks == []
    lake = Path(spark_run.settings.lake_location)
    assert (lake / "aws_cur" / "line_items").is_dir()
    assert (spark_run.settings.spark_warehouse / "main.db" / "focus_cost_and_usage").is_dir()


def test_every_mart_and_the_focus_table_equal_duckdbs_row_for_row(demo_run, spark_run):
    duckdb_built = digests(demo_run.settings.warehouse)
    spark_built = digests(spark_run.settings.warehouse)

    # the warehouse file reads every table Spark built (marts, intermediate models: Spark stores those) and no
    # view of a build is left (staging, views on Spark, are not linked)
    assert set(spark_built) == {name for name in duckdb_built if not name.startswith("stg_")}
    assert set(spark_built) >= {*mart_names(), "focus_cost_and_usage"}
    assert differences({name: duckdb_built[name] for name in spark_built}, spark_built) == []


def test_the_chargeback_csv_is_byte_identical(demo_run, spark_run, tmp_path):
    with connect(demo_run.settings, read_only=True) as con:
        on_duckdb = export_chargeback(con, DEMO_MONTH, tmp_path / "duckdb.csv")
    with connect(spark_run.settings, read_only=True) as con:
        on_spark = export_chargeback(con, DEMO_MONTH, tmp_path / "spark.csv")

    assert on_spark.rows == on_duckdb.rows > 0
    assert on_spark.path.read_bytes() == on_duckdb.path.read_bytes()


def test_focus_validator_passes_on_the_focus_table_spark_built(spark_run):
    with connect(spark_run.settings, read_only=True) as con:
        result = validate_focus(con)
        rows = con.execute("SELECT count(*) FROM focus_cost_and_usage").fetchone()[0]

    assert result.rows == rows > 0
    assert result.unexpected_failures == {}
    assert set(result.failures) <= KNOWN_DEFECTS
    assert result.passed >= 130


# Last in the module: it moves spark_run's warehouse on by a night (Spark's metastore holds absolute paths, so
# its tables cannot be copied aside first).
def test_the_next_nights_incremental_run_on_spark_equals_duckdbs(demo_run, spark_run, tmp_path, monkeypatch):
    # October holds most of the demo's rows, so a restated October would be rebuilt in full (cheaper than
    # deleting and re-inserting it): the incremental rebuild of a period is what is tested here.
    monkeypatch.setattr(dbt_assets, "REBUILD_ALL_SHARE", 1.01)
    on_duckdb = replace(
        demo_run.settings,
        landing=str(copy_landing(demo_run.landing, tmp_path / "landing")),
        warehouse=tmp_path / "warehouse" / "aicost.duckdb",
        exports_dir=tmp_path / "exports",
    )
    shutil.copytree(demo_run.settings.warehouse.parent, on_duckdb.warehouse.parent)
    for settings in (on_duckdb, spark_run.settings):
        _next_night(Path(settings.landing))

    duckdb_night, spark_night = _run(on_duckdb), _run(spark_run.settings)

    for night in (duckdb_night, spark_night):
        assert night.success and night.failed_checks == [], night.error
        log = night.log_path.read_text(encoding="utf-8")
        # logged only when the build is incremental (a full refresh rebuilds no period in particular)
        assert "dbt: rebuilding billing period(s) 2026-10, 2026-11" in log
        assert "rebuilding all" not in log
    # Spark rewrote the restated month's rows out of its Parquet tables (macros/delete_rows.sql)
    assert "deleted " in spark_night.log_path.read_text(encoding="utf-8")
    duckdb_built, spark_built = digests(on_duckdb.warehouse), digests(spark_run.settings.warehouse)
    assert differences({name: duckdb_built[name] for name in spark_built}, spark_built) == []
    with connect(on_duckdb, read_only=True) as con:
        duckdb_csv = export_chargeback(con, DEMO_MONTH, tmp_path / "duckdb.csv").path.read_bytes()
    with connect(spark_run.settings, read_only=True) as con:
        spark_csv = export_chargeback(con, DEMO_MONTH, tmp_path / "spark.csv").path.read_bytes()
    assert spark_csv == duckdb_csv
