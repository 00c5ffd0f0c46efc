"""The engine setting, and the warehouse file reading the tables Spark built (pipelines.engine)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings
from pipelines.engine import SparkRelation, link_spark_relations, spark_relations


def test_engine_comes_from_file_environment_or_flag_and_must_be_known(tmp_path, monkeypatch):
    config = tmp_path / "aicost.toml"
    config.write_text('[aicost]\nengine = "spark"\n')
    monkeypatch.delenv("AICOST_ENGINE", raising=False)
    assert Settings.load(config_file=config).engine == "spark"
    monkeypatch.setenv("AICOST_ENGINE", "duckdb")
    assert Settings.load(config_file=config).engine == "duckdb"
    assert Settings.load(config_file=config, engine="spark").engine == "spark"
    with pytest.raises(ValueError, match="engine must be one of duckdb, spark"):
        Settings.load(config_file=config, engine="snowflake")


def test_lake_and_spark_warehouse_default_beside_the_warehouse_and_reach_dbt(tmp_path):
    settings = Settings(warehouse=tmp_path / "wh" / "aicost.duckdb", engine="spark")
    env = settings.dbt_env()

    assert env["AICOST_ENGINE"] == "spark"
    assert env["AICOST_LAKE"] == str(tmp_path / "wh" / "lake")
    assert env["AICOST_SPARK_WAREHOUSE_DIR"] == str(tmp_path / "wh" / "spark")
    assert Settings(lake="s3://bucket/lake/").lake_location == "s3://bucket/lake"


def test_spark_logs_through_the_project_configuration_unless_the_environment_names_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SPARK_CONF_DIR", raising=False)
    conf = Path(Settings(engine="spark").dbt_env()["SPARK_CONF_DIR"])
    assert "logger.session.level = error" in (conf / "log4j2.properties").read_text(encoding="utf-8")
    assert "SPARK_CONF_DIR" not in Settings(engine="duckdb").dbt_env()

    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert Settings(engine="spark").dbt_env()["SPARK_CONF_DIR"] == str(tmp_path)


def test_spark_relations_says_which_models_are_stored():
    manifest = {
        "nodes": {
            "model.aicost.rpt_a": {
                "resource_type": "model",
                "name": "rpt_a",
                "alias": "rpt_a",
                "schema": "main",
                "config": {"materialized": "table"},
            },
            "model.aicost.stg_b": {
                "resource_type": "model",
                "name": "stg_b",
                "alias": "stg_b",
                "schema": "main",
                "config": {"materialized": "view"},
            },
            "seed.aicost.c": {
                "resource_type": "seed",
                "name": "c",
                "alias": "c",
                "schema": "reference",
                "config": {"materialized": "seed"},
            },
            "test.aicost.t": {
                "resource_type": "test",
                "name": "t",
                "schema": "main",
                "config": {"materialized": "test"},
            },
        }
    }

    assert spark_relations(manifest) == [
        SparkRelation("main", "rpt_a", True),
        SparkRelation("main", "stg_b", False),
        SparkRelation("reference", "c", True),
    ]


def _spark_table(spark_warehouse: Path, schema: str, name: str, sql: str) -> None:
    folder = spark_warehouse / f"{schema}.db" / name
    folder.mkdir(parents=True)
    duckdb.sql(f"COPY ({sql}) TO '{folder / 'part-00000.snappy.parquet'}' (FORMAT parquet)")
    (folder / "_SUCCESS").touch()


def test_linking_replaces_the_warehouses_relations_by_views_of_sparks_tables(tmp_path):
    spark = tmp_path / "spark"
    _spark_table(spark, "main", "rpt_a", "SELECT 1.250000000000::DECIMAL(38, 12) AS cost")
    _spark_table(spark, "reference", "c", "SELECT 'x' AS code")
    relations = [
        SparkRelation("main", "rpt_a", True),
        SparkRelation("main", "stg_b", False),
        SparkRelation("reference", "c", True),
    ]
    with duckdb.connect(str(tmp_path / "aicost.duckdb")) as con:
        # what an earlier DuckDB build left: a stale table and a view
        con.execute("CREATE TABLE main.rpt_a AS SELECT 9 AS cost")
        con.execute("CREATE VIEW main.stg_b AS SELECT 1 AS x")

        assert link_spark_relations(con, relations, spark) == 2

        assert con.execute("SELECT cost, typeof(cost) FROM main.rpt_a").fetchall() == [
            (Decimal("1.25"), "DECIMAL(38,12)")
        ]
        assert con.execute("SELECT code FROM reference.c").fetchall() == [("x",)]
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'stg_b'").fetchone() == (0,)


def test_linking_refuses_and_changes_nothing_when_a_table_has_no_files(tmp_path):
    spark = tmp_path / "spark"
    _spark_table(spark, "main", "rpt_a", "SELECT 1 AS cost")
    relations = [SparkRelation("main", "rpt_a", True), SparkRelation("main", "rpt_missing", True)]
    with duckdb.connect(str(tmp_path / "aicost.duckdb")) as con:
        con.execute("CREATE TABLE main.rpt_a AS SELECT 9 AS cost")

        with pytest.raises(FileNotFoundError, match=r"main\.rpt_missing"):
            link_spark_relations(con, relations, spark)

        assert con.execute("SELECT cost FROM main.rpt_a").fetchall() == [(9,)]
