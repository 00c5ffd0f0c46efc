import csv
import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, place_cur_delivery, scalar

VALID = FIXTURES / "aws_cur" / "valid"
INVALID = FIXTURES / "aws_cur" / "invalid"
FIXTURE_TOTAL = Decimal("0.069") + Decimal("0.214") + Decimal("98.32") + Decimal("8.11") - Decimal("5.25")


@pytest.mark.parametrize(
    "fixture",
    [
        pytest.param("cur_2026_10.csv.gz", id="gzip-csv"),
        pytest.param("cur_2026_10.parquet", id="parquet-doubles"),
        pytest.param("cur_2026_10.csv", id="plain-csv"),
    ],
)
def test_cur_delivery_loads_with_exact_decimal_costs(con, landing, fixture):
    place_cur_delivery(landing, "2026-10", {f"part-00001.{fixture.split('.', 1)[1]}": VALID / fixture}, "exec-1")

    result = load(con, "aws_cur", landing)

    assert result.files_loaded == 1 and result.rows_loaded == 5 and not result.quarantined
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == FIXTURE_TOTAL
    assert scalar(con, "SELECT typeof(line_item_unblended_cost) FROM raw_aws_cur.line_items LIMIT 1") == (
        "DECIMAL(38,12)"
    )
    # ids stay strings with their leading zeros; tags arrive as a JSON object whatever the container
    assert scalar(con, "SELECT DISTINCT bill_payer_account_id FROM raw_aws_cur.line_items") == "000011112222"
    assert (
        scalar(
            con,
            "SELECT resource_tags->>'user_team' FROM raw_aws_cur.line_items WHERE identity_line_item_id = 'li-0001'",
        )
        == "support"
    )
    lineage = con.execute(
        "SELECT _source_file, _source_row, _load_id IS NOT NULL, _loaded_at IS NOT NULL FROM raw_aws_cur.line_items "
        "WHERE identity_line_item_id = 'li-0003'"
    ).fetchone()
    assert lineage[0].startswith("aws_cur/test-export/data/BILLING_PERIOD=2026-10/part-00001")
    assert lineage[1:] == (3, True, True)
    loads = con.execute("SELECT status, rows, billing_period, delivery_id FROM raw._loads").fetchall()
    assert loads == [("loaded", 5, "2026-10", "exec-1")]


