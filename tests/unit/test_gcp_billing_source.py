import os
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "gcp_billing" / "valid"
INVALID = FIXTURES / "gcp_billing" / "invalid"
GROSS = Decimal("0.4512") + Decimal("1.375") + Decimal("2.5") + Decimal("23.4684") + Decimal("1.23")
CREDITS = Decimal("-0.5") + Decimal("-8.213940000001") + Decimal("-1.1")


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_billing_export_loads_exactly_with_credits_summed(con, landing, suffix):
    place(
        landing, f"gcp_billing/export/invoice_month=202610/part-0.{suffix}", VALID / f"billing_export_202610.{suffix}"
    )

    result = load(con, "gcp_billing", landing)

    assert result.files_loaded == 1 and result.rows_loaded == 5 and not result.quarantined
    assert scalar(con, "SELECT sum(cost) FROM raw_gcp_billing.cost_lines") == GROSS
    assert scalar(con, "SELECT sum(credits_amount) FROM raw_gcp_billing.cost_lines") == CREDITS
    row = con.execute(
        "SELECT service_description, sku_description, labels->>'$[0].value', usage_amount, invoice_month, "
        "json_extract_string(credits, '$[0].amount') FROM raw_gcp_billing.cost_lines WHERE sku_id = 'A1B2-0002'"
    ).fetchone()
    assert row == (
        "Vertex AI",
        "Gemini 2.5 Flash GA Thinking Text Output - Predictions",
        "search",
        Decimal(550000),
        "202610",
        "-0.500000000000",
    )
    assert scalar(con, "SELECT billing_period FROM raw._loads WHERE status = 'loaded'") == "2026-10"


def test_a_newer_run_of_an_invoice_month_replaces_it(con, landing):
    month = "gcp_billing/bigquery/p.d.t/invoice_month=202610"
    place(landing, f"{month}/20261102T000000000000Z/rows.jsonl", VALID / "billing_export_202610.jsonl")
    load(con, "gcp_billing", landing)
    place(landing, f"{month}/20261103T000000000000Z/rows.parquet", VALID / "billing_export_202610.parquet")

    result = load(con, "gcp_billing", landing)

    assert result.files_loaded == 1 and result.files_replaced == 1
    assert scalar(con, "SELECT count(*) FROM raw_gcp_billing.cost_lines") == 5
    assert scalar(con, "SELECT DISTINCT _source_file FROM raw_gcp_billing.cost_lines").endswith("rows.parquet")


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("billing_export_bad_cost.jsonl", "line 2, column cost: cost: expected a number, got 'lots'"),
        ("billing_export_truncated.jsonl", "line 1: not a JSON object"),
    ],
)
def test_bad_export_files_are_quarantined_with_line_and_field(con, landing, fixture, message):
    place(landing, f"gcp_billing/export/{fixture}", INVALID / fixture)
    place(landing, "gcp_billing/export/invoice_month=202610/good.jsonl", VALID / "billing_export_202610.jsonl")

    result = load(con, "gcp_billing", landing)

    assert len(result.quarantined) == 1 and message in result.quarantined[0]
    assert scalar(con, "SELECT count(*) FROM raw_gcp_billing.cost_lines") == 5


def test_touching_a_file_is_a_no_op_and_rewriting_it_replaces_it(con, landing):
    path = place(landing, "gcp_billing/export/invoice_month=202610/part-0.jsonl", VALID / "billing_export_202610.jsonl")
    load(con, "gcp_billing", landing)
    os.utime(path, (path.stat().st_atime + 60, path.stat().st_mtime + 60))

    touched = load(con, "gcp_billing", landing)
    path.write_text(path.read_text().replace('"cost": 2.5,', '"cost": 3.5,'))
    rewritten = load(con, "gcp_billing", landing)

    assert touched.files_unchanged == 1 and touched.files_loaded == 0 and not touched.quarantined
    assert rewritten.files_loaded == 1 and rewritten.files_replaced == 1 and not rewritten.quarantined
    assert scalar(con, "SELECT sum(cost) FROM raw_gcp_billing.cost_lines") == GROSS + 1
