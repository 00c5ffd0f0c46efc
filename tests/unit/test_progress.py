"""The run's terminal progress (live line or plain lines) and its log file (timestamped plain text)."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from orchestration.progress import Progress
from orchestration.runlog import KEPT_LOGS, RunLog, plain, point_last_run_log

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "


def _dbt_result(index: int, total: int, name: str = "LogModelResult") -> dict:
    return {"info": {"name": name, "msg": f"{index} of {total} OK"}, "data": {"index": index, "total": total}}


def _load_events(slug: str, rows: int, tables: int = 2) -> list[SimpleNamespace]:
    step = f"{slug}_load"
    materialization = SimpleNamespace(metadata={"rows_loaded": SimpleNamespace(value=rows)})
    events = [
        SimpleNamespace(
            step_key=step,
            event_type_value="ASSET_MATERIALIZATION",
            event_specific_data=SimpleNamespace(materialization=materialization),
        )
        for _ in range(tables)
    ]
    return [*events, SimpleNamespace(step_key=step, event_type_value="STEP_SUCCESS", event_specific_data=None)]


def test_plain_progress_is_one_line_per_source_and_about_every_tenth_of_dbt():
    out = io.StringIO()
    clock = iter(range(10_000)).__next__
    progress = Progress(out, live=False, sources=2, clock=lambda: clock() * 0.01)
    for event in [*_load_events("litellm", 1_234_000), *_load_events("aws_cur", 567)]:
        progress.on_dagster_event(event)
    for index in range(1, 201):
        progress.on_dbt_event({"info": {"name": "LogStartLine"}, "data": {"index": index, "total": 200}})
        progress.on_dbt_event(_dbt_result(index, 200))
    progress.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[:2] == [
        "sources 1/2 loaded (1,234,000 rows): litellm 1,234,000 rows",
        "sources 2/2 loaded (1,234,567 rows): aws_cur 567 rows",
    ]
    dbt = lines[2:]
    assert dbt[0] == "dbt 1/200 nodes" and dbt[-1] == "dbt 200/200 nodes"
    assert len(dbt) == 11  # the first node, then every tenth


def test_plain_progress_reports_dbt_at_least_every_30_seconds():
    out = io.StringIO()
    now = [0.0]
    progress = Progress(out, live=False, clock=lambda: now[0])
    for index in range(1, 6):
        now[0] += 31
        progress.on_dbt_event(_dbt_result(index, 1000))
    assert out.getvalue().splitlines() == [f"dbt {i}/1000 nodes" for i in range(1, 6)]


def test_test_results_count_with_their_num_models_and_hooks_do_not_count():
    progress = Progress(io.StringIO(), live=False)
    progress.on_dbt_event({"info": {"name": "LogHookEndLine"}, "data": {"index": 1, "total": 2}})
    progress.on_dbt_event({"info": {"name": "LogModelResult"}, "data": {"index": 1, "total": 3}})
    progress.on_dbt_event({"info": {"name": "LogTestResult"}, "data": {"index": 2, "num_models": 3}})
    assert (progress.dbt_done, progress.dbt_total) == (2, 3)


def test_a_node_reported_twice_counts_once_and_start_lines_do_not_count():
    progress = Progress(io.StringIO(), live=False)
    progress.on_dbt_event({"info": {"name": "LogStartLine"}, "data": {"index": 1, "total": 3}})
    progress.on_dbt_event(_dbt_result(1, 3, "LogTestResult"))
    progress.on_dbt_event(_dbt_result(1, 3, "LogTestResult"))
    progress.on_dbt_event({"info": {"name": "MainReportVersion"}, "data": {}})
    assert (progress.dbt_done, progress.dbt_total) == (1, 3)


def test_live_progress_redraws_one_line_per_stage():
    out = io.StringIO()
    ticks = iter(range(100)).__next__
    progress = Progress(out, live=True, sources=1, clock=lambda: float(ticks()))
    for event in _load_events("litellm", 10):
        progress.on_dagster_event(event)
    progress.on_dbt_event(_dbt_result(1, 2))
    progress.on_dbt_event(_dbt_result(2, 2))
    progress.close()
    assert out.getvalue() == "\rsources 1/1 loaded (10 rows)\x1b[K\n\rdbt 1/2 nodes\x1b[K\rdbt 2/2 nodes\x1b[K\n"


def test_live_progress_redraws_dbt_at_most_five_times_a_second_but_always_the_last_node():
    out = io.StringIO()
    progress = Progress(out, live=True, clock=lambda: 0.0)
    for index in range(1, 101):
        progress.on_dbt_event(_dbt_result(index, 100))
    assert out.getvalue() == "\rdbt 1/100 nodes\x1b[K\rdbt 100/100 nodes\x1b[K"


def test_run_log_lines_are_timestamped_plain_text_in_order(tmp_path):
    path = tmp_path / "run.log"
    log = RunLog(path)
    log.line("litellm: 3 file(s) loaded")
    log.write("\x1b[32m1 of 2 OK\x1b[0m created view")
    log.write(" model\r\n2 of 2 ")
    log.write("PASS\n")
    log.line("done\nsecond line")
    log.write("unfinished")
    log.close()
    lines = path.read_text().splitlines()
    assert all(re.match(STAMP, line) for line in lines)
    assert [line[25:] for line in lines] == [
        "litellm: 3 file(s) loaded",
        "1 of 2 OK created view model",
        "2 of 2 PASS",
        "done",
        "second line",
        "unfinished",
    ]
    assert plain("\x1b[1;31mERROR\x1b[0m") == "ERROR"


def test_last_run_log_points_to_the_newest_and_old_logs_are_pruned(tmp_path):
    for i in range(KEPT_LOGS + 3):
        path = tmp_path / f"run-20260101T0000{i:02d}Z-1.log"
        path.write_text(f"run {i}\n")
        point_last_run_log(path)
    kept = sorted(tmp_path.glob("run-*.log"))
    assert len(kept) == KEPT_LOGS
    assert (tmp_path / "last_run.log").read_text() == f"run {KEPT_LOGS + 2}\n"
    assert (tmp_path / "last_run.log").readlink().name == kept[-1].name
