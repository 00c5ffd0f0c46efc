"""The analyst copy on a small hand-made warehouse (real DuckDB files, no dbt)."""

from __future__ import annotations

import hashlib
import struct
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings
from pipelines.publish import PublishError, analyst_copy_path, mart_names, publish_analyst_copy

# DuckDB's file header: checksum (8 bytes), b"DUCK", then the storage version number; 64 is the format of
# DuckDB 1.0 and 1.1, which every 1.x client reads.
V1_STORAGE_NUMBER = 64


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A warehouse with every mart as a small table (``fct_llm_requests`` a view), seeds, loads and extras."""
    warehouse = tmp_path / "wh" / "aicost.duckdb"
    warehouse.parent.mkdir()
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE main.int_requests (request_id VARCHAR, list_cost DECIMAL(38, 12))")
    con.execute("INSERT INTO main.int_requests VALUES ('r1', 0.000000000001), ('r2', 12345678901234.123456789012)")
    for name in mart_names():
        if name == "fct_llm_requests":
            con.execute("CREATE VIEW main.fct_llm_requests AS SELECT * FROM main.int_requests")
        else:
            con.execute(f"CREATE TABLE main.{name} (team VARCHAR, billed_cost DECIMAL(38, 12), is_ai BOOLEAN)")
            con.execute(f"INSERT INTO main.{name} VALUES ('search', 1.000000000001, true), ('ads', -0.5, false)")
    con.execute("CREATE SCHEMA reference")
    con.execute("CREATE TABLE reference.teams AS SELECT 'search' AS team, 'CC-1' AS cost_centre_id")
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw._loads AS SELECT 'l1' AS load_id, 'litellm' AS source")
    con.execute("CREATE TABLE raw.secret_rows AS SELECT 'not for analysts' AS body")
    con.execute("COMMENT ON COLUMN main.rpt_chargeback_monthly.billed_cost IS 'What the invoice charges'")
    con.close()
    return Settings(warehouse=warehouse)


def _tables(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT schema_name || '.' || table_name, 'table' FROM duckdb_tables()").fetchall()
        rows += con.execute(
            "SELECT schema_name || '.' || view_name, 'view' FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_copy_holds_marts_seeds_and_loads_only_as_tables(settings: Settings) -> None:
    result = publish_analyst_copy(settings)

    assert result.path == analyst_copy_path(settings) == settings.warehouse.parent / "published" / "aicost.duckdb"
    expected = {f"main.{name}" for name in mart_names()} | {"reference.teams", "raw._loads"}
    assert _tables(result.path) == dict.fromkeys(expected | {"main._publication"}, "table")
    assert result.tables == len(expected)
    assert result.rows == 2 * len(mart_names()) + 2
    assert result.seconds > 0
    con = duckdb.connect(str(result.path), read_only=True)
    published = dict(con.execute("SELECT relation, row_count FROM main._publication").fetchall())
    assert published == {name: 1 if name in ("reference.teams", "raw._loads") else 2 for name in expected}
    (source, storage), *_ = con.execute(
        "SELECT DISTINCT source_warehouse, storage_version FROM main._publication"
    ).fetchall()
    assert (source, storage) == (str(settings.warehouse.resolve()), "v1.0.0")


def test_money_keeps_its_decimal_type_and_exact_value(settings: Settings) -> None:
    path = publish_analyst_copy(settings).path

    con = duckdb.connect(str(path), read_only=True)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'fct_llm_requests'"
        ).fetchall()
    )
    assert types == {"request_id": "VARCHAR", "list_cost": "DECIMAL(38,12)"}
    assert con.execute("SELECT sum(list_cost) FROM fct_llm_requests").fetchone()[0] == Decimal(
        "12345678901234.123456789013"
    )
    assert con.execute("SELECT sum(billed_cost) FROM rpt_chargeback_monthly").fetchone()[0] == Decimal("0.500000000001")
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'rpt_chargeback_monthly' AND column_name = 'billed_cost'"
    ).fetchone()[0]
    assert comment == "What the invoice charges"


def test_copy_is_written_in_the_storage_format_duckdb_1_reads(settings: Settings) -> None:
    header = publish_analyst_copy(settings).path.read_bytes()[:20]

    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20])[0] == V1_STORAGE_NUMBER
    assert struct.unpack("<Q", settings.warehouse.read_bytes()[12:20])[0] != V1_STORAGE_NUMBER


def test_a_mart_that_cannot_be_read_leaves_the_previous_copy_intact(settings: Settings) -> None:
    previous = publish_analyst_copy(settings).path
    before = _digest(previous)
    con = duckdb.connect(str(settings.warehouse))
    # The last mart in publication order fails when read: every other table has been copied by then.
    last = mart_names()[-1]
    con.execute(f"DROP TABLE main.{last}")
    con.execute(f"CREATE VIEW main.{last} AS SELECT error('unreadable mart') AS x")
    con.close()

    with pytest.raises(PublishError, match=r"unreadable mart.*it is unchanged"):
        publish_analyst_copy(settings)

    assert _digest(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["aicost.duckdb"]


def test_a_missing_mart_is_refused_before_anything_is_written(settings: Settings) -> None:
    previous = publish_analyst_copy(settings).path
    before = _digest(previous)
    con = duckdb.connect(str(settings.warehouse))
    con.execute("DROP TABLE main.rpt_chargeback_monthly")
    con.close()

    with pytest.raises(PublishError, match=r"lacks mart.*rpt_chargeback_monthly"):
        publish_analyst_copy(settings)

    assert _digest(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["aicost.duckdb"]


def test_a_folder_that_cannot_be_written_is_a_publish_error(settings: Settings) -> None:
    # A file where the published folder should be: nothing can be created there, whoever runs the test.
    (settings.warehouse.parent / "published").write_text("not a folder")

    with pytest.raises(PublishError, match="cannot write the analyst copy"):
        publish_analyst_copy(settings)


def test_leftovers_of_a_dead_publication_and_a_stale_wal_are_removed(settings: Settings) -> None:
    folder = analyst_copy_path(settings).parent
    folder.mkdir()
    # pid 2**22 + 1 is above Linux's pid_max limit: no process has it.
    abandoned = folder / f".aicost.duckdb.{2**22 + 1}.tmp"
    abandoned.write_bytes(b"half a copy")
    (folder / f"{abandoned.name}.wal").write_bytes(b"its log")
    (folder / "aicost.duckdb.wal").write_bytes(b"a log of the previous copy")

    publish_analyst_copy(settings)

    assert sorted(p.name for p in folder.iterdir()) == ["aicost.duckdb"]
    con = duckdb.connect(str(folder / "aicost.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM main.rpt_chargeback_monthly").fetchone()[0] == 2
