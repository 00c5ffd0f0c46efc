"""The engine that builds the warehouse, and how the rest of the pipeline reads what Spark built.

With ``engine = duckdb`` (the default) dbt builds into the warehouse file and nothing here runs. With
``engine = spark`` the loader still lands every source in the DuckDB file (its manifest, lineage and
replace-by-period rules are the same), ``pipelines.lake`` mirrors the raw tables to the Parquet lake, and dbt
builds on Spark from the lake. Spark's tables are Parquet folders in its warehouse
(``<spark_warehouse>/<schema>.db/<table>``); after a successful build each of them becomes a DuckDB view of the
same name in the warehouse file, so exports, closes, the report, the summary, the asset checks and the analyst
copy read the numbers Spark computed, with the same SQL on either engine. Models Spark keeps as views (staging)
have no files: their DuckDB counterparts are dropped, so nothing stale from an earlier DuckDB build can be read
by mistake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.config import Settings

# Materialisations Spark stores as Parquet folders.
_STORED = ("table", "incremental", "seed")


@dataclass(frozen=True)
class SparkRelation:
    """A relation of the dbt project as Spark built it.

    Attributes:
        schema: Schema (Spark database) of the relation: ``main`` or ``reference``.
        name: Table or view name.
        stored: Whether Spark stored it as a table (Parquet files) rather than a view.
    """

    schema: str
    name: str
    stored: bool


def spark_relations(manifest: dict[str, Any]) -> list[SparkRelation]:
    """The models and seeds of a dbt manifest, with where Spark keeps them.

    Args:
        manifest: dbt's ``manifest.json``.

    Returns:
        One relation per model or seed, sorted by schema and name.
    """
    relations = [
        SparkRelation(node["schema"], node.get("alias") or node["name"], node["config"]["materialized"] in _STORED)
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    ]
    return sorted(relations, key=lambda r: (r.schema, r.name))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relation_kind(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchall()
    return row[0][0] if row else None


def link_spark_relations(con: duckdb.DuckDBPyConnection, relations: list[SparkRelation], spark_warehouse: Path) -> int:
    """Points the warehouse's dbt relations at the tables Spark built (one transaction).

    Args:
        con: Writable connection to the warehouse file.
        relations: The project's relations (``spark_relations``).
        spark_warehouse: Spark's warehouse folder.

    Returns:
        How many views now read Spark's tables.

    Raises:
        FileNotFoundError: When a table Spark should have built has no Parquet files (the build did not
            finish); nothing is changed then.
    """
    missing = [
        f"{r.schema}.{r.name}"
        for r in relations
        if r.stored and not any((spark_warehouse / f"{r.schema}.db" / r.name).glob("*.parquet"))
    ]
    if missing:
        raise FileNotFoundError(
            f"Spark's warehouse {spark_warehouse} has no files for {len(missing)} table(s) ({', '.join(missing[:5])}"
            f"{', ...' if len(missing) > 5 else ''}): build with `aicost run --engine spark` first"
        )
    linked = 0
    con.execute("BEGIN")
    try:
        for relation in relations:
            qualified = f"{_ident(relation.schema)}.{_ident(relation.name)}"
            kind = _relation_kind(con, relation.schema, relation.name)
            if kind == "BASE TABLE":
                con.execute(f"DROP TABLE {qualified}")
            elif kind == "VIEW":
                con.execute(f"DROP VIEW {qualified}")
            if not relation.stored:
                continue
            files = (spark_warehouse / f"{relation.schema}.db" / relation.name / "*.parquet").as_posix()
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(relation.schema)}")
            con.execute(
                f"CREATE VIEW {qualified} AS SELECT * FROM read_parquet('{files.replace(chr(39), chr(39) * 2)}')"
            )
            linked += 1
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return linked


def ensure_spark_links(settings: Settings) -> int:
    """Makes sure the warehouse file reads Spark's tables, linking them when it does not (yet).

    ``aicost run`` links them after every Spark build; this covers a warehouse whose Spark tables were built
    another way (``aicost dbt`` or a cluster job writing to the same Spark warehouse) before a command reads.

    Args:
        settings: Run settings (engine ``spark``; warehouse and Spark warehouse paths).

    Returns:
        How many views were (re)created; 0 when the links were already in place.

    Raises:
        FileNotFoundError: When no Spark build has been recorded (no dbt manifest) or its tables are missing.
    """
    from pipelines.warehouse import connect

    manifest_path = settings.dbt_target / "manifest.json"
    with connect(settings, read_only=True) as con:
        sql = con.execute(
            "SELECT sql FROM duckdb_views() WHERE schema_name = 'main' AND view_name = 'focus_cost_and_usage'"
        ).fetchall()
    if sql and str(settings.spark_warehouse) in sql[0][0]:
        return 0
    if not manifest_path.is_file():
        raise FileNotFoundError(f"no dbt build of {settings.warehouse} found: run `aicost run --engine spark` first")
    relations = spark_relations(json.loads(manifest_path.read_text(encoding="utf-8")))
    with connect(settings) as con:
        return link_spark_relations(con, relations, settings.spark_warehouse)
