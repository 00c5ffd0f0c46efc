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

from pipelines.cli import EXIT_BUSY, EXIT_CHECKS_FAILED, EXIT_OK, main
from pipelines.config import Settings
from pipelines.runlock import run_lock
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
    # the first in key order counts; the other is recorded as its duplicate
    loaded, skipped = (
        con.execute(
            "SELECT l.path, s.path, s.error FROM raw._loads AS s JOIN raw._loads AS l ON s.duplicate_of = l.load_id"
        ).fetchone()[:2],
        None,
    )
    assert sorted(loaded) == sorted(
        [
            "gcp_billing/export/invoice_month=202610/000000000000 (1).jsonl",
            "gcp_billing/export/invoice_month=202610/000000000000.jsonl",
        ]
    )
    assert (
        scalar(con, "SELECT error FROM raw._loads WHERE status = 'skipped'")
        == f"same contents as {loaded[0]}, which counts instead"
    )


def test_a_cur_export_copied_under_a_second_export_name_counts_once(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-1", export="cur-main")
    place_cur_delivery(landing, "2026-10", {"part-00001.csv": CUR_CSV}, "exec-1", export="cur-main-copy")

    result = load(con, "aws_cur", landing)
    again = load(con, "aws_cur", landing)

    assert result.files_skipped == 1 and again.files_loaded == 0
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == CUR_TOTAL


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
    original = place(landing, "gcp_billing/export/invoice_month=202610/a.jsonl", GCP_JSONL)
    place(landing, "gcp_billing/other-export/invoice_month=202610/b.jsonl", GCP_JSONL)
    load(con, "gcp_billing", landing)
    original.unlink()

    result = load(con, "gcp_billing", landing)

    assert (result.files_removed, result.files_loaded) == (1, 1)
    assert scalar(con, "SELECT count(*) FROM raw_gcp_billing.cost_lines") == 5
    assert scalar(con, "SELECT DISTINCT _source_file FROM raw_gcp_billing.cost_lines").endswith("b.jsonl")


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
    args = ["run", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    with run_lock(settings.warehouse):
        code = main(args)

    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BUSY
    assert len(err) == 1
    assert err[0].startswith(f"error: another run is using {settings.warehouse}: pid {os.getpid()} on ")


def test_usage_errors_are_not_check_failures(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--no-such-flag"])

    assert exit_info.value.code not in (EXIT_OK, 1, EXIT_CHECKS_FAILED)
