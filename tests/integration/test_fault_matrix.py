"""The fault matrix: what the loader and the nightly run guarantee when real inputs go wrong.

Read top to bottom, this module is the list of promises (README "What you can rely on"):

1. Paths are data, never patterns: a file named like a glob loads exactly its own rows.
2. Nothing counted twice: identical copies count once (any source, inside or across deliveries); two
   exports of the same billing scope count once (the newest delivery wins); a request id repeated by an
   overlapping re-export counts once (the first load wins); the loser is always recorded in ``raw._loads``.
3. Nothing lost: a file that vanishes stops counting (``removed``), and a copy or an older delivery that it
   was hiding counts again by itself.
4. Bad input is quarantined at load with file, line, field and reason, and never stops the good input:
   empty required values, out-of-range amounts, dates outside the billing period, negative or inconsistent
   token counts, truncated gzip streams, files shorter than their manifest, bytes that are not UTF-8.
5. Real exports as they come load: byte-order marks, older Azure column sets, empty MCA billing periods,
   CSV that DuckDB's reader refuses but is valid, renamed optional columns (reported as drift).
6. Security: symlinks leading outside the landing zone are never read; database URLs never printed.
7. Runs: one at a time per warehouse, with a one-line error naming the holder; a killed run leaves no
   orphan; a source that cannot be pulled fails only its own check; a landing without bills succeeds.
8. End to end, through the real ``aicost run``: the totals equal the truth computed from the files, the
   run exits 0 for valid input and 2 (never 1) for bad input, and the next run after a fault recovers.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.cli import EXIT_BUSY, EXIT_CHECKS_FAILED, EXIT_OK, EXIT_USAGE, main
from pipelines.config import Settings
from tests.conftest import FIXTURES, load, place, place_cur_delivery, scalar

CUR_CSV = FIXTURES / "aws_cur" / "valid" / "cur_2026_10.csv"
CUR_TOTAL = Decimal("0.069") + Decimal("0.214") + Decimal("98.32") + Decimal("8.11") - Decimal("5.25")
LITELLM_CSV = FIXTURES / "litellm" / "valid" / "spend_logs_2026-10-01.csv"
LITELLM_PARQUET = FIXTURES / "litellm" / "valid" / "spend_logs_2026-10-02.parquet"
GCP_JSONL = FIXTURES / "gcp_billing" / "valid" / "billing_export_202610.jsonl"
AZURE_MCA = FIXTURES / "azure_cost" / "valid" / "mca_actual_2026_10.csv"
AZURE_EA = FIXTURES / "azure_cost" / "real" / "azure_ea_cost_details_anonymized_sample.csv"
FOCUS_CSV = FIXTURES / "aws_focus" / "valid" / "focus_2026_10_overlapping_cur.csv"
OTEL_JSONL = FIXTURES / "otel_genai" / "valid" / "traces.jsonl"


def _rewrite(source: Path, target: Path, edit) -> Path:
    """Writes ``edit(text)`` of a text fixture to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8", newline="")
    return target


