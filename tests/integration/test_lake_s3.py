"""The Parquet lake on S3 (``s3://bucket/prefix``) against a real S3 API: moto in server mode on loopback.

The server and the bucket are those of ``test_s3_landing`` (its ``s3_endpoint`` and ``s3`` fixtures); the
lake is written through boto3 with credentials from its standard chain, only the endpoint differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pytest

from pipelines.lake import sync_lake
from tests.integration import test_s3_landing

BUCKET = test_s3_landing.BUCKET
# The S3 landing tests' fixtures, used here as they are: moto's server on loopback (one per module) and the
# bucket, created empty for each test with the credentials in the environment and emptied afterwards.
s3_endpoint = test_s3_landing.s3_endpoint
s3 = test_s3_landing.s3

PREFIX = "lake/raw"
SPEND_LOGS = "litellm/spend_logs"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute(
        """
        CREATE SCHEMA raw;
        CREATE SCHEMA raw_litellm;
        CREATE SCHEMA raw_prices;
        CREATE TABLE raw._loads (load_id VARCHAR, status VARCHAR);
        INSERT INTO raw._loads VALUES ('load-a', 'loaded'), ('load-b', 'loaded');
        CREATE TABLE raw_litellm.spend_logs (
            request_id VARCHAR, spend DECIMAL(38, 12), metadata JSON, "startTime" TIMESTAMPTZ, _load_id VARCHAR
        );
        INSERT INTO raw_litellm.spend_logs VALUES
            ('r1', 0.000000000001, '{"team": "search"}', '2026-10-01 08:00:00+00', 'load-a'),
            ('r2', 12345678901234567890.123456789012, NULL, NULL, 'load-a'),
            ('r3', 1.5, '{}', '2026-10-02 10:00:00+00', 'load-b');
        CREATE TABLE raw_prices.genai_prices (model VARCHAR, input_price DECIMAL(38, 12));
        INSERT INTO raw_prices.genai_prices VALUES ('gpt-x', 0.0000025);
        """
    )
    yield connection
    connection.close()


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The writes the lake's boto3 client sends (operation, key), seen through boto3's event hooks."""
    sent: list[tuple[str, str]] = []

    def record(model, params, **kwargs) -> None:
        sent.append((model.name, params.get("Key", "")))

    session = boto3.Session()
    for operation in ("PutObject", "CreateMultipartUpload", "CopyObject", "DeleteObject", "DeleteObjects"):
        session.events.register(f"before-parameter-build.s3.{operation}", record)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)  # the session boto3.client() uses
    return sent


def keys(client) -> dict[str, str]:
    """Every object under the lake's prefix, with its ETag (relative key -> ETag)."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{PREFIX}/"):
        for item in page.get("Contents", []):
            found[item["Key"].removeprefix(f"{PREFIX}/")] = item["ETag"]
    return found


def modified(client) -> dict[str, object]:
    """Every Parquet object under the prefix with its last-modified time (a new upload changes it)."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{PREFIX}/"):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".parquet"):
                found[item["Key"]] = item["LastModified"]
    return found


def read_back(con: duckdb.DuckDBPyConnection, client, tmp_path: Path) -> list[tuple]:
    """Downloads the table's objects and reads them as a Hive-partitioned dataset."""
    target = tmp_path / "download"
    for key in keys(client):
        if key.startswith(f"{SPEND_LOGS}/"):
            path = target / key
            path.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(BUCKET, f"{PREFIX}/{key}", str(path))
    return con.execute(
        f"SELECT request_id, spend, metadata, _load_id FROM read_parquet('{target}/{SPEND_LOGS}/*/*.parquet', "
        "hive_partitioning = true) ORDER BY request_id"
    ).fetchall()


