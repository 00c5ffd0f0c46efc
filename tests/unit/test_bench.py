"""`make bench`'s helpers: the deliveries it adds to a demo month, the converter's flattened input, the meter."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.bench.cli import cur_scale
from pipelines.bench.focusconv import CONVERTER_COLUMNS, flatten_cur
from pipelines.bench.measure import run_measured
from pipelines.demo.deliveries import restate_cur_month, write_cur_only, write_next_day
from pipelines.landing import open_landing
from pipelines.sources.registry import SOURCES
from tests.conftest import load


@pytest.fixture(scope="module")
def cur_landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("cur") / "landing"
    lines = write_cur_only(landing, 5_000, scale=0.2, seed=7)
    return landing, lines


def _cur_files(landing):
    (manifest,) = landing.glob("aws_cur/*/metadata/BILLING_PERIOD=2026-10/*-Manifest.json")
    doc = json.loads(manifest.read_text())
    data_dir = manifest.parent.parent.parent / "data" / "BILLING_PERIOD=2026-10"
    return doc, [data_dir / uri.rsplit("/", 1)[1] for uri in doc["dataFiles"]]


def test_next_day_files_load_once_each_beside_the_month(con, landing):
    rows = write_next_day(landing, scale=0.2, seed=7)

    assert sorted(p.name for p in landing.rglob("*") if p.is_file()) == [
        "outcomes_2026-11-01.parquet",
        "spend_logs_2026-11-01.parquet",
        "traces-2026-11-01.jsonl",
    ]
    assert rows["litellm"] > 100 and rows["otel_genai"] > 0 and rows["outcomes"] > 0
    for slug in ("litellm", "outcomes"):
        result = load(con, slug, landing)
        assert result.quarantined == [] and result.rows_loaded == rows[slug]
    otel = load(con, "otel_genai", landing)
    assert otel.quarantined == [] and otel.rows_loaded > 0
    first, last, distinct, total = con.execute(
        'SELECT min("startTime")::DATE, max("startTime")::DATE, count(DISTINCT request_id), count(*) '
        "FROM raw_litellm.spend_logs"
    ).fetchone()
    assert str(first) == str(last) == "2026-11-01"
    assert distinct == total == rows["litellm"]


def test_next_day_requests_never_reuse_the_months_ids(tmp_path):
    month, day = tmp_path / "month", tmp_path / "day"
    from pipelines.demo.generate import DemoOptions, generate

    generate(DemoOptions(landing=month, scale=0.01, seed=7))
    write_next_day(day, scale=0.01, seed=7)

    def ids(landing, column):
        files = sorted(landing.glob("litellm/**/*.parquet"))
        return {v for f in files for v in pq.read_table(f, columns=[column]).column(0).to_pylist()}

    assert not ids(month, "request_id") & ids(day, "request_id")
    assert not ids(month, "session_id") & ids(day, "session_id")

    # AWS's request ids of Bedrock calls (in the spans): the same id would make two calls one
    def aws_request_ids(landing):
        uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        return {m for f in landing.glob("otel_genai/**/*.jsonl") for m in uuid.findall(f.read_text())}

    assert aws_request_ids(day)
    assert not aws_request_ids(month) & aws_request_ids(day)


def test_restated_delivery_has_a_new_execution_id_and_replaces_the_files(tmp_path, cur_landing):
    import shutil

    landing = tmp_path / "landing"
    shutil.copytree(cur_landing[0], landing)
    before, old_files = _cur_files(landing)
    old = pq.read_table(old_files[0])

    (restated,) = restate_cur_month(landing, "2026-10")

    after, new_files = _cur_files(landing)
    assert after["executionId"] == restated.execution_id != before["executionId"] == restated.previous_execution_id
    assert not any(f.exists() for f in old_files) and all(f.exists() for f in new_files)
    new = pq.read_table(new_files[0])
    assert new.num_rows == old.num_rows == restated.lines
    column = "line_item_unblended_cost"
    costs = zip(old.column(column).to_pylist(), new.column(column).to_pylist(), strict=True)
    assert sum(a != b for a, b in costs) == restated.changed > 0
    plan = SOURCES["aws_cur"].reader.plan(open_landing(str(landing)))
    assert [(p.file.name, p.delivery) for p in plan.files] == [(new_files[0].name, restated.execution_id)]


def test_cur_only_landing_is_cut_to_the_lines_asked_for(cur_landing):
    landing, lines = cur_landing
    _, files = _cur_files(landing)
    assert lines == 5_000 == sum(pq.read_metadata(f).num_rows for f in files)
    assert [p.name for p in landing.iterdir()] == ["aws_cur"]


def test_flattened_cur_keeps_every_line_and_cost_exactly(tmp_path, cur_landing):
    _, files = _cur_files(cur_landing[0])
    source = pq.read_table(files)

    lines = flatten_cur(files, tmp_path / "flat.parquet")

    flat = pq.read_table(tmp_path / "flat.parquet")
    assert lines == flat.num_rows == source.num_rows
    for column in ("line_item_unblended_cost", "line_item_net_unblended_cost", "identity_line_item_id"):
        assert flat.column(column).to_pylist() == source.column(column).to_pylist()
    names = set(flat.column_names)
    assert not {"product", "resource_tags", "cost_category"} & names
    assert {"product_region", "resource_tags_user_team", "cost_category_business_unit"} <= names
    assert {name for name, _ in CONVERTER_COLUMNS} <= names
    region = flat.column("product_region").to_pylist()
    assert region == [dict(m).get("region") for m in source.column("product").to_pylist()]


def test_cur_scale_reaches_the_issues_sizes():
    # measured: scale 1 writes 35,304 CUR lines and scale 10 205,322; the scale chosen must not fall short
    assert cur_scale(35_304) >= 1.0
    assert 10.0 <= cur_scale(206_000) <= 11
    assert 30.0 <= cur_scale(584_000) <= 32


def test_meter_reports_exit_code_and_the_peak_of_the_process_tree(tmp_path):
    # the child allocates 300 MB and starts a grandchild holding 200 MB at the same time
    code = (
        "import subprocess, sys, time; a = bytearray(300 * 2**20); "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; b = bytearray(200 * 2**20); time.sleep(1.5)']); "
        "p.wait(); sys.exit(3)"
    )
    measured = run_measured([sys.executable, "-c", code], cwd=tmp_path, log=tmp_path / "m.log")

    assert measured.exit_code == 3 and not measured.timed_out
    assert measured.peak_mb > 500


def test_meter_kills_a_hanging_process_group_at_the_timeout(tmp_path):
    # like focus-converter on an error: the main process and a helper it started both wait for ever
    code = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"open({str(tmp_path / 'pid')!r}, 'w').write(str(p.pid)); time.sleep(60)"
    )
    measured = run_measured([sys.executable, "-c", code], cwd=tmp_path, log=tmp_path / "m.log", timeout=2)

    assert measured.timed_out and measured.seconds < 10
    status = Path(f"/proc/{(tmp_path / 'pid').read_text()}/status")
    assert not status.exists() or "State:\tZ" in status.read_text()