def test_reloading_the_same_delivery_is_a_no_op(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    load(con, "aws_cur", landing)
    before = con.execute("SELECT * FROM raw_aws_cur.line_items ORDER BY identity_line_item_id").fetchall()

    again = load(con, "aws_cur", landing)

    assert (again.files_loaded, again.files_unchanged) == (0, 1)
    assert con.execute("SELECT * FROM raw_aws_cur.line_items ORDER BY identity_line_item_id").fetchall() == before
    assert scalar(con, "SELECT count(*) FROM raw._loads") == 1


def test_restated_billing_period_replaces_previous_delivery(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    load(con, "aws_cur", landing)
    # AWS re-delivers the period: new execution id, the data now in two files (one re-used, one new).
    data = landing / "aws_cur" / "test-export" / "data" / "BILLING_PERIOD=2026-10"
    (data / "part-00001.csv.gz").unlink()
    place_cur_delivery(
        landing,
        "2026-10",
        {
            "part-00001.parquet": VALID / "cur_2026_10.parquet",
            "part-00002.csv": INVALID.parent / "valid" / "cur_2026_10.csv",
        },
        "exec-2",
    )

    result = load(con, "aws_cur", landing)

    assert result.files_loaded == 2 and result.files_replaced == 1
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == 2 * FIXTURE_TOTAL
    statuses = con.execute("SELECT delivery_id, status FROM raw._loads ORDER BY delivery_id, path").fetchall()
    assert statuses == [("exec-1", "replaced"), ("exec-2", "loaded"), ("exec-2", "loaded")]


def test_files_not_in_the_manifest_are_ignored(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    place(landing, "aws_cur/test-export/data/BILLING_PERIOD=2026-10/part-00009.csv.gz", VALID / "cur_2026_10.csv.gz")

    result = load(con, "aws_cur", landing)

    assert result.rows_loaded == 5 and result.files_skipped == 1
    error = scalar(con, "SELECT error FROM raw._loads WHERE status = 'skipped'")
    assert "not part of the current delivery exec-1" in error


def test_manifest_naming_a_missing_file_quarantines_the_delivery(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    (landing / "aws_cur/test-export/data/BILLING_PERIOD=2026-10/part-00001.csv.gz").unlink()
    place_cur_delivery(landing, "2026-09", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-9")
    place(landing, "aws_cur/test-export/data/BILLING_PERIOD=2026-10/other.csv.gz", VALID / "cur_2026_10.csv.gz")

    result = load(con, "aws_cur", landing)

    assert result.files_loaded == 1  # the September delivery still loads
    assert result.files_skipped == 1  # other.csv.gz is not part of any delivery
    assert result.quarantined == [
        "aws_cur/test-export/metadata/BILLING_PERIOD=2026-10/test-export-Manifest.json: the manifest lists 1 data "
        "file(s) not in the landing zone: part-00001.csv.gz"
    ]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "cur_bad_cost.csv",
            'line 3, column line_item_unblended_cost: Could not convert string "twelve dollars"',
            id="cost-not-a-number",
        ),
        pytest.param(
            "cur_missing_cost_column.csv",
            "line 1, column line_item_unblended_cost: required column(s) missing: line_item_unblended_cost",
            id="required-column-missing",
        ),
    ],
)
def test_malformed_cur_file_is_quarantined_with_line_column_and_reason(con, landing, fixture, expected):
    place_cur_delivery(landing, "2026-10", {"bad.csv": INVALID / fixture}, "exec-bad")
    place_cur_delivery(landing, "2026-09", {"good.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-good")

    result = load(con, "aws_cur", landing)

    assert len(result.quarantined) == 1
    message = result.quarantined[0]
    assert message.startswith("aws_cur/test-export/data/BILLING_PERIOD=2026-10/bad.csv, ")
    assert expected in message
    assert result.rows_loaded == 5  # the good period loaded anyway
    assert scalar(con, "SELECT count(*) FROM raw_aws_cur.line_items WHERE _source_file LIKE '%bad.csv'") == 0
    # seeing the same bad file again does not log it twice
    assert load(con, "aws_cur", landing).quarantined == []
    assert scalar(con, "SELECT count(*) FROM raw._loads WHERE status = 'quarantined'") == 1


def test_bad_file_in_a_multi_file_delivery_keeps_the_previous_delivery(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-1.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    load(con, "aws_cur", landing)
    place_cur_delivery(
        landing,
        "2026-10",
        {"part-1.csv.gz": VALID / "cur_2026_10.csv.gz", "part-2.csv": INVALID / "cur_bad_cost.csv"},
        "exec-2",
    )

    result = load(con, "aws_cur", landing)

    assert len(result.quarantined) == 2 and result.files_loaded == 0
    # the period is never half-replaced: the complete earlier delivery stays
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == FIXTURE_TOTAL
    assert scalar(con, "SELECT status FROM raw._loads WHERE delivery_id = 'exec-1'") == "loaded"


def test_redelivery_under_the_same_execution_id_still_replaces_the_period(con, landing):
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": VALID / "cur_2026_10.csv.gz"}, "exec-1")
    load(con, "aws_cur", landing)
    (landing / "aws_cur/test-export/data/BILLING_PERIOD=2026-10/part-00001.csv.gz").unlink()
    place_cur_delivery(landing, "2026-10", {"part-00001.parquet": VALID / "cur_2026_10.parquet"}, "exec-1")

    result = load(con, "aws_cur", landing)

    assert (result.files_loaded, result.files_replaced) == (1, 1)
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == FIXTURE_TOTAL


LEGACY = FIXTURES / "aws_cur" / "legacy"
LEGACY_HEADER = (
    "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,"
    "lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
    "lineItem/ProductCode,lineItem/UsageType,lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedCost,"
    "product/instanceType,resourceTags/user:team,resourceTags/user:env\n"
)


def _legacy_line(line_id: str, cost: str, team: str = "", env: str = "") -> str:
    return (
        f"{line_id},000011112222,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,333344445555,Usage,"
        f"2026-09-03T00:00:00Z,2026-09-03T01:00:00Z,AmazonEC2,BoxUsage:p5.48xlarge,1,USD,{cost},p5.48xlarge,{team},{env}\n"
    )


def test_real_legacy_cur_sample_loads_with_its_exact_total(con, landing):
    # The real anonymised legacy CUR (focus_converters, MIT): 1,281 rows, 94 group/Name columns, costs like 1.81E-8.
    place(
        landing,
        "aws_cur/legacy-report/20231101-20231201/legacy-report-1.csv",
        LEGACY / "aws_legacy_cur_anonymized_sample.csv",
    )
    with (LEGACY / "aws_legacy_cur_anonymized_sample.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))

    result = load(con, "aws_cur", landing)

    assert result.rows_loaded == len(rows) == 1281 and not result.quarantined
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == sum(
        Decimal(r["lineItem/UnblendedCost"]) for r in rows
    )
    assert scalar(con, "SELECT count(*) FROM raw_aws_cur.line_items WHERE line_item_line_item_type = 'Tax'") == 12
    assert scalar(con, "SELECT billing_period FROM raw._loads") == "2023-11"


def test_legacy_cur_manifest_picks_its_assembly_and_tags_are_packed(con, landing):
    period = landing / "aws_cur" / "legacy" / "20260901-20261001"
    for assembly, cost in (("asm-old", "10.00"), ("asm-new", "12.50")):
        target = period / assembly / "legacy-1.csv"
        target.parent.mkdir(parents=True)
        target.write_text(LEGACY_HEADER + _legacy_line("l1", cost, "research", "prod") + _legacy_line("l2", "1.5"))
    (period / "legacy-Manifest.json").write_text(
        json.dumps({"assemblyId": "asm-new", "reportKeys": ["cur/legacy/20260901-20261001/asm-new/legacy-1.csv"]})
    )

    result = load(con, "aws_cur", landing)

    assert result.files_loaded == 1 and result.files_skipped == 1
    assert scalar(con, "SELECT sum(line_item_unblended_cost) FROM raw_aws_cur.line_items") == Decimal("14.00")
    assert (
        scalar(con, "SELECT resource_tags->>'user_team' FROM raw_aws_cur.line_items WHERE identity_line_item_id = 'l1'")
        == "research"
    )
    assert scalar(con, "SELECT resource_tags FROM raw_aws_cur.line_items WHERE identity_line_item_id = 'l2'") is None
    assert scalar(con, "SELECT product_instance_type FROM raw_aws_cur.line_items LIMIT 1") == "p5.48xlarge"