def _csv_cell(text: str, row: int, column: str, value: str) -> str:
    """The CSV text with one cell replaced (row 1 = first data row), for fixtures without quoted commas there."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# 1. Paths are data, never patterns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("spend_logs_2026-10-1*.parquet", id="star"),
        pytest.param("spend_logs_2026-10-0[1-3].parquet", id="brackets"),
        pytest.param("spend_logs_{a,b}.parquet", id="braces"),
        pytest.param("spend_logs_?.parquet", id="question-mark"),
    ],
)
def test_a_file_named_like_a_glob_loads_exactly_its_own_rows(con, landing, name):
    # neighbours the pattern would match: they must not be read again through the odd name
    for day in ("2026-10-01", "2026-10-02", "2026-10-11", "2026-10-12", "a", "b", "1"):
        shutil.copyfile(LITELLM_PARQUET, landing / "x.parquet")
        table = pq.read_table(landing / "x.parquet")
        ids = [f"{day}-{i}" for i in range(table.num_rows)]
        target = landing / "litellm" / f"spend_logs_{day}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.set_column(table.schema.get_field_index("request_id"), "request_id", [ids]), target)
    (landing / "x.parquet").unlink()
    place(landing, f"litellm/{name}", LITELLM_PARQUET)
    own_rows = pq.read_metadata(LITELLM_PARQUET).num_rows

    result = load(con, "litellm", landing)

    assert result.quarantined == []
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs WHERE _source_file = ?", [f"litellm/{name}"]) == (
        own_rows
    )
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 8 * own_rows


def test_a_csv_named_like_a_glob_loads_its_rows(con, landing, tmp_path):
    place(landing, "litellm/spend_logs_[1].csv", LITELLM_CSV)
    # the file that "[1]" would match as a pattern: other requests, which must not be read twice
    place(
        landing,
        "litellm/spend_logs_1.csv",
        _rewrite(LITELLM_CSV, tmp_path / "1.csv", lambda t: t.replace("req-", "other-")),
    )

    result = load(con, "litellm", landing)

    assert result.quarantined == []
    counts = con.execute("SELECT _source_file, count(*) FROM raw_litellm.spend_logs GROUP BY ALL ORDER BY 1").fetchall()
    assert counts == [("litellm/spend_logs_1.csv", 3), ("litellm/spend_logs_[1].csv", 3)]


# 2. Nothing counted twice ------------------------------------------------------------------------------------


def test_an_identical_copy_of_a_gcp_shard_in_the_same_month_counts_once(con, landing):
    place(landing, "gcp_billing/export/invoice_month=202610/000000000000.jsonl", GCP_JSONL)
    place(landing, "gcp_billing/export/invoice_month=202610/000000000000 (1).jsonl", GCP_JSONL)

    result = load(con, "gcp_billing", landing)

    assert (result.files_loaded, result.files_skipped) == (1, 1)
    assert scalar(con, "SELECT count(*) FROM raw_gcp_billing.cost_lines") == 5
    # the first in key order counts; the other is recorded as the duplicate of it
    counted, copy = con.execute(
        "SELECT l.path, s.path FROM raw._loads AS s JOIN raw._loads AS l ON s.duplicate_of = l.load_id"
    ).fetchone()
    assert sorted([counted, copy]) == [
        "gcp_billing/export/invoice_month=202610/000000000000 (1).jsonl",
        "gcp_billing/export/invoice_month=202610/000000000000.jsonl",
    ]
    assert scalar(con, "SELECT error FROM raw._loads WHERE path = ?", [copy]) == (
        f"same contents as {counted}, which counts instead"
    )


def test_a_cur_export_copied_under_a_second_export_name_counts_once(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-1", export="cur-main")
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-1", export="cur-main-copy")

    load(con, "aws_cur", landing)
    again = load(con, "aws_cur", landing)

    # two exports of one billing scope: one counts, the other is recorded as superseded
    assert again.files_loaded == 0
    counted = "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items WHERE _superseded_by IS NULL"
    assert scalar(con, counted) == CUR_TOTAL
    statuses = con.execute("SELECT status FROM raw._loads WHERE raw_table IS NOT NULL ORDER BY status").fetchall()
    assert statuses == [("loaded",), ("superseded",)]


def test_a_copy_inside_the_newer_export_still_counts(con, landing, tmp_path):
    # export B repeats export A's first shard byte for byte and adds a second one: B wins the billing scope,
    # and the copied shard counts from B
    second = _rewrite(CUR_CSV, tmp_path / "second.csv", lambda t: t.replace("li-00", "li-90"))
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-a", export="export-a")
    place_cur_delivery(
        landing, "2026-10", {"part-00001.csv": CUR_CSV, "part-00002.csv": second}, "exec-b", export="export-b"
    )
    for path in (landing / "aws_cur" / "export-b").rglob("*.csv"):
        os.utime(path, (time.time() + 60, time.time() + 60))

    load(con, "aws_cur", landing)

    counted = con.execute(
        "SELECT split_part(_source_file, '/', 2), count(*) FROM raw_aws_cur.line_items WHERE _superseded_by IS NULL "
        "GROUP BY ALL"
    ).fetchall()
    assert counted == [("export-b", 10)]


def test_shards_of_a_month_outside_invoice_month_folders_all_count(con, landing, tmp_path):
    lines = GCP_JSONL.read_text().splitlines(keepends=True)
    (tmp_path / "a.jsonl").write_text("".join(lines[:3]))
    (tmp_path / "b.jsonl").write_text("".join(lines[3:]))
    place(landing, "gcp_billing/exported/000000000000.jsonl", tmp_path / "a.jsonl")
    place(landing, "gcp_billing/exported/000000000001.jsonl", tmp_path / "b.jsonl")

    load(con, "gcp_billing", landing)

    assert scalar(con, "SELECT count(*) FROM raw_gcp_billing.cost_lines WHERE _superseded_by IS NULL") == 5


def test_two_exports_of_one_billing_scope_count_once_and_the_newest_delivery_wins(con, landing):
    # the same charges exported twice with different bytes (a CSV and a gzip CSV export of one payer)
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-old", export="cur-csv")
    gz = landing.parent / "cur.csv.gz"
    gz.write_bytes(gzip.compress(CUR_CSV.read_bytes()))
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": gz}, "exec-new", export="cur-gzip")
    newer = next((landing / "aws_cur" / "cur-gzip").rglob("*.csv.gz"))
    os.utime(newer, (time.time() + 60, time.time() + 60))

    result = load(con, "aws_cur", landing)

    counted = "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items WHERE _superseded_by IS NULL"
    assert scalar(con, counted) == CUR_TOTAL
    statuses = dict(con.execute("SELECT path, status FROM raw._loads WHERE raw_table IS NOT NULL").fetchall())
    assert statuses == {
        "aws_cur/cur-csv/data/BILLING_PERIOD=2026-10/part-00001.csv": "superseded",
        "aws_cur/cur-gzip/data/BILLING_PERIOD=2026-10/part-00001.csv.gz": "loaded",
    }
    assert any("superseded by the newer delivery" in note for note in result.notes)

    # the newer export goes away: the older one counts again, without a reload
    shutil.rmtree(landing / "aws_cur" / "cur-gzip")
    again = load(con, "aws_cur", landing)

    assert again.files_loaded == 0 and again.files_removed == 1
    assert scalar(con, counted) == CUR_TOTAL
    assert scalar(con, "SELECT count(*) FROM raw_aws_cur.line_items") == 5
    assert scalar(con, "SELECT status FROM raw._loads WHERE path LIKE '%cur-csv%'") == "loaded"


def test_a_subscription_export_inside_a_billing_account_export_counts_once(con, landing, tmp_path):
    # the billing-account export holds two subscriptions; a newer export of one of them overlaps it there only
    other = _rewrite(
        AZURE_MCA,
        tmp_path / "two.csv",
        lambda t: t + t.splitlines()[1].replace("-000000000001", "-00000000000f") + "\n",
    )
    place(landing, "azure_cost/account-export/20261001-20261031/run-1/part_0_0001.csv", other)
    place(landing, "azure_cost/sub-export/20261001-20261031/run-1/part_0_0001.csv", AZURE_MCA)
    os.utime(next((landing / "azure_cost" / "sub-export").rglob("*.csv")), (time.time() + 60, time.time() + 60))

    load(con, "azure_cost", landing)

    per_subscription = con.execute(
        "SELECT SubscriptionId, split_part(_source_file, '/', 2), count(*) FROM raw_azure_cost.actual_cost_details "
        "WHERE _superseded_by IS NULL GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert per_subscription == [
        ("aaaa0000-0000-0000-0000-000000000001", "sub-export", 6),  # the newer export covers these two
        ("aaaa0000-0000-0000-0000-000000000002", "sub-export", 1),
        ("aaaa0000-0000-0000-0000-00000000000f", "account-export", 1),  # only the billing-account export has it
    ]
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 15  # nothing deleted


def test_a_repeated_request_id_is_recorded_on_the_later_load(con, landing, tmp_path):
    place(landing, "litellm/spend_logs_2026-10-01.csv", LITELLM_CSV)
    load(con, "litellm", landing)
    # a re-export repeating req-2 and req-3 beside one new request
    lines = LITELLM_CSV.read_text().splitlines()
    reexport = "\n".join([lines[0], lines[2], lines[3], lines[3].replace("req-3", "req-9")]) + "\n"
    (landing / "litellm" / "spend_logs_2026-10-01_reexport.csv").write_text(reexport)

    result = load(con, "litellm", landing)

    assert result.quarantined == []
    row = con.execute("SELECT duplicate_rows, error FROM raw._loads WHERE path LIKE '%reexport%'").fetchone()
    assert row == (
        2,
        "2 row(s) repeat a request_id already loaded (from litellm/spend_logs_2026-10-01.csv): the first load counts",
    )


def test_a_rewritten_export_does_not_repeat_its_own_previous_version(con, landing):
    target = place(landing, "litellm/day.csv", LITELLM_CSV)
    load(con, "litellm", landing)
    lines = LITELLM_CSV.read_text().splitlines()
    target.write_text("\n".join([*lines, lines[-1].replace("req-3", "req-4")]) + "\n")

    result = load(con, "litellm", landing)

    assert result.files_replaced == 1 and result.notes == []
    assert scalar(con, "SELECT duplicate_rows FROM raw._loads WHERE status = 'loaded'") is None


# 3. Nothing lost ---------------------------------------------------------------------------------------------


def test_a_file_that_vanished_stops_counting(con, landing):
    target = place(landing, "litellm/day.csv", LITELLM_CSV)
    load(con, "litellm", landing)
    target.unlink()

    result = load(con, "litellm", landing)

    assert result.files_removed == 1
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 0
    assert scalar(con, "SELECT status FROM raw._loads WHERE path = 'litellm/day.csv'") == "removed"


def test_the_copy_counts_when_the_original_vanishes(con, landing):
    # a request log copied under another name: skipped while the original counts, loaded once it is gone
    original = place(landing, "litellm/a/day.csv", LITELLM_CSV)
    place(landing, "litellm/b/day-copy.csv", LITELLM_CSV)
    load(con, "litellm", landing)
    original.unlink()

    result = load(con, "litellm", landing)

    assert (result.files_removed, result.files_loaded) == (1, 1)
    assert con.execute(
        "SELECT DISTINCT _source_file, count(*) FROM raw_litellm.spend_logs GROUP BY ALL"
    ).fetchall() == [("litellm/b/day-copy.csv", 3)]


def test_an_older_export_counts_again_when_the_newer_one_vanishes(con, landing):
    newer = place(landing, "gcp_billing/export/invoice_month=202610/a.jsonl", GCP_JSONL)
    place(landing, "gcp_billing/other-export/invoice_month=202610/b.jsonl", GCP_JSONL)
    os.utime(newer, (time.time() + 60, time.time() + 60))
    load(con, "gcp_billing", landing)
    counted = "SELECT DISTINCT _source_file, count(*) FROM raw_gcp_billing.cost_lines WHERE _superseded_by IS NULL GROUP BY ALL"
    assert con.execute(counted).fetchall() == [("gcp_billing/export/invoice_month=202610/a.jsonl", 5)]
    newer.unlink()

    result = load(con, "gcp_billing", landing)

    assert (result.files_removed, result.files_loaded) == (1, 0)
    assert con.execute(counted).fetchall() == [("gcp_billing/other-export/invoice_month=202610/b.jsonl", 5)]


def test_a_missing_source_folder_is_reported_not_taken_as_every_file_deleted(con, landing):
    place(landing, "litellm/day.csv", LITELLM_CSV)
    load(con, "litellm", landing)
    shutil.rmtree(landing / "litellm")  # an unmounted share looks like this

    result = load(con, "litellm", landing)

    assert result.files_removed == 0 and len(result.quarantined) == 1
    assert "the landing has no litellm/ folder although 1 file(s) were loaded from it" in result.quarantined[0]
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 3

    # an emptied folder is a deliberate deletion: the rows go, and the missing-folder report closes
    (landing / "litellm").mkdir()
    again = load(con, "litellm", landing)

    assert again.files_removed == 1 and again.quarantined == []
    from pipelines.reconcile import open_quarantines

    assert open_quarantines(con, "litellm") == []


def test_files_pulled_earlier_keep_counting_when_the_pull_is_no_longer_configured(settings, monkeypatch):
    from pipelines.sources.litellm.postgres import DATABASE_URL_ENV, pulled_landing

    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert pulled_landing(settings) is None
    folder = settings.downloads / "litellm_postgres" / "litellm" / "postgres"
    folder.mkdir(parents=True)
    shutil.copyfile(LITELLM_PARQUET, folder / "spend_logs_x.parquet")

    pulled = pulled_landing(settings)

    assert pulled is not None and pulled.error is None
    assert [f.key for f in pulled.landing.list_files("litellm")] == ["litellm/postgres/spend_logs_x.parquet"]


# 4. Bad input is quarantined at load, with file, line, field and reason ----------------------------------


def _cur_with(tmp_path: Path, column: str, value: str) -> Path:
    return _rewrite(CUR_CSV, tmp_path / "bad.csv", lambda t: _csv_cell(t, 3, column, value))


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        pytest.param("line_item_unblended_cost", "", "an empty value is empty where a value is required", id="null-cost"),
        pytest.param("line_item_unblended_cost", "1e20", "value '100000000000000000000.000000000000' is out of range (|x| >= 1e12)", id="cost-1e20"),
        pytest.param(
            "line_item_usage_start_date",
            "2026-09-30T00:00:00Z",
            "value '2026-09-30 00:00:00+00' is outside the line's billing period",
            id="usage-date-outside-period",
        ),
    ],
)  # fmt: skip
def test_a_bad_cur_value_quarantines_the_delivery_with_its_line_and_column(
    con, landing, tmp_path, column, value, reason
):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": _cur_with(tmp_path, column, value)}, "exec-1")

    result = load(con, "aws_cur", landing)

    assert result.quarantined == [
        f"aws_cur/test-export/data/BILLING_PERIOD=2026-10/part-00001.csv, line 4, column {column}: {reason}"
    ]
    assert scalar(con, "SELECT count(*) FROM raw_aws_cur.line_items") == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda t: _csv_cell(t, 2, "completion_tokens", "-60"),
            "line 3, column completion_tokens: value '-60' is negative: token counts and durations cannot be",
            id="negative-tokens",
        ),
        pytest.param(
            lambda t: _csv_cell(t, 2, "prompt_tokens", "100"),
            "line 3, column prompt_tokens: value '100' is less than the cache reads and writes the metadata reports "
            "(they are part of the prompt tokens)",
            id="cache-more-than-prompt",
        ),
        pytest.param(
            lambda t: _csv_cell(t, 1, "request_id", ""),
            "line 2, column request_id: an empty value is empty where a value is required",
            id="no-request-id",
        ),
    ],
)
def test_a_bad_gateway_row_quarantines_its_file_only(con, landing, tmp_path, edit, expected):
    place(landing, "litellm/bad.csv", _rewrite(LITELLM_CSV, tmp_path / "bad.csv", edit))
    place(landing, "litellm/good.parquet", LITELLM_PARQUET)

    result = load(con, "litellm", landing)

    assert len(result.quarantined) == 1 and result.quarantined[0] == f"litellm/bad.csv, {expected}"
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == pq.read_metadata(LITELLM_PARQUET).num_rows


def test_a_truncated_otel_gzip_is_quarantined_and_the_run_goes_on(con, landing):
    whole = gzip.compress(OTEL_JSONL.read_bytes())
    (landing / "otel_genai").mkdir()
    (landing / "otel_genai" / "rotating.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (landing / "otel_genai" / "corrupt.jsonl.gz").write_bytes(b"\x1f\x8b" + b"not gzip at all")
    place(landing, "otel_genai/complete.jsonl", OTEL_JSONL)

    result = load(con, "otel_genai", landing)

    assert sorted(q.split(":")[0] for q in result.quarantined) == [
        "otel_genai/corrupt.jsonl.gz",
        "otel_genai/rotating.jsonl.gz",
    ]
    assert all("cannot be decompressed (truncated or corrupt gzip)" in q for q in result.quarantined)
    assert scalar(con, "SELECT count(*) FROM raw_otel_genai.spans") > 0


def test_an_azure_file_shorter_than_its_manifest_row_count_is_quarantined(con, landing, tmp_path):
    run = landing / "azure_cost" / "costs" / "20261001-20261031" / "run-1"
    short = _rewrite(AZURE_MCA, tmp_path / "short.csv", lambda t: "\n".join(t.splitlines()[:-2]) + "\n")
    place(landing, "azure_cost/costs/20261001-20261031/run-1/part_0_0001.csv", short)
    manifest = {
        "manifestVersion": "2024-04-01",
        "exportConfig": {"exportName": "costs", "type": "ActualCost"},
        "runInfo": {"runId": "run-1", "submittedTime": "2026-11-01T02:00:00Z"},
        "blobs": [{"blobName": "exports/costs/20261001-20261031/run-1/part_0_0001.csv", "dataRowCount": 7}],
    }
    (run / "manifest.json").write_text(json.dumps(manifest))

    result = load(con, "azure_cost", landing)

    assert result.quarantined == [
        "azure_cost/costs/20261001-20261031/run-1/part_0_0001.csv: holds 5 row(s) where the delivery's manifest "
        "states 7 (a truncated or partial copy)"
    ]
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 0


def test_a_latin1_byte_is_reported_on_its_own_line(con, landing):
    lines = LITELLM_CSV.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"triage-svc", b"triage-caf\xe9")
    (landing / "litellm").mkdir()
    (landing / "litellm" / "latin1.csv").write_bytes(b"\n".join(lines))

    result = load(con, "litellm", landing)

    assert len(result.quarantined) == 1
    assert result.quarantined[0].startswith("litellm/latin1.csv, line 4: not UTF-8 text: byte 0xe9")


def test_a_corrupt_parquet_page_is_quarantined_and_the_next_files_still_load(con, landing, tmp_path):
    data = bytearray(LITELLM_PARQUET.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64  # a damaged data page, the footer intact
    (tmp_path / "broken.parquet").write_bytes(bytes(data))
    place(landing, "litellm/a_broken.parquet", tmp_path / "broken.parquet")
    place(landing, "litellm/b_good.csv", LITELLM_CSV)

    result = load(con, "litellm", landing)

    assert len(result.quarantined) == 1 and result.quarantined[0].startswith("litellm/a_broken.parquet")
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 3


def test_a_newer_good_run_closes_the_quarantine_of_an_older_bad_one(con, landing, tmp_path):
    bad = _rewrite(AZURE_MCA, tmp_path / "bad.csv", lambda t: _csv_cell(t, 2, "costInBillingCurrency", "n/a"))
    place(landing, "azure_cost/costs/20261001-20261031/run-1/part_0_0001.csv", bad)
    assert len(load(con, "azure_cost", landing).quarantined) == 1
    place(landing, "azure_cost/costs/20261001-20261031/run-2/part_0_0001.csv", AZURE_MCA)

    result = load(con, "azure_cost", landing)

    from pipelines.reconcile import open_quarantines

    assert result.files_loaded == 1 and open_quarantines(con, "azure_cost") == []


def test_an_empty_file_is_quarantined_not_fatal(con, landing):
    (landing / "litellm").mkdir()
    (landing / "litellm" / "empty.csv").write_bytes(b"")
    place(landing, "litellm/good.csv", LITELLM_CSV)

    result = load(con, "litellm", landing)

    assert result.rows_loaded == 3 and len(result.quarantined) == 1
    assert "the file is empty" in result.quarantined[0]


# 5. Real exports as they come ----------------------------------------------------------------------------------


def test_a_byte_order_mark_is_not_part_of_the_first_column(con, landing, tmp_path):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "logs.csv").write_bytes(bom + LITELLM_CSV.read_bytes())
    (tmp_path / "focus.csv").write_bytes(bom + FOCUS_CSV.read_bytes())
    place(landing, "litellm/logs.csv", tmp_path / "logs.csv")
    place(landing, "aws_focus/focus/data/BILLING_PERIOD=2026-10/part-1.csv", tmp_path / "focus.csv")

    assert load(con, "litellm", landing).quarantined == []
    assert load(con, "aws_focus", landing).quarantined == []

    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs WHERE request_id LIKE 'req-%'") == 3
    assert scalar(con, "SELECT BillingAccountId FROM raw_aws_focus.focus_costs LIMIT 1") == "000011112222"


def test_an_older_ea_export_with_a_bom_loads_with_its_invoice_ids(con, landing, tmp_path):
    # an EA export of an older generation: Cost / BillingCurrency instead of CostInBillingCurrency / ...Code
    text = AZURE_EA.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    names = header.split(",")
    names[names.index("CostInBillingCurrency")] = "Cost"
    names[names.index("BillingCurrencyCode")] = "BillingCurrency"
    (tmp_path / "ea.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\n".join(["InvoiceId," + ",".join(names)] + [f"INV-9,{r}" for r in rows]) + "\n").encode()
    )
    place(landing, "azure_cost/ea-actual/20230901-20230930/ea.csv", tmp_path / "ea.csv")

    result = load(con, "azure_cost", landing)

    assert result.quarantined == [] and result.rows_loaded == len(rows)
    assert con.execute(
        "SELECT count(*) FILTER (WHERE InvoiceId = 'INV-9'), count(CostInBillingCurrency), count(BillingCurrencyCode) "
        "FROM raw_azure_cost.actual_cost_details"
    ).fetchone() == (len(rows), len(rows), len(rows))  # fmt: skip
    assert scalar(con, "SELECT count(*) FROM raw._schema_drift") == 0


def test_an_mca_export_with_empty_billing_periods_and_mixed_line_endings_loads(con, landing, tmp_path):
    # Python's csv reads this cleanly; DuckDB's reader refuses the mixed line endings
    lines = AZURE_MCA.read_text().splitlines()
    lines[1:] = [
        _csv_cell("\n".join([lines[0], line]), 1, "billingPeriodStartDate", "").splitlines()[1] for line in lines[1:]
    ]
    (tmp_path / "mca.csv").write_bytes("\r\n".join(lines[:3]).encode() + b"\n" + "\n".join(lines[3:]).encode() + b"\n")
    place(landing, "azure_cost/mca/20261001-20261031/run-1/part_0_0001.csv", tmp_path / "mca.csv")

    result = load(con, "azure_cost", landing)

    assert result.quarantined == [] and result.rows_loaded == 7
    assert (
        scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details WHERE BillingPeriodStartDate IS NULL") == 7
    )


def test_a_renamed_optional_column_loads_and_is_reported_as_drift(con, landing, tmp_path):
    renamed = _rewrite(
        LITELLM_CSV, tmp_path / "logs.csv", lambda t: t.replace("request_duration_ms", "requestDurationMs", 1)
    )
    place(landing, "litellm/logs.csv", renamed)

    result = load(con, "litellm", landing)

    assert result.quarantined == [] and result.rows_loaded == 3
    assert scalar(con, "SELECT count(request_duration_ms) FROM raw_litellm.spend_logs") == 0
    assert con.execute("SELECT field, first_seen_path FROM raw._schema_drift").fetchall() == [
        ("requestDurationMs", "litellm/logs.csv")
    ]


# 6. Security ---------------------------------------------------------------------------------------------------


def test_a_symlinked_source_folder_leading_outside_is_never_read(con, landing, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(LITELLM_CSV, outside / "day.csv")
    (landing / "litellm").symlink_to(outside)

    result = load(con, "litellm", landing)

    assert result.quarantined == ["litellm: a symbolic link to a location outside the landing zone: never read"]
    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 0


def test_a_symlink_to_outside_the_landing_zone_is_never_read(con, landing, tmp_path):
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    shutil.copyfile(LITELLM_CSV, secret)
    (landing / "litellm").mkdir()
    (landing / "litellm" / "looks-fine.csv").symlink_to(secret)
    (landing / "litellm" / "folder").symlink_to(secret.parent)

    result = load(con, "litellm", landing)

    assert scalar(con, "SELECT count(*) FROM raw_litellm.spend_logs") == 0
    assert sorted(result.quarantined) == [
        "litellm/folder: a symbolic link to a location outside the landing zone: never read",
        "litellm/looks-fine.csv: a symbolic link to a location outside the landing zone: never read",
    ]


def test_a_database_url_without_its_scheme_is_refused_without_showing_it(settings, monkeypatch, caplog):
    from pipelines.sources.litellm.postgres import DATABASE_URL_ENV, pulled_landing

    monkeypatch.setenv(DATABASE_URL_ENV, "litellm:hunter2-secret@db.internal:5432/litellm")

    pulled = pulled_landing(settings)

    assert pulled is not None and pulled.error is not None
    assert "is not a postgresql://" in pulled.error
    assert "hunter2" not in pulled.error and "hunter2" not in caplog.text


def test_an_unreachable_database_fails_its_pull_without_showing_the_password(settings, monkeypatch, caplog):
    from pipelines.sources.litellm.postgres import DATABASE_URL_ENV, pulled_landing

    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://litellm:hunter2-secret@127.0.0.1:9/litellm?connect_timeout=2")

    pulled = pulled_landing(settings)

    assert pulled is not None and pulled.error is not None and "LiteLLM database pull failed" in pulled.error
    assert "hunter2" not in pulled.error and "hunter2" not in caplog.text


# 7. Runs -------------------------------------------------------------------------------------------------------


def test_a_second_run_exits_at_once_naming_the_run_that_holds_the_warehouse(settings, landing, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipelines.runlock import run_lock\n"
            f"with run_lock(Path({str(settings.warehouse)!r})):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code = main(["run", "--landing", str(landing), "--warehouse", str(settings.warehouse)])
    finally:
        holder.kill()
        holder.wait()

    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BUSY
    assert len(err) == 1
    assert err[0].startswith(f"error: another run is using {settings.warehouse}: pid {holder.pid} on ")


def test_usage_errors_are_not_check_failures(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--no-such-flag"])

    assert exit_info.value.code == EXIT_USAGE


# 8. End to end, through the real `aicost run` ------------------------------------------------------------------

FAULT_SCALE = 0.03


@pytest.fixture(scope="module")
def clean_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated month of every source, never modified (scenarios work on copies)."""
    from pipelines.demo.generate import DemoOptions, generate

    landing = tmp_path_factory.mktemp("fault-matrix") / "landing"
    generate(DemoOptions(landing=landing, scale=FAULT_SCALE, seed=11, month="2026-10"))
    return landing


