"""The analyst copy of the demo warehouse, read by a DuckDB 1.x client and pandas; the bounded wait on a held file.

The DuckDB 1.x client lives in its own virtualenv (``.venv-duckdb1``, installed by ``make tools``, which
``make test`` runs first).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.config import PROJECT_ROOT, Settings
from pipelines.publish import PublishError, analyst_copy_path, mart_names, publish_analyst_copy
from pipelines.warehouse import WarehouseBusy, connect, wait_until_free
from tests.integration.conftest import DemoRun

DUCKDB1_PYTHON = PROJECT_ROOT / ".venv-duckdb1" / "bin" / "python"
MONEY_COLUMNS = ("billed_cost", "effective_cost", "billed_cost_cents", "tax_cost", "credit_cost", "internal_price")

# What a client reads from a copy: row counts of every published relation, exact money sums of the chargeback
# (as text: no float on the way) and the chargeback's column types. Runs under any DuckDB.
READ_COPY = textwrap.dedent(
    """
    import json, sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    relations = [r for (r,) in con.execute("SELECT relation FROM main._publication ORDER BY 1").fetchall()]
    counts = {r: con.execute(f"SELECT count(*) FROM {r}").fetchone()[0] for r in relations}
    sums = {c: con.execute(f"SELECT CAST(sum({c}) AS VARCHAR) FROM main.rpt_chargeback_monthly").fetchone()[0]
            for c in json.loads(sys.argv[2])}
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                             "WHERE table_name = 'rpt_chargeback_monthly'").fetchall())
    print(json.dumps({"version": duckdb.__version__, "counts": counts, "sums": sums, "types": types}))
    """
)

# An analyst who keeps the copy open: reads, waits for a line on stdin, reads again through the same connection.
HOLD_COPY = textwrap.dedent(
    """
    import sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    def read():
        count = con.execute("SELECT count(*) FROM main.rpt_chargeback_monthly").fetchone()[0]
        stamp = con.execute("SELECT CAST(max(published_at) AS VARCHAR) FROM main._publication").fetchone()[0]
        print(count, stamp, flush=True)
    read()
    sys.stdin.readline()
    read()
    """
)

# Another process (a notebook, a BI tool) holding the warehouse file itself for writing until told to close.
HOLD_WAREHOUSE = textwrap.dedent(
    """
    import sys, time
    import duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    if sys.argv[2] == "stdin":
        sys.stdin.readline()
    else:
        time.sleep(float(sys.argv[2]))
    con.close()
    print("closed", flush=True)
    sys.stdin.readline()
    """
)


@pytest.fixture
def warehouse_copy(demo_run: DemoRun, tmp_path: Path) -> Settings:
    """The demo warehouse copied into a folder of its own (publishing writes beside the warehouse)."""
    source = Path(demo_run.settings.warehouse)
    target = tmp_path / "wh" / "aicost.duckdb"
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return Settings(warehouse=target)


def _writer_view(settings: Settings) -> dict:
    """What the warehouse itself holds, read by the project's DuckDB, in the shape READ_COPY prints."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        seeds = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'reference'").fetchall()
        relations = sorted([f"main.{m}" for m in mart_names()] + [f"reference.{s}" for (s,) in seeds] + ["raw._loads"])
        counts = {r: con.execute(f"SELECT count(*) FROM {r}").fetchone()[0] for r in relations}
        sums = {
            c: con.execute(f"SELECT CAST(sum({c}) AS VARCHAR) FROM main.rpt_chargeback_monthly").fetchone()[0]
            for c in MONEY_COLUMNS
        }
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'rpt_chargeback_monthly'"
            ).fetchall()
        )
    finally:
        con.close()
    return {"counts": counts, "sums": sums, "types": types}


