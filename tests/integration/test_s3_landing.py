"""S3 landing locations against a real S3 API: moto in server mode on loopback, started by the test.

The production code path (boto3, standard credential chain) is unchanged; only the endpoint differs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from orchestration.cli import main
from pipelines.config import Settings
from pipelines.demo.generate import DemoOptions, generate
from pipelines.landing import landing_for
from pipelines.landing.s3 import safe_relative_key
from pipelines.load.loader import load_source
from pipelines.reconcile import conservation_report
from pipelines.sources.registry import SOURCES
from pipelines.warehouse import connect
from tests.conftest import FIXTURES, free_port, place_cur_delivery

BUCKET = "billing-exports"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch):
    # moto accepts any credentials; they reach boto3 through its standard chain (the environment).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _upload_tree(client, local: Path, prefix: str) -> int:
    count = 0
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        client.upload_file(str(path), BUCKET, f"{prefix}/{path.relative_to(local).as_posix()}")
        count += 1
    return count


def _settings(tmp_path: Path, endpoint: str, prefix: str = "exports") -> Settings:
    return Settings(
        landing=f"s3://{BUCKET}/{prefix}",
        warehouse=tmp_path / "warehouse" / "aicost.duckdb",
        exports_dir=tmp_path / "exports",
        s3_endpoint_url=endpoint,
    )


def test_safe_relative_key_refuses_paths_that_escape():
    assert str(safe_relative_key("aws_cur/x/data/a.parquet")) == "aws_cur/x/data/a.parquet"
    for bad in ("../etc/passwd", "aws_cur/../../x", "/abs/key", "aws_cur//x", "aws_cur/./x", "a\\..\\b", ""):
        assert safe_relative_key(bad) is None


def test_cur_delivery_loads_from_s3_and_only_changed_objects_are_downloaded_again(s3, s3_endpoint, tmp_path):
    local = tmp_path / "local"
    place_cur_delivery(local, "2026-10", {"cur-00001.csv.gz": FIXTURES / "aws_cur/valid/cur_2026_10.csv.gz"}, "exec-1")
    assert _upload_tree(s3, local, "exports") == 2
    # A hostile key must never be written outside the download area.
    s3.put_object(Bucket=BUCKET, Key="exports/aws_cur/../../../escaped.csv", Body=b"x")
    settings = _settings(tmp_path, s3_endpoint)

    with connect(settings) as con:
        first = load_source(con, SOURCES["aws_cur"], landing_for(settings))
        downloaded = {p: p.stat().st_mtime_ns for p in settings.downloads.rglob("*") if p.is_file()}
        second = load_source(con, SOURCES["aws_cur"], landing_for(settings))
        again = {p: p.stat().st_mtime_ns for p in settings.downloads.rglob("*") if p.is_file()}
        billed = con.execute("SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items").fetchone()[0]
        keys = [r[0] for r in con.execute("SELECT DISTINCT path FROM raw._loads ORDER BY 1").fetchall()]

    # the hostile key is reported (quarantined, once), never downloaded
    assert first.files_loaded == 1 and first.rows_loaded == 5
    assert first.quarantined == ["aws_cur/../../../escaped.csv: an unsafe object key: never read"]
    assert second.files_loaded == 0 and second.files_unchanged == 1 and second.quarantined == []
    assert downloaded == again  # nothing fetched twice
    assert billed > 0
    assert keys == ["aws_cur/../../../escaped.csv", "aws_cur/test-export/data/BILLING_PERIOD=2026-10/cur-00001.csv.gz"]
    assert not list(tmp_path.rglob("escaped.csv"))


def test_a_restated_object_is_downloaded_again_and_replaces_the_period(s3, s3_endpoint, tmp_path):
    local = tmp_path / "local"
    place_cur_delivery(local, "2026-10", {"cur-00001.csv.gz": FIXTURES / "aws_cur/valid/cur_2026_10.csv.gz"}, "exec-1")
    _upload_tree(s3, local, "exports")
    settings = _settings(tmp_path, s3_endpoint)
    with connect(settings) as con:
        load_source(con, SOURCES["aws_cur"], landing_for(settings))

    restated = tmp_path / "restated"
    place_cur_delivery(restated, "2026-10", {"cur-00001.csv": FIXTURES / "aws_cur/valid/cur_2026_10.csv"}, "exec-2")
    s3.delete_object(Bucket=BUCKET, Key="exports/aws_cur/test-export/data/BILLING_PERIOD=2026-10/cur-00001.csv.gz")
    _upload_tree(s3, restated, "exports")
    with connect(settings) as con:
        result = load_source(con, SOURCES["aws_cur"], landing_for(settings))
        rows = con.execute("SELECT count(*), count(DISTINCT _load_id) FROM raw_aws_cur.line_items").fetchone()

    assert result.files_loaded == 1 and result.files_replaced == 1
    assert rows == (5, 1)


def test_aicost_run_reads_a_whole_demo_landing_from_s3_and_conserves_cost(s3, s3_endpoint, tmp_path, monkeypatch):
    local = tmp_path / "local"
    generate(DemoOptions(landing=local, scale=0.05, seed=3, month="2026-10"))
    _upload_tree(s3, local, "landing")
    settings = _settings(tmp_path, s3_endpoint, prefix="landing")
    monkeypatch.setenv("AICOST_S3_ENDPOINT_URL", s3_endpoint)

    code = main(["run", "--landing", settings.landing, "--warehouse", str(settings.warehouse)])

    assert code == 0
    with connect(settings, read_only=True) as con:
        report = conservation_report(con, settings)
        loaded = con.execute("SELECT count(*) FROM raw._loads WHERE status = 'loaded'").fetchone()[0]
    assert loaded > 10
    assert report and all(row.difference == 0 and row.source_billed_cost != 0 for row in report)
