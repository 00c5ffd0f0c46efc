"""The same project on Apache Spark: the demo built by a local Spark session equals DuckDB's, row for row.

The demo landing of ``demo_run`` (built on DuckDB) is run again through the same nightly job with
``engine = spark``: loads into a DuckDB file as always, the raw tables mirrored to the Parquet lake, dbt built
by dbt-spark (``method: session``) from the lake, and Spark's tables linked into the warehouse file for the
checks, the exports and the analyst copy. Every mart and the FOCUS table must then hold exactly DuckDB's rows
(money compared as text of the same DECIMAL(38, 12): no tolerance), and the chargeback CSV the same bytes.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.run import run_pipeline
from pipelines.export import export_chargeback
from pipelines.publish import mart_names
from pipelines.validate_focus import KNOWN_DEFECTS, validate_focus
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, DemoRun, copy_landing
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
    # a run exports its settings to the process environment (for dbt): the engine must not outlive this module
    saved = dict(os.environ)
    try:
        outcome = run_pipeline(settings)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return DemoRun(landing=Path(settings.landing), settings=settings, outcome=outcome)


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