def _read_copy(python: Path | str, path: Path) -> dict:
    out = subprocess.run(
        [str(python), "-c", READ_COPY, str(path), json.dumps(MONEY_COLUMNS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout)


def test_duckdb_1_client_reads_the_same_rows_and_exact_money_as_the_writer(warehouse_copy: Settings) -> None:
    if not DUCKDB1_PYTHON.is_file():
        pytest.fail(f"no DuckDB 1.x client at {DUCKDB1_PYTHON}: run `make tools` (make test does)")
    result = publish_analyst_copy(warehouse_copy)

    writer = _writer_view(warehouse_copy)
    read = _read_copy(DUCKDB1_PYTHON, result.path)

    assert read["version"].startswith("1.")
    assert read["counts"] == writer["counts"]
    assert read["sums"] == writer["sums"]
    assert all(total is not None and "." in total for total in read["sums"].values())
    assert read["types"] == writer["types"]
    assert read["types"]["billed_cost"] == "DECIMAL(38,12)"
    assert result.tables == len(writer["counts"])
    assert result.rows == sum(writer["counts"].values())
    assert writer["counts"]["main.fct_llm_requests"] > 0


def test_pandas_reads_the_copy_in_the_project_environment(warehouse_copy: Settings) -> None:
    path = publish_analyst_copy(warehouse_copy).path

    con = duckdb.connect(str(path), read_only=True)
    frame = con.sql("SELECT * FROM main.rpt_chargeback_monthly").df()
    expected = con.execute("SELECT count(*), sum(billed_cost) FROM main.rpt_chargeback_monthly").fetchone()

    assert len(frame) == expected[0] > 0
    assert "billed_cost" in frame.columns
    # pandas holds DECIMAL as float64: close to the exact sum, never the place to total money.
    assert frame["billed_cost"].sum() == pytest.approx(float(expected[1]))


def test_a_reader_of_the_previous_copy_keeps_reading_it_while_a_new_one_is_published(
    warehouse_copy: Settings,
) -> None:
    path = publish_analyst_copy(warehouse_copy).path
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_COPY, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        old_count, old_stamp = reader.stdout.readline().strip().split(" ", 1)
        con = duckdb.connect(str(warehouse_copy.warehouse))
        con.execute("DELETE FROM main.rpt_chargeback_monthly WHERE rowid % 2 = 0")
        con.close()

        publish_analyst_copy(warehouse_copy)

        reader.stdin.write("read again\n")
        reader.stdin.flush()
        again = reader.stdout.readline().strip().split(" ", 1)
        assert reader.wait(timeout=60) == 0
    finally:
        reader.kill()
    assert again == [old_count, old_stamp]
    fresh = duckdb.connect(str(path), read_only=True)
    new_count, new_stamp = fresh.execute(
        "SELECT (SELECT count(*) FROM main.rpt_chargeback_monthly), CAST(max(published_at) AS VARCHAR) "
        "FROM main._publication"
    ).fetchone()
    assert 0 < new_count < int(old_count)
    assert new_stamp > old_stamp


def test_a_publication_failing_midway_leaves_the_previous_copy_intact(warehouse_copy: Settings) -> None:
    path = publish_analyst_copy(warehouse_copy).path
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    con = duckdb.connect(str(warehouse_copy.warehouse))
    # A mart that cannot be read, published after most others.
    con.execute("DROP TABLE main.rpt_unpriced_usage")
    con.execute("CREATE VIEW main.rpt_unpriced_usage AS SELECT error('the mart cannot be read') AS x")
    con.close()

    with pytest.raises(PublishError, match="the mart cannot be read"):
        publish_analyst_copy(warehouse_copy)

    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert [p.name for p in path.parent.iterdir()] == ["aicost.duckdb"]
    assert _read_copy(sys.executable, path)["counts"]["main.rpt_unpriced_usage"] >= 0


def _hold(warehouse: Path, release: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(warehouse), release],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def _tiny_warehouse(tmp_path: Path) -> Settings:
    path = tmp_path / "aicost.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    con.close()
    return Settings(warehouse=path, lock_wait_seconds=2)


def test_a_held_warehouse_is_waited_for_then_busy_naming_the_holder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _tiny_warehouse(tmp_path)
    holder = _hold(settings.warehouse, "stdin")
    # DuckDB names the holder by its executable.
    name = Path(f"/proc/{holder.pid}/exe").resolve().name
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="pipelines.warehouse"), pytest.raises(WarehouseBusy) as busy:
            connect(settings)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()

    assert 2 <= waited < 10
    assert f"still open in another process (pid {holder.pid} ({name})) after waiting 2 s" in str(busy.value)
    assert f"analysts: open {analyst_copy_path(settings)} instead" in str(busy.value)
    assert [r.getMessage() for r in caplog.records] == [
        f"waiting up to 2 s for pid {holder.pid} ({name}) to close {settings.warehouse} "
        f"(analysts: open {analyst_copy_path(settings)})"
    ]
    # Nothing was written while waiting: the file is as the holder left it.
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    assert con.execute("SELECT answer FROM t").fetchall() == [(42,)]


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_a_holder_that_closes_within_the_wait_lets_the_run_in(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, read_only: bool
) -> None:
    settings = _tiny_warehouse(tmp_path)
    holder = _hold(settings.warehouse, "1.5")
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="pipelines.warehouse"):
            con = connect(settings, read_only=read_only, wait_seconds=30)
        waited = time.monotonic() - started
        assert con.execute("SELECT answer FROM t").fetchall() == [(42,)]
        con.close()
    finally:
        holder.kill()
        holder.wait()

    assert 0.5 < waited < 30
    assert len(caplog.records) == 1
    assert f"for pid {holder.pid} " in caplog.records[0].getMessage()


def test_wait_until_free_returns_once_the_holder_closes(tmp_path: Path) -> None:
    settings = _tiny_warehouse(tmp_path)
    holder = _hold(settings.warehouse, "1")
    try:
        wait_until_free(settings, wait_seconds=30)
        assert holder.stdout.readline().strip() == "closed"
    finally:
        holder.kill()
        holder.wait()


def test_wait_until_free_without_a_wait_is_busy_at_once(tmp_path: Path) -> None:
    settings = _tiny_warehouse(tmp_path)
    holder = _hold(settings.warehouse, "stdin")
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match=rf"pid {holder.pid} .*; close that connection"):
            wait_until_free(settings, wait_seconds=0)
        assert time.monotonic() - started < 1
    finally:
        holder.kill()
        holder.wait()
