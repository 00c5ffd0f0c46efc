import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "azure_cost" / "valid"
INVALID = FIXTURES / "azure_cost" / "invalid"
ACTUAL_TOTAL = Decimal("3.00125") + Decimal("0.5") + Decimal("1.5") + Decimal("2.5") + 1200 + Decimal("652.728") + 500


@pytest.mark.parametrize("suffix", ["csv", "csv.gz", "parquet"])
def test_mca_cost_details_load_in_every_container_with_exact_costs(con, landing, suffix):
    place(
        landing,
        f"azure_cost/mca-daily/20261001-20261031/run-1/part_0_0001.{suffix}",
        VALID / f"mca_actual_2026_10.{suffix}",
    )

    result = load(con, "azure_cost", landing)

    assert result.files_loaded == 1 and result.rows_loaded == 7 and not result.quarantined
    assert scalar(con, "SELECT sum(CostInBillingCurrency) FROM raw_azure_cost.actual_cost_details") == ACTUAL_TOTAL
    # MCA camelCase names land in the EA-named contract; ids stay text
    row = con.execute(
        "SELECT BillingCurrencyCode, ResourceGroup, InvoiceId, Date, BillingAccountId "
        "FROM raw_azure_cost.actual_cost_details ORDER BY _source_row LIMIT 1"
    ).fetchone()
    assert row == ("USD", "rg-ai", "G000111222", "2026-10-03", "mca-0001:acct")
    assert scalar(con, "SELECT billing_period FROM raw._loads WHERE status = 'loaded'") == "2026-10"


def test_export_name_says_amortized_without_a_manifest(con, landing):
    place(
        landing, "azure_cost/ai-amortized/20261001-20261031/run-1/part_0_0001.csv", VALID / "mca_amortized_2026_10.csv"
    )

    load(con, "azure_cost", landing)

    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.amortized_cost_details") == 2
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 0


def _manifest(run_id: str, submitted: str, export_type: str, blobs: list[str]) -> str:
    return json.dumps(
        {
            "manifestVersion": "2024-04-01",
            "exportConfig": {"exportName": "costs", "type": export_type, "dataVersion": "2023-12-01-preview"},
            "runInfo": {"runId": run_id, "submittedTime": submitted},
            "blobs": [{"blobName": f"exports/costs/20261001-20261031/{run_id}/{b}", "byteCount": 1} for b in blobs],
        }
    )


def test_newest_run_by_manifest_replaces_the_period_and_its_type_decides_the_table(con, landing):
    period = "azure_cost/costs/20261001-20261031"
    place(landing, f"{period}/run-a/part_0_0001.csv", VALID / "mca_actual_2026_10.csv")
    (landing / period / "run-a" / "manifest.json").write_text(
        _manifest("run-a", "2026-11-01T02:00:00Z", "ActualCost", ["part_0_0001.csv"])
    )
    first = load(con, "azure_cost", landing)

    # A later run rewrites the month: only its listed file counts; a stray file is ignored.
    place(landing, f"{period}/run-b/part_0_0001.csv.gz", VALID / "mca_actual_2026_10.csv.gz")
    place(landing, f"{period}/run-b/stray.csv", VALID / "mca_actual_2026_10.csv")
    (landing / period / "run-b" / "manifest.json").write_text(
        _manifest("run-b", "2026-11-02T02:00:00Z", "ActualCost", ["part_0_0001.csv.gz"])
    )
    second = load(con, "azure_cost", landing)

    assert first.files_loaded == 1 and second.files_loaded == 1 and second.files_replaced == 1
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 7
    assert scalar(con, "SELECT DISTINCT _source_file FROM raw_azure_cost.actual_cost_details").endswith(
        "run-b/part_0_0001.csv.gz"
    )
    assert scalar(con, "SELECT count(*) FROM raw._loads WHERE path LIKE '%stray.csv' AND status = 'skipped'") == 1


def test_manifest_listing_a_missing_file_quarantines_the_run_and_keeps_the_previous_one(con, landing):
    period = "azure_cost/costs/20261001-20261031"
    place(landing, f"{period}/run-a/part_0_0001.csv", VALID / "mca_actual_2026_10.csv")
    load(con, "azure_cost", landing)
    place(landing, f"{period}/run-b/part_0_0001.csv", VALID / "mca_actual_2026_10.csv")
    (landing / period / "run-b" / "manifest.json").write_text(
        _manifest("run-b", "2026-11-02T02:00:00Z", "ActualCost", ["part_0_0001.csv", "part_0_0002.csv"])
    )

    result = load(con, "azure_cost", landing)

    assert any(
        "manifest.json: the manifest lists 1 file(s) not delivered: part_0_0002.csv" in m for m in result.quarantined
    )
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 7


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("ea_bad_date.csv", "line 3, column Date: value '2026-31-31' is not a M/D/YYYY or ISO date"),
        ("ea_bad_cost.csv", "line 3, column CostInBillingCurrency"),
    ],
)
def test_bad_rows_quarantine_the_file_with_line_and_column(con, landing, fixture, message):
    place(landing, f"azure_cost/ea-actual/20261001-20261031/{fixture}", INVALID / fixture)
    place(landing, "azure_cost/other-actual/20261001-20261031/good.csv", VALID / "mca_actual_2026_10.csv")

    result = load(con, "azure_cost", landing)

    assert len(result.quarantined) == 1 and message in result.quarantined[0]
    assert fixture in result.quarantined[0]
    # the good export still loads
    assert scalar(con, "SELECT count(*) FROM raw_azure_cost.actual_cost_details") == 7
