"""What a run read (pipelines.run_state): when a run can tell, before any step, that nothing is new."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import duckdb

from pipelines.config import Settings
from pipelines.run_state import (
    STATE,
    RunState,
    current_fingerprint,
    forget_state,
    last_state,
    record_check_results,
    record_state,
)


def _settings(tmp_path: Path) -> Settings:
    landing = tmp_path / "landing"
    (landing / "litellm" / "2026" / "10").mkdir(parents=True)
    (landing / "litellm" / "2026" / "10" / "spend_logs_01.parquet").write_bytes(b"one")
    return Settings(landing=str(landing), warehouse=tmp_path / "wh" / "aicost.duckdb")


def test_the_fingerprint_changes_with_any_file_added_rewritten_or_removed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, files = current_fingerprint(settings)
    assert files == 1 and current_fingerprint(settings) == (first, 1)
    day = Path(settings.landing) / "litellm" / "2026" / "10" / "spend_logs_02.parquet"
    day.write_bytes(b"two")
    second, files = current_fingerprint(settings)
    assert files == 2 and second != first
    stat = day.stat()
    os.utime(day, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # rewritten, same size
    third, _ = current_fingerprint(settings)
    assert third not in (first, second)
    day.unlink()
    assert current_fingerprint(settings) == (first, 1)


def test_the_fingerprint_covers_the_project_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert current_fingerprint(settings) != current_fingerprint(replace(settings, reporting_currency="EUR"))


def test_remote_inputs_always_go_through_the_loaders(tmp_path: Path, monkeypatch) -> None:
    settings = _settings(tmp_path)
    assert current_fingerprint(replace(settings, landing="s3://bucket/landing")) is None
    assert current_fingerprint(replace(settings, gcp_billing_table="p.d.gcp_billing_export_v1")) is None
    monkeypatch.setenv("AICOST_LITELLM_DATABASE_URL", "postgresql://u:p@127.0.0.1:5432/litellm")
    assert current_fingerprint(settings) is None


def test_an_unreadable_landing_entry_goes_through_the_loaders(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    (Path(settings.landing) / "litellm" / "dangling.parquet").symlink_to(tmp_path / "nowhere.parquet")
    assert current_fingerprint(settings) is None


def test_the_recorded_state_is_replaced_and_forgotten(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert last_state(con) is None
        record_state(con, RunState("a", 3, ["x: check"], []))
        record_state(con, RunState("b", 4, [], ["y: drift"]))
        assert last_state(con) == RunState("b", 4, [], ["y: drift"])
        forget_state(con)
        assert last_state(con) is None


def test_a_record_of_another_layout_reads_as_none(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema _aicost")
        con.execute(f"create table {STATE} (fingerprint varchar)")
        assert last_state(con) is None
        record_state(con, RunState("a", 1))  # replaces the table whatever its layout
        assert last_state(con) == RunState("a", 1)


def test_a_check_not_evaluated_keeps_its_last_result(tmp_path: Path) -> None:
    known = {"focus: conserves", "fct: unique_id", "stg: drift"}
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = {"focus: conserves": (False, False), "fct: unique_id": (True, False), "stg: drift": (False, True)}
        assert record_check_results(con, first, known) == (["focus: conserves"], ["stg: drift"])
        # a run that built only the request side: the bill's check keeps failing, the drift is fixed
        assert record_check_results(con, {"stg: drift": (True, True)}, known) == (["focus: conserves"], [])
        # a check no longer defined is forgotten
        assert record_check_results(con, {}, known - {"focus: conserves"}) == ([], [])
