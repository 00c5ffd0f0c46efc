"""Providers' own FOCUS exports: loaded as-is, reconciled, and never counted twice with the native bill."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from orchestration.run import run_pipeline
from pipelines.config import Settings
from pipelines.reconcile import conservation_report
from pipelines.warehouse import connect
from tests.conftest import FIXTURES, place, place_cur_delivery

# FinOps Foundation FOCUS 1.0 sample (anonymised real AWS, Microsoft and Oracle data, CC BY 4.0; README beside it)
FOCUS_SAMPLE = FIXTURES / "aws_focus" / "real" / "focus_1.0_sample_1000rows.csv"


@pytest.fixture(scope="module")
def focus_run(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("focus")
    landing = root / "landing"
    place(landing, "aws_focus/focus-sample/data/BILLING_PERIOD=2024-09/part-00001.csv", FOCUS_SAMPLE)
    # October 2026 arrives both as CUR and as the FOCUS export of the same payer account.
    place_cur_delivery(landing, "2026-10", {"part-00001.csv.gz": FIXTURES / "aws_cur/valid/cur_2026_10.csv.gz"}, "e1")
    place(
        landing,
        "aws_focus/focus-export/data/BILLING_PERIOD=2026-10/part-00001.csv",
        FIXTURES / "aws_focus/valid/focus_2026_10_overlapping_cur.csv",
    )
    # Azure's FOCUS export of a billing account with no cost-details export: it is the bill.
    place(
        landing,
        "azure_cost/contoso-focus/20261001-20261031/run-1/part_0_0001.csv",
        FIXTURES / "aws_focus/valid/focus_2026_10_overlapping_cur.csv",
    )
    settings = Settings(landing=str(landing), warehouse=root / "warehouse" / "aicost.duckdb")
    outcome = run_pipeline(settings)
    assert outcome.success and outcome.failed_checks == []
    return settings


def test_focus_sample_loads_as_is_and_reconciles_per_account(focus_run):
    with FOCUS_SAMPLE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected: dict[str, Decimal] = {}
    for row in rows:
        expected[row["BillingAccountId"]] = expected.get(row["BillingAccountId"], Decimal(0)) + Decimal(
            row["BilledCost"]
        )

    with connect(focus_run, read_only=True) as con:
        actual = dict(
            con.execute(
                "SELECT BillingAccountId, sum(BilledCost) FROM focus_cost_and_usage "
                "WHERE x_Source = 'aws_focus' GROUP BY ALL"
            ).fetchall()
        )
        report = conservation_report(con, focus_run)

    assert actual == expected and len(actual) == 3
    assert report and all(r.difference == 0 for r in report)


def test_focus_export_of_a_period_the_cur_also_delivers_is_left_out(focus_run):
    with connect(focus_run, read_only=True) as con:
        sources = con.execute(
            "SELECT x_Source, count(*) FROM focus_cost_and_usage "
            "WHERE BillingPeriodStart = TIMESTAMP '2026-10-01' AND x_Source LIKE 'aws%' GROUP BY ALL"
        ).fetchall()
        report = {(r.source, r.billing_period) for r in conservation_report(con, focus_run)}

    assert sources == [("aws_cur", 5)]
    assert ("aws_focus", "2026-10") not in report and ("aws_cur", "2026-10") in report


def test_azure_focus_export_is_the_bill_where_no_cost_details_exist(focus_run):
    with connect(focus_run, read_only=True) as con:
        rows = con.execute(
            "SELECT x_SourceDataset, count(*), sum(BilledCost) FROM focus_cost_and_usage "
            "WHERE x_Source = 'azure_cost' GROUP BY ALL"
        ).fetchall()
        report = {(r.source, r.billing_period): r for r in conservation_report(con, focus_run)}

    assert rows == [("focus_export", 2, Decimal("98.389"))]
    assert report[("azure_cost", "2026-10")].difference == 0
    assert report[("azure_cost", "2026-10")].source_billed_cost == Decimal("98.389")