def _copy(landing: Path, tmp_path: Path) -> tuple[Path, Settings]:
    target = tmp_path / "landing"
    shutil.copytree(landing, target)
    return target, Settings(
        landing=str(target), warehouse=tmp_path / "wh" / "aicost.duckdb", exports_dir=tmp_path / "ex"
    )


def _aicost_run(settings: Settings) -> int:
    return main(["run", "--landing", settings.landing, "--warehouse", str(settings.warehouse)])


def _focus_totals(settings: Settings) -> dict[tuple[str, str, str], Decimal]:
    from pipelines.warehouse import connect

    with connect(settings, read_only=True) as con:
        rows = con.execute(
            "SELECT ProviderName, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, sum(BilledCost) "
            "FROM focus_cost_and_usage GROUP BY ALL"
        ).fetchall()
    return {(p, m, c): t for p, m, c, t in rows}


def _query(settings: Settings, sql: str) -> list[tuple]:
    from pipelines.warehouse import connect

    with connect(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def _gateway_truth(landing: Path) -> tuple[int, Decimal]:
    """Distinct gateway request ids in the landing's spend logs, and their spend (first file in key order)."""
    seen: dict[str, Decimal] = {}
    for path in sorted((landing / "litellm").rglob("*.parquet"), key=lambda p: p.relative_to(landing).as_posix()):
        table = pq.read_table(path, columns=["request_id", "spend"])
        for request_id, spend in zip(*(c.to_pylist() for c in table.columns), strict=True):
            seen.setdefault(request_id, Decimal(repr(spend)).quantize(Decimal("1e-12")))
    return len(seen), sum(seen.values(), Decimal(0))


def _conserved(settings: Settings) -> bool:
    from pipelines.reconcile import conservation_report, manifest_row_mismatches
    from pipelines.warehouse import connect

    with connect(settings, read_only=True) as con:
        return all(r.difference == 0 for r in conservation_report(con, settings)) and not manifest_row_mismatches(con)


def test_duplicates_and_odd_names_count_once_and_deleting_a_file_recovers(clean_landing, tmp_path, capsys):
    from tests.integration.conftest import billed_totals_from_files

    landing, settings = _copy(clean_landing, tmp_path)
    invoices = billed_totals_from_files(landing)
    logs = landing / "litellm" / "spend_logs"
    # odd but valid file names: DuckDB would read them as patterns
    (logs / "spend_logs_2026-10-13.parquet").rename(logs / "spend_logs_2026-10-1*.parquet")
    (logs / "spend_logs_2026-10-02.parquet").rename(logs / "spend_logs_2026-10-0[1-3].parquet")
    # an overlapping re-export repeating requests of day 5, an identical GCP shard, a copied CUR export
    day5 = pq.read_table(logs / "spend_logs_2026-10-05.parquet")
    pq.write_table(day5.slice(0, min(270, day5.num_rows)), logs / "spend_logs_2026-10-05_reexport.parquet")
    shard = next((landing / "gcp_billing").rglob("*.jsonl"))
    shutil.copyfile(shard, shard.with_name(shard.stem + " (1).jsonl"))
    shutil.copytree(landing / "aws_cur" / "ai-cost-cur", landing / "aws_cur" / "ai-cost-cur-copy")
    requests, spend = _gateway_truth(landing)

    assert _aicost_run(settings) == EXIT_OK
    assert _focus_totals(settings) == invoices
    assert _conserved(settings)
    assert _query(
        settings, "SELECT count(*), sum(gateway_cost) FROM fct_llm_requests WHERE request_source = 'litellm'"
    ) == [(requests, spend)]
    assert "Duplicates resolved" in capsys.readouterr().out

    # the original day-5 export and the CUR copy go away: the re-export's requests still count, nothing wedges
    (logs / "spend_logs_2026-10-05.parquet").unlink()
    shutil.rmtree(landing / "aws_cur" / "ai-cost-cur-copy")
    requests, spend = _gateway_truth(landing)

    assert _aicost_run(settings) == EXIT_OK
    assert _focus_totals(settings) == invoices
    assert _query(
        settings, "SELECT count(*), sum(gateway_cost) FROM fct_llm_requests WHERE request_source = 'litellm'"
    ) == [(requests, spend)]


def _set_cell(path: Path, column: str, row: int, value: object) -> None:
    """Rewrites one value of a Parquet file (same name, same row order)."""
    import pyarrow as pa

    table = pq.read_table(path)
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    field = table.schema.field(index).with_nullable(True)
    pq.write_table(table.set_column(index, field, pa.array(values, field.type)), path)


def test_bad_values_are_quarantined_the_rest_reconciles_and_fixing_the_files_recovers(clean_landing, tmp_path, capsys):
    from tests.integration.conftest import billed_totals_from_files

    landing, settings = _copy(clean_landing, tmp_path)
    cur = next((landing / "aws_cur").rglob("*.parquet"))
    _set_cell(cur, "line_item_unblended_cost", 10, None)  # a NULL cost
    day7 = landing / "litellm" / "spend_logs" / "spend_logs_2026-10-07.parquet"
    _set_cell(day7, "completion_tokens", 3, -5)  # a negative token count
    shard = next((landing / "gcp_billing").rglob("*.jsonl"))
    lines = shard.read_text().splitlines()
    record = json.loads(lines[2])
    record["cost"] = 1e20  # fits DECIMAL(38, 12), would overflow FOCUS arithmetic
    lines[2] = json.dumps(record)
    shard.write_text("\n".join(lines) + "\n")
    amortized = next((landing / "azure_cost" / "contoso-amortized").rglob("manifest.json"))
    manifest = json.loads(amortized.read_text())
    manifest["blobs"][0]["dataRowCount"] += 3  # the file holds fewer rows than its manifest states
    amortized.write_text(json.dumps(manifest))
    whole = gzip.compress((landing / "otel_genai" / "traces" / "traces-2026-10-04.jsonl").read_bytes())
    (landing / "otel_genai" / "traces" / "rotating.jsonl.gz").write_bytes(whole[: len(whole) // 3])

    # the truth: the files as delivered, minus the deliveries that must be quarantined
    truth = tmp_path / "truth"
    shutil.copytree(clean_landing, truth)
    shutil.rmtree(truth / "aws_cur")
    shutil.rmtree(truth / "gcp_billing")
    expected = billed_totals_from_files(truth)
    (truth / "litellm" / "spend_logs" / "spend_logs_2026-10-07.parquet").unlink()
    requests, spend = _gateway_truth(truth)

    assert _aicost_run(settings) == EXIT_CHECKS_FAILED
    assert _focus_totals(settings) == expected
    assert _conserved(settings)
    assert _query(
        settings, "SELECT count(*), sum(gateway_cost) FROM fct_llm_requests WHERE request_source = 'litellm'"
    ) == [(requests, spend)]
    out = capsys.readouterr().out
    for expected_line in (
        f"{cur.relative_to(landing).as_posix()}, line 11, column line_item_unblended_cost: an empty value is empty",
        "litellm/spend_logs/spend_logs_2026-10-07.parquet, line 4, column completion_tokens: value '-5' is negative",
        f"{shard.relative_to(landing).as_posix()}, line 3, column cost: value '1E+20' is out of range (|x| >= 1e12)",
        "part_0_0001.parquet: holds",
        "otel_genai/traces/rotating.jsonl.gz: cannot be decompressed",
    ):
        assert expected_line in out, expected_line

    # the files are corrected (re-delivered); the next run recovers by itself
    for relative in (cur, day7, shard, amortized):
        shutil.copyfile(clean_landing / relative.relative_to(landing), relative)
        os.utime(relative)
    (landing / "otel_genai" / "traces" / "rotating.jsonl.gz").write_bytes(whole)

    assert _aicost_run(settings) == EXIT_OK
    assert _focus_totals(settings) == billed_totals_from_files(clean_landing)
    assert _conserved(settings)


def test_a_landing_without_bills_succeeds_and_a_bad_database_url_fails_only_its_source(
    clean_landing, tmp_path, monkeypatch, capsys
):
    landing, settings = _copy(clean_landing, tmp_path)
    for bill in ("aws_cur", "aws_focus", "azure_cost", "gcp_billing", "openai_usage", "anthropic_usage"):
        shutil.rmtree(landing / bill)
    requests, _ = _gateway_truth(landing)

    assert _aicost_run(settings) == EXIT_OK
    assert "Conservation: no bill loaded, nothing to reconcile" in capsys.readouterr().out

    monkeypatch.setenv("AICOST_LITELLM_DATABASE_URL", "litellm:hunter2-secret@db.internal:5432/litellm")
    code = _aicost_run(settings)
    captured = capsys.readouterr()

    assert code == EXIT_CHECKS_FAILED
    assert "litellm/spend_logs: source_pull_succeeded" in captured.err
    assert _query(settings, "SELECT count(*) FROM fct_llm_requests WHERE request_source = 'litellm'") == [(requests,)]
    logs = settings.warehouse.parent / "logs"
    assert "hunter2" not in captured.out + captured.err
    assert not any("hunter2" in p.read_text(errors="replace") for p in logs.glob("run-*.log"))


def _children(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, p in parents.items() if p == parent]
        found += kids
        frontier += kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_a_run_killed_during_dbt_leaves_no_orphan_and_two_runs_never_overlap(clean_landing, tmp_path):
    _, settings = _copy(clean_landing, tmp_path)
    aicost = Path(sys.executable).parent / "aicost"
    command = [str(aicost), "run", "--landing", settings.landing, "--warehouse", str(settings.warehouse)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    dbt = []
    while time.monotonic() < deadline and not dbt:
        dbt = [pid for pid in _children(first.pid) if " build " in _cmdline(pid) and "dbt" in _cmdline(pid)]
        time.sleep(0.2)
    assert dbt, "dbt build never started"

    second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert second.returncode == EXIT_BUSY
    assert (
        second.stderr.strip().splitlines() == [second.stderr.strip().splitlines()[0]]
        and f"pid {first.pid} on " in second.stderr
    )

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in dbt):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in dbt), "dbt outlived the run that started it"

    third = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert third.returncode == EXIT_OK, third.stderr[-2000:]