def test_the_lake_is_written_to_s3_and_only_changes_are_uploaded_again(s3, s3_endpoint, requests, con, tmp_path):
    lake = f"s3://{BUCKET}/{PREFIX}"
    # something else in the bucket, beside the lake, is never touched
    s3.put_object(Bucket=BUCKET, Key="lake/other/keep.txt", Body=b"x")
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}-sibling/{SPEND_LOGS}/_load_id=load-a/part-0.parquet", Body=b"x")

    first = sync_lake(con, lake, s3_endpoint)
    state_key = f"{PREFIX}/_aicost/lake_state.json"

    assert first.written == [f"{SPEND_LOGS}/load-a", f"{SPEND_LOGS}/load-b", "raw/_loads", "prices/genai_prices"]
    assert first.deleted == []
    assert sorted(keys(s3)) == [
        "_aicost/lake_state.json",
        "litellm/spend_logs/_load_id=_schema/part-0.parquet",
        "litellm/spend_logs/_load_id=load-a/part-0.parquet",
        "litellm/spend_logs/_load_id=load-b/part-0.parquet",
        "prices/genai_prices/part-0.parquet",
        "raw/_loads/part-0.parquet",
    ]
    state = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/_aicost/lake_state.json")["Body"].read())
    assert sorted(state[SPEND_LOGS]["loads"]) == ["load-a", "load-b"]
    assert sorted(key for operation, key in requests if operation == "PutObject") == sorted(
        f"{PREFIX}/{key}" for key in keys(s3)
    )
    assert read_back(con, s3, tmp_path / "first") == [
        ("r1", Decimal("0.000000000001"), '{"team": "search"}', "load-a"),
        ("r2", Decimal("12345678901234567890.123456789012"), None, "load-a"),
        ("r3", Decimal("1.5"), "{}", "load-b"),
    ]

    # nothing changed: nothing uploaded (the state object aside, every object is the one written first)
    uploaded = modified(s3)
    etags = keys(s3)
    requests.clear()
    second = sync_lake(con, lake, s3_endpoint)
    assert requests == [("PutObject", state_key)]
    assert second.written == []
    assert second.deleted == []
    assert modified(s3) == uploaded
    assert keys(s3) == etags

    # a load removed from the warehouse: its objects are deleted, the others stay as they were
    con.execute("DELETE FROM raw_litellm.spend_logs WHERE _load_id = 'load-a'")
    requests.clear()
    third = sync_lake(con, lake, s3_endpoint)
    assert requests == [("DeleteObjects", ""), ("PutObject", state_key)]
    assert third.deleted == [f"{SPEND_LOGS}/load-a"]
    assert third.written == []
    assert sorted(keys(s3)) == [
        "_aicost/lake_state.json",
        "litellm/spend_logs/_load_id=_schema/part-0.parquet",
        "litellm/spend_logs/_load_id=load-b/part-0.parquet",
        "prices/genai_prices/part-0.parquet",
        "raw/_loads/part-0.parquet",
    ]
    load_b = f"{PREFIX}/{SPEND_LOGS}/_load_id=load-b/part-0.parquet"
    assert modified(s3)[load_b] == uploaded[load_b]
    assert read_back(con, s3, tmp_path / "third") == [("r3", Decimal("1.5"), "{}", "load-b")]

    # a changed row: only its load is uploaded again
    con.execute("UPDATE raw_litellm.spend_logs SET spend = 2.25 WHERE request_id = 'r3'")
    requests.clear()
    fourth = sync_lake(con, lake, s3_endpoint)
    assert requests == [
        ("DeleteObjects", ""),  # the load's old objects, before its new ones are uploaded
        ("PutObject", load_b),
        ("PutObject", state_key),
    ]
    assert fourth.written == [f"{SPEND_LOGS}/load-b"]
    assert read_back(con, s3, tmp_path / "fourth") == [("r3", Decimal("2.25"), "{}", "load-b")]

    # the objects beside the lake are untouched
    assert s3.get_object(Bucket=BUCKET, Key="lake/other/keep.txt")["Body"].read() == b"x"
    sibling = f"{PREFIX}-sibling/{SPEND_LOGS}/_load_id=load-a/part-0.parquet"
    assert s3.get_object(Bucket=BUCKET, Key=sibling)["Body"].read() == b"x"


def test_a_lake_at_the_bucket_root(s3, s3_endpoint, con):
    result = sync_lake(con, f"s3://{BUCKET}", s3_endpoint)

    assert result.written == [f"{SPEND_LOGS}/load-a", f"{SPEND_LOGS}/load-b", "raw/_loads", "prices/genai_prices"]
    listed = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert listed == [
        "_aicost/lake_state.json",
        "litellm/spend_logs/_load_id=_schema/part-0.parquet",
        "litellm/spend_logs/_load_id=load-a/part-0.parquet",
        "litellm/spend_logs/_load_id=load-b/part-0.parquet",
        "prices/genai_prices/part-0.parquet",
        "raw/_loads/part-0.parquet",
    ]
    assert sync_lake(con, f"s3://{BUCKET}/", s3_endpoint).written == []
