"""The Parquet lake (pipelines/lake.py): a small warehouse built by hand, mirrored into a local folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.lake import STATE_KEY, lake_folder, raw_tables, sync_lake

SPEND_LOGS = "litellm/spend_logs"
SPEND_COLUMNS = [
    ("request_id", "VARCHAR"),
    ("spend", "DECIMAL(38,12)"),
    ("metadata", "VARCHAR"),  # JSON is written as text
    ("startTime", "TIMESTAMP WITH TIME ZONE"),
    ("_load_id", "VARCHAR"),  # from the folder name
]


def build_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse like the loader leaves it: the manifest, one table kept by load, one without loads."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        """
        CREATE SCHEMA raw;
        CREATE SCHEMA raw_litellm;
        CREATE SCHEMA raw_prices;
        CREATE TABLE raw._loads (load_id VARCHAR, source VARCHAR, status VARCHAR);
        INSERT INTO raw._loads VALUES ('load-a', 'litellm', 'loaded'), ('load-b', 'litellm', 'loaded');
        CREATE TABLE raw_litellm.spend_logs (
            request_id VARCHAR, spend DECIMAL(38, 12), metadata JSON, "startTime" TIMESTAMPTZ, _load_id VARCHAR
        );
        INSERT INTO raw_litellm.spend_logs VALUES
            ('r1', 0.000000000001, '{"team": "search", "tags": [1, 2]}', '2026-10-01 08:00:00+00', 'load-a'),
            ('r2', 12345678901234567890.123456789012, '{"team": "ads"}', '2026-10-01 09:30:00+00', 'load-a'),
            ('r3', 1.5, NULL, '2026-10-02 10:00:00+00', 'load-b'),
            ('r4', 0.333333333333, '{}', NULL, 'load-b');
        CREATE TABLE raw_prices.genai_prices (model VARCHAR, input_price DECIMAL(38, 12));
        INSERT INTO raw_prices.genai_prices VALUES ('gpt-x', 0.000002500000), ('claude-y', 0.000003000000);
        """
    )
    return con


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = build_warehouse(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def read_lake(con: duckdb.DuckDBPyConnection, lake: Path, folder: str = SPEND_LOGS) -> list[tuple]:
    return con.execute(
        f"SELECT * FROM read_parquet('{lake}/{folder}/*/*.parquet', hive_partitioning = true) ORDER BY request_id"
    ).fetchall()


def lake_types(con: duckdb.DuckDBPyConnection, lake: Path, folder: str = SPEND_LOGS) -> list[tuple[str, str]]:
    rows = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{lake}/{folder}/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    return [
        row[0]
        for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}', hive_partitioning = false)").fetchall()
    ]


def partitions(lake: Path, folder: str = SPEND_LOGS) -> list[str]:
    """The partition folders of a table, hidden ones (renames under way) included."""
    return sorted(p.name for p in (lake / folder).iterdir())


def snapshot(lake: Path) -> dict[str, tuple[int, int]]:
    """Every Parquet file of the lake with its inode and mtime (a rewrite changes at least one of them)."""
    return {
        p.relative_to(lake).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(lake.rglob("*.parquet"))
    }


def state(lake: Path) -> dict:
    return json.loads((lake / STATE_KEY).read_text())


def warehouse_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        'SELECT request_id, spend, CAST(metadata AS VARCHAR), "startTime", _load_id '
        "FROM raw_litellm.spend_logs ORDER BY request_id"
    ).fetchall()


def total(con: duckdb.DuckDBPyConnection, relation: str) -> tuple:
    return con.execute(f"SELECT count(*), sum(spend) FROM {relation}").fetchone()


def lake_relation(lake: Path, folder: str = SPEND_LOGS) -> str:
    return f"read_parquet('{lake}/{folder}/*/*.parquet', hive_partitioning = true)"


def test_raw_tables_and_lake_folders(con):
    assert raw_tables(con) == [("raw_litellm", "spend_logs", True), ("raw_prices", "genai_prices", False)]
    assert lake_folder("raw_litellm", "spend_logs") == "litellm/spend_logs"
    assert lake_folder("raw", "_loads") == "raw/_loads"
    assert lake_folder("raw_prices", "genai_prices") == "prices/genai_prices"


def test_first_sync_writes_one_folder_per_load_the_schema_partition_and_whole_tables(con, lake):
    result = sync_lake(con, str(lake))

    assert result.written == [f"{SPEND_LOGS}/load-a", f"{SPEND_LOGS}/load-b", "raw/_loads", "prices/genai_prices"]
    assert result.deleted == []
    assert result.tables == 3
    assert sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file()) == [
        "_aicost/lake_state.json",
        "litellm/spend_logs/_load_id=_schema/part-0.parquet",
        "litellm/spend_logs/_load_id=load-a/part-0.parquet",
        "litellm/spend_logs/_load_id=load-b/part-0.parquet",
        "prices/genai_prices/part-0.parquet",
        "raw/_loads/part-0.parquet",
    ]
    # no scratch folder or retired folder is left behind
    assert sorted(p.name for p in lake.iterdir()) == ["_aicost", "litellm", "prices", "raw"]

    # the rows exactly: money as DECIMAL(38, 12), JSON as its text, _load_id from the folder name
    assert lake_types(con, lake) == SPEND_COLUMNS
    rows = read_lake(con, lake)
    assert rows == warehouse_rows(con)
    assert [row[1] for row in rows] == [
        Decimal("0.000000000001"),
        Decimal("12345678901234567890.123456789012"),
        Decimal("1.5"),
        Decimal("0.333333333333"),
    ]
    assert json.loads(rows[0][2]) == {"team": "search", "tags": [1, 2]}
    assert rows[2][2] is None and rows[3][3] is None
    assert [row[4] for row in rows] == ["load-a", "load-a", "load-b", "load-b"]
    assert total(con, lake_relation(lake)) == total(con, "raw_litellm.spend_logs")

    # the files themselves hold no _load_id column: the folder is the only place it lives
    for path in (lake / SPEND_LOGS).glob("*/part-0.parquet"):
        assert file_columns(con, path) == ["request_id", "spend", "metadata", "startTime"]

    # whole tables: one file each, every column
    loads = con.execute(f"SELECT * FROM read_parquet('{lake}/raw/_loads/part-0.parquet') ORDER BY 1").fetchall()
    assert loads == [("load-a", "litellm", "loaded"), ("load-b", "litellm", "loaded")]
    prices = con.execute(f"SELECT * FROM read_parquet('{lake}/prices/genai_prices/part-0.parquet') ORDER BY 1")
    assert prices.fetchall() == [("claude-y", Decimal("0.000003")), ("gpt-x", Decimal("0.0000025"))]

    recorded = state(lake)
    assert sorted(recorded) == ["litellm/spend_logs", "prices/genai_prices", "raw/_loads"]
    assert sorted(recorded[SPEND_LOGS]["loads"]) == ["load-a", "load-b"]


def test_second_sync_with_nothing_changed_writes_nothing(con, lake):
    sync_lake(con, str(lake))
    before = snapshot(lake)
    recorded = state(lake)

    result = sync_lake(con, str(lake))

    assert result.written == []
    assert result.deleted == []
    assert result.tables == 3
    assert snapshot(lake) == before
    assert state(lake) == recorded


def test_a_load_that_disappears_has_its_folder_deleted(con, lake):
    sync_lake(con, str(lake))
    untouched = snapshot(lake)[f"{SPEND_LOGS}/_load_id=load-b/part-0.parquet"]

    con.execute("DELETE FROM raw_litellm.spend_logs WHERE _load_id = 'load-a'")
    con.execute("UPDATE raw._loads SET status = 'replaced' WHERE load_id = 'load-a'")
    result = sync_lake(con, str(lake))

    assert result.deleted == [f"{SPEND_LOGS}/load-a"]
    assert result.written == ["raw/_loads"]  # the manifest changed; no load was written
    assert partitions(lake) == ["_load_id=_schema", "_load_id=load-b"]
    assert snapshot(lake)[f"{SPEND_LOGS}/_load_id=load-b/part-0.parquet"] == untouched
    assert read_lake(con, lake) == warehouse_rows(con)
    assert total(con, lake_relation(lake)) == total(con, "raw_litellm.spend_logs") == (2, Decimal("1.833333333333"))
    assert sorted(state(lake)[SPEND_LOGS]["loads"]) == ["load-b"]

    # the last load gone: the schema partition keeps the table readable, with no rows
    con.execute("DELETE FROM raw_litellm.spend_logs")
    result = sync_lake(con, str(lake))
    assert result.deleted == [f"{SPEND_LOGS}/load-b"]
    assert partitions(lake) == ["_load_id=_schema"]
    assert read_lake(con, lake) == []
    assert lake_types(con, lake) == SPEND_COLUMNS


def test_a_changed_row_rewrites_only_its_load(con, lake):
    sync_lake(con, str(lake))
    before = snapshot(lake)

    con.execute("UPDATE raw_litellm.spend_logs SET spend = 2.000000000001 WHERE request_id = 'r3'")
    result = sync_lake(con, str(lake))

    assert result.written == [f"{SPEND_LOGS}/load-b"]
    assert result.deleted == []
    after = snapshot(lake)
    changed = sorted(key for key in after if after[key] != before.get(key))
    assert changed == [f"{SPEND_LOGS}/_load_id=load-b/part-0.parquet"]
    assert read_lake(con, lake) == warehouse_rows(con)
    assert read_lake(con, lake)[2][1] == Decimal("2.000000000001")
    assert total(con, lake_relation(lake)) == total(con, "raw_litellm.spend_logs")


def test_a_changed_json_value_or_a_new_row_rewrites_its_load(con, lake):
    sync_lake(con, str(lake))

    con.execute("""UPDATE raw_litellm.spend_logs SET metadata = '{"team": "other"}' WHERE request_id = 'r1'""")
    assert sync_lake(con, str(lake)).written == [f"{SPEND_LOGS}/load-a"]

    con.execute("INSERT INTO raw_litellm.spend_logs VALUES ('r5', 7, NULL, NULL, 'load-b')")
    assert sync_lake(con, str(lake)).written == [f"{SPEND_LOGS}/load-b"]

    con.execute("INSERT INTO raw_litellm.spend_logs VALUES ('r6', 1, NULL, NULL, 'load-c')")
    result = sync_lake(con, str(lake))
    assert result.written == [f"{SPEND_LOGS}/load-c"]
    assert partitions(lake) == ["_load_id=_schema", "_load_id=load-a", "_load_id=load-b", "_load_id=load-c"]
    assert read_lake(con, lake) == warehouse_rows(con)


def test_a_new_column_rewrites_every_folder(con, lake):
    sync_lake(con, str(lake))
    before = snapshot(lake)

    con.execute("ALTER TABLE raw_litellm.spend_logs ADD COLUMN user_id VARCHAR")
    con.execute("UPDATE raw_litellm.spend_logs SET user_id = 'u-' || request_id WHERE _load_id = 'load-b'")
    result = sync_lake(con, str(lake))

    assert result.deleted == [SPEND_LOGS]  # the whole table, written again
    assert result.written == [f"{SPEND_LOGS}/load-a", f"{SPEND_LOGS}/load-b"]
    after = snapshot(lake)
    spend_files = [key for key in after if key.startswith(SPEND_LOGS)]
    assert len(spend_files) == 3
    assert all(after[key] != before[key] for key in spend_files)
    for path in (lake / SPEND_LOGS).glob("*/part-0.parquet"):
        assert file_columns(con, path) == ["request_id", "spend", "metadata", "startTime", "user_id"]
    assert partitions(lake) == ["_load_id=_schema", "_load_id=load-a", "_load_id=load-b"]

    rows = con.execute(
        f"SELECT request_id, user_id, _load_id FROM {lake_relation(lake)} ORDER BY request_id"
    ).fetchall()
    assert rows == [("r1", None, "load-a"), ("r2", None, "load-a"), ("r3", "u-r3", "load-b"), ("r4", "u-r4", "load-b")]
    assert total(con, lake_relation(lake)) == total(con, "raw_litellm.spend_logs")

    # and the next sync is quiet again
    assert sync_lake(con, str(lake)).written == []


def test_a_table_without_rows_has_a_readable_zero_row_schema_partition(con, lake):
    con.execute(
        "CREATE TABLE raw_litellm.empty_logs (request_id VARCHAR, spend DECIMAL(38, 12), "
        'metadata JSON, "startTime" TIMESTAMPTZ, _load_id VARCHAR)'
    )
    result = sync_lake(con, str(lake))

    assert result.tables == 4
    assert not any(item.startswith("litellm/empty_logs") for item in result.written)
    assert partitions(lake, "litellm/empty_logs") == ["_load_id=_schema"]
    schema_file = lake / "litellm/empty_logs/_load_id=_schema/part-0.parquet"
    assert con.execute(f"SELECT count(*) FROM read_parquet('{schema_file}')").fetchone() == (0,)
    assert lake_types(con, lake, "litellm/empty_logs") == SPEND_COLUMNS
    assert read_lake(con, lake, "litellm/empty_logs") == []
    assert state(lake)["litellm/empty_logs"]["loads"] == {}

    # its first load arrives: one folder written, the schema partition left alone
    before = snapshot(lake)
    con.execute("INSERT INTO raw_litellm.empty_logs VALUES ('e1', 3.25, '[]', NULL, 'load-e')")
    assert sync_lake(con, str(lake)).written == ["litellm/empty_logs/load-e"]
    key = "litellm/empty_logs/_load_id=_schema/part-0.parquet"
    assert snapshot(lake)[key] == before[key]
    assert read_lake(con, lake, "litellm/empty_logs") == [("e1", Decimal("3.25"), "[]", None, "load-e")]


def test_whole_tables_are_rewritten_only_when_their_contents_change(con, lake):
    sync_lake(con, str(lake))
    before = snapshot(lake)

    con.execute("INSERT INTO raw_prices.genai_prices VALUES ('new-model', 0.000001)")
    result = sync_lake(con, str(lake))
    assert result.written == ["prices/genai_prices"]
    after = snapshot(lake)
    assert after["prices/genai_prices/part-0.parquet"] != before["prices/genai_prices/part-0.parquet"]
    assert after["raw/_loads/part-0.parquet"] == before["raw/_loads/part-0.parquet"]
    prices = f"read_parquet('{lake}/prices/genai_prices/part-0.parquet')"
    assert con.execute(f"SELECT count(*) FROM {prices}").fetchone() == (3,)

    con.execute("INSERT INTO raw._loads VALUES ('load-c', 'litellm', 'quarantined')")
    assert sync_lake(con, str(lake)).written == ["raw/_loads"]
    loads = f"read_parquet('{lake}/raw/_loads/part-0.parquet')"
    assert con.execute(f"SELECT count(*) FROM {loads} WHERE status = 'quarantined'").fetchone() == (1,)

    # a value changed in place (same row count) is seen too
    con.execute("UPDATE raw_prices.genai_prices SET input_price = 0.000004 WHERE model = 'gpt-x'")
    assert sync_lake(con, str(lake)).written == ["prices/genai_prices"]
    assert con.execute(f"SELECT input_price FROM {prices} WHERE model = 'gpt-x'").fetchone() == (Decimal("0.000004"),)

    # a new column of a whole table rewrites it
    con.execute("ALTER TABLE raw_prices.genai_prices ADD COLUMN currency VARCHAR")
    assert sync_lake(con, str(lake)).written == ["prices/genai_prices"]
    assert file_columns(con, lake / "prices/genai_prices/part-0.parquet") == ["model", "input_price", "currency"]

    quiet = snapshot(lake)
    assert sync_lake(con, str(lake)).written == []
    assert snapshot(lake) == quiet


def test_a_dropped_raw_table_leaves_nothing_behind_in_the_lake(con, lake):
    sync_lake(con, str(lake))
    con.execute("DROP TABLE raw_litellm.spend_logs")

    result = sync_lake(con, str(lake))

    assert result.deleted == [SPEND_LOGS]
    assert not (lake / SPEND_LOGS).exists()
    assert SPEND_LOGS not in state(lake)

    # re-created later (a rebuilt warehouse): only the new loads are in the lake, never the old ones
    con.execute(
        "CREATE TABLE raw_litellm.spend_logs (request_id VARCHAR, spend DECIMAL(38, 12), metadata JSON, "
        '"startTime" TIMESTAMPTZ, _load_id VARCHAR)'
    )
    con.execute("INSERT INTO raw_litellm.spend_logs VALUES ('n1', 1, NULL, NULL, 'load-n')")
    sync_lake(con, str(lake))
    assert partitions(lake) == ["_load_id=_schema", "_load_id=load-n"]
    assert read_lake(con, lake) == warehouse_rows(con)


def test_a_lake_path_with_a_trailing_slash_is_the_same_lake(con, lake):
    sync_lake(con, str(lake))
    assert sync_lake(con, f"{lake}/").written == []
