"""`aicost run` as operators see it: the Dagster instance, the run logs, progress, exit codes, `aicost docs`.

The runs are real `aicost` processes (stderr is a pipe, not a terminal) on the session's demo landing, in a
warehouse of their own: a cold run, a run with nothing new, a full refresh, then a run on a broken file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import EXIT_BUSY, EXIT_CHECKS_FAILED, EXIT_FAILED, EXIT_OK, EXIT_USAGE
from orchestration.instance import open_instance
from pipelines.config import Settings
from pipelines.runlock import run_lock
from tests.integration.conftest import copy_landing

AICOST = str(Path(sys.executable).parent / "aicost")
STAMPED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    log: Path
    seconds: float


def _aicost(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    return subprocess.run([AICOST, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _run(settings: Settings, *flags: str) -> Run:
    started = time.monotonic()
    done = _aicost(
        "run", "--landing", settings.landing, "--warehouse", str(settings.warehouse), *flags, cwd=settings.exports_dir
    )
    seconds = time.monotonic() - started
    log = (settings.warehouse.parent / "logs" / "last_run.log").resolve()
    return Run(done.returncode, done.stdout, done.stderr, log, seconds)


@pytest.fixture(scope="module")
def runs(demo_run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[Run]]:
    """A cold run, a run with nothing new, a full refresh and the same again, on a warehouse of their own.

    Before the second run one landing file is written again (same bytes), so that it goes through the loaders
    and dbt's skip; the fourth finds everything as the third left it and runs no step at all.
    """
    root = tmp_path_factory.mktemp("operations")
    (root / "exports").mkdir()
    landing = copy_landing(demo_run.landing, root / "landing")  # its own: one file is touched below
    settings = Settings(landing=str(landing), warehouse=root / "wh" / "aicost.duckdb", exports_dir=root / "exports")
    done = []
    for n, flags in enumerate(((), (), ("--full-refresh",), ())):
        if n == 1:
            # a file written again (same bytes): the run goes through the loaders, which find nothing new
            touched = next(Path(settings.landing).glob("outcomes/**/*.*"))
            os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 60))
        done.append(_run(settings, *flags))
        assert done[-1].code in (EXIT_OK, EXIT_CHECKS_FAILED), done[-1].stderr[-3000:]
    return settings, done


def test_cli_runs_are_recorded_in_the_warehouse_dagster_instance(runs):
    settings, _runs = runs
    assert (settings.warehouse.parent / "dagster" / "dagster.yaml").read_text().count("enabled: false") == 1
    with open_instance(settings) as instance:
        recorded = instance.get_runs()
        assert len(recorded) == 3  # the fourth run ran no step: it is no Dagster run
        assert {r.job_name for r in recorded} == {"nightly"}
        first = recorded[-1]
        for mart in ("focus_cost_and_usage", "fct_ai_costs_allocated", "rpt_chargeback_monthly"):
            materializations = instance.fetch_materializations(dg.AssetKey([mart]), limit=10).records
            # The cold run and the full refresh built the marts; the run with nothing new did not.
            assert len(materializations) == 2, mart
            assert first.run_id in {m.run_id for m in materializations}
        checks = instance.all_logs(first.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        names = {e.dagster_event.event_specific_data.check_name for e in checks}
        assert {"billed_cost_reconciles_to_source", "allocated_cost_conserves_focus", "no_quarantined_files"} <= names
        assert len(checks) > 100  # dbt's data tests are asset checks too


def test_each_run_log_is_timestamped_plain_text_with_loader_and_dbt_lines(runs):
    _settings, (cold, _noop, _full, _same) = runs
    lines = cold.log.read_text(encoding="utf-8").splitlines()
    assert lines and all(STAMPED.match(line) for line in lines)
    text = "\n".join(lines)
    assert "\x1b" not in text and "\r" not in text
    loader = next(i for i, line in enumerate(lines) if re.search(r"litellm: \d+ file\(s\) loaded, \d+ rows", line))
    dbt_done = next(i for i, line in enumerate(lines) if "Completed successfully" in line or "Done. PASS=" in line)
    assert loader < dbt_done
    assert re.search(r"\d+ of \d+ OK created sql (table|incremental) model main\.focus_cost_and_usage", text)
    assert "run succeeded" in lines[-1]
    # Unit tests test SQL on fixtures (tests/integration/test_dbt_unit_tests.py), not every night's data.
    assert "--exclude resource_type:unit_test" in text and "START unit_test" not in text
    logs = sorted((cold.log.parent).glob("run-*.log"))
    assert len(logs) >= 3 and cold.log in logs


def test_progress_is_plain_lines_off_a_terminal_and_exit_codes_are_documented(runs):
    _settings, (cold, noop, _full, _same) = runs
    assert "\r" not in cold.stderr
    progress = cold.stderr.splitlines()
    sources = [line for line in progress if line.startswith("sources ")]
    assert len(sources) == 11 and sources[-1].startswith("sources 11/11 loaded (")
    dbt = [line for line in progress if line.startswith("dbt ")]
    total = int(re.match(r"dbt \d+/(\d+) nodes", dbt[-1]).group(1))
    assert dbt[-1] == f"dbt {total}/{total} nodes" and total > 300
    assert 5 <= len(dbt) <= 25  # about every tenth, not one per node
    assert "Analyst copy: " in cold.stdout
    assert "dbt skipped: nothing new since the last build" in noop.stderr
    assert "dbt: nothing new since the last build (skipped)" in noop.stdout
    help_text = _aicost("run", "--help", cwd=Path.cwd()).stdout
    for code in ("0 ", "1 ", "2 ", "64 ", "75 "):
        assert f"\n  {code}" in help_text


def test_a_run_with_nothing_new_skips_dbt_and_a_full_refresh_reuses_the_parse(runs):
    _settings, (cold, noop, full, _same) = runs
    noop_log = noop.log.read_text(encoding="utf-8")
    assert "dbt: nothing new since the last build" in noop_log and "Running dbt command" not in noop_log
    assert noop.seconds < cold.seconds
    full_log = full.log.read_text(encoding="utf-8")
    assert "--full-refresh" in full_log and "Running dbt command" in full_log
    # dbt runs in <warehouse folder>/dbt_target with the same profile and vars each time: its parse is reused.
    assert "Unable to do partial parsing" not in full_log


def test_a_run_finding_everything_as_the_last_one_left_it_runs_no_step(runs):
    _settings, (_cold, _noop, full, same) = runs
    assert same.code == full.code  # the last run's outcome stands, exit code included
    assert "Nothing new since the last successful run" in same.stdout and "Analyst copy: " in same.stdout
    log = same.log.read_text(encoding="utf-8")
    assert "nothing new: the landing's" in log and "step started" not in log
    assert "run succeeded; 0 asset(s) materialised, nothing new (no step ran)" in log


def test_a_failed_run_keeps_the_previous_log_and_says_why(runs):
    settings, (_cold, _noop, full, _same) = runs
    previous = full.log.read_bytes()
    broken = settings.warehouse.with_name("broken.duckdb")  # same folder: same logs
    broken.write_bytes(b"this is not a DuckDB file\n" * 100)
    failed = _run(Settings(landing=settings.landing, warehouse=broken, exports_dir=settings.exports_dir))
    assert failed.code == EXIT_FAILED
    assert full.log.read_bytes() == previous
    assert failed.log != full.log
    why = failed.log.read_text(encoding="utf-8")
    assert "ERROR the run stopped" in why and "broken.duckdb" in why
    assert "The run failed" in failed.stderr and str(failed.log) in failed.stderr


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("run", "--no-such-flag"), id="bad-flag"),
        pytest.param(("demo", "--month", "2026-13", "--generate-only"), id="impossible-month"),
        pytest.param(("run", "--landing", "ftp://example.com/landing"), id="unreadable-landing-uri"),
        pytest.param(("docs", "--port", "70000"), id="bad-port"),
    ],
)
def test_usage_errors_exit_64_never_1_or_2(tmp_path, args):
    done = _aicost(*args, "--warehouse", str(tmp_path / "wh" / "aicost.duckdb"), cwd=tmp_path)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "error" in done.stderr


def test_a_warehouse_held_by_another_run_exits_75(tmp_path):
    warehouse = tmp_path / "wh" / "aicost.duckdb"
    (tmp_path / "landing").mkdir()
    with run_lock(warehouse):
        done = _aicost("run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse), cwd=tmp_path)
    assert done.returncode == EXIT_BUSY, done.stderr
    assert "another run is using" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_run_gives_sigterm_back_the_handler_it_found(demo_run):
    # Dagster points SIGTERM at SIGINT's handler; started in the background (SIGINT ignored), the process
    # and all it starts later would ignore `kill`, as `aicost docs` once did after the session's demo run.
    before, after = demo_run.sigterm_handlers
    assert after is before


def test_docs_are_built_and_served_on_localhost(demo_run, tmp_path):
    warehouse = tmp_path / "wh" / "aicost.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(demo_run.settings.warehouse, warehouse)
    port = _free_port()
    server = subprocess.Popen(
        [AICOST, "docs", "--port", str(port), "--warehouse", str(warehouse)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        announced = server.stdout.readline()  # printed once the catalogue is built and the port is bound
        assert f"http://127.0.0.1:{port}/" in announced, server.stderr.read() if server.poll() is not None else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as page:
            assert page.status == 200 and b"dbt" in page.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json", timeout=10) as catalog:
            nodes = json.loads(catalog.read())["nodes"]
        assert "model.aicost.focus_cost_and_usage" in nodes
    finally:
        server.terminate()
        server.wait(timeout=30)
