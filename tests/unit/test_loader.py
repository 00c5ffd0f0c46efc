"""The load path's rules, exercised on LiteLLM files (path-partitioned) and CUR deliveries."""

import shutil

from tests.conftest import FIXTURES, load, place, scalar

LOGS = FIXTURES / "litellm" / "valid" / "spend_logs_2026-10-01.csv"
BAD_LOGS = FIXTURES / "litellm" / "invalid" / "spend_logs_bad_timestamp.csv"


def test_same_contents_under_another_path_are_not_counted_twice(con, landing):
    place(landing, "litellm/a/day.csv", LOGS)
    load(con, "litellm", landing)
    place(landing, "litellm/b/copy-of-day.csv", LOGS)

    result = load(con, "litellm", landing)

    assert result.files_skipped == 1 and result.rows_loaded == 0
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 3
    assert "same contents as litellm/a/day.csv" in scalar(con, "SELECT error FROM raw._loads WHERE status = 'skipped'")


def test_rewritten_file_replaces_its_previous_version(con, landing):
    target = place(landing, "litellm/day.csv", LOGS)
    load(con, "litellm", landing)
    # the exporter rewrites the day with one more request
    lines = LOGS.read_text().splitlines()
    target.write_text("\n".join([*lines, lines[-1].replace("req-3", "req-4")]) + "\n")

    result = load(con, "litellm", landing)

    assert (result.files_loaded, result.files_replaced) == (1, 1)
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 4
    assert scalar(con, "SELECT count(DISTINCT _load_id) FROM raw_litellm.spend_logs") == 1
    assert con.execute("SELECT status FROM raw._loads ORDER BY loaded_at, status").fetchall() == [
        ("replaced",),
        ("loaded",),
    ]


def test_corrected_file_loads_after_quarantine(con, landing):
    target = place(landing, "litellm/day.csv", BAD_LOGS)
    first = load(con, "litellm", landing)
    assert len(first.quarantined) == 1
    shutil.copyfile(LOGS, target)

    second = load(con, "litellm", landing)

    assert second.rows_loaded == 3 and not second.quarantined
    from pipelines.reconcile import open_quarantines

    assert open_quarantines(con, "litellm") == []


def test_unrecognised_files_are_recorded_not_loaded(con, landing):
    place(landing, "litellm/notes.txt", LOGS)

    result = load(con, "litellm", landing)

    assert result.files_skipped == 1 and result.rows_loaded == 0
    assert "not a spend-logs export" in scalar(con, "SELECT error FROM raw._loads")


def test_unchanged_files_are_not_read_again(con, landing, monkeypatch):
    from pipelines.landing import LandingFile

    place(landing, "litellm/day.csv", LOGS)
    load(con, "litellm", landing)

    def refuse(self):
        raise AssertionError(f"{self.key} was read again")

    monkeypatch.setattr(LandingFile, "sha256", refuse)
    result = load(con, "litellm", landing)

    assert (result.files_unchanged, result.rows_loaded) == (1, 0)


def test_the_python_csv_fallback_numbers_records_across_batches(landing):
    from pipelines.landing import open_landing
    from pipelines.load.readers import csv_records_arrow

    place(landing, "litellm/day.csv", LOGS)
    (file,) = open_landing(str(landing)).list_files("litellm")

    table, lines = csv_records_arrow(file, batch_rows=2)

    assert table.column("_source_row").to_pylist() == [1, 2, 3]
    assert table.column("request_id").to_pylist() == ["req-1", "req-2", "req-3"]
    assert list(lines) == [2, 3, 4]


def test_a_column_new_in_the_contract_is_filled_by_reading_loaded_files_again(con, landing):
    place(landing, "otel_genai/t.jsonl", FIXTURES / "otel_genai" / "valid" / "traces.jsonl")
    load(con, "otel_genai", landing)
    # a warehouse loaded before the contract had response_id
    con.execute("ALTER TABLE raw_otel_genai.spans DROP COLUMN response_id")

    result = load(con, "otel_genai", landing)

    # the file is read again: same rows, now with the column filled, the earlier load replaced
    assert (result.files_loaded, result.files_replaced, result.rows_loaded) == (1, 1, 3)
    assert scalar(con, "SELECT count(*) FROM raw_otel_genai.spans") == 3
    assert scalar(con, "SELECT count(response_id) FROM raw_otel_genai.spans") == 1
    assert scalar(con, "SELECT count(*) FROM raw._rereads") == 0
    # and only once: the next run finds everything in place
    again = load(con, "otel_genai", landing)
    assert (again.files_loaded, again.files_unchanged) == (0, 1)
