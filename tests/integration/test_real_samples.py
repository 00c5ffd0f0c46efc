"""The real anonymised provider samples go through the whole pipeline and reconcile exactly.

Samples (tests/fixtures/*/real|legacy, from the focus_converters project, MIT licence beside each):
- AWS legacy CUR CSV: 1,281 rows, 94 `group/Name` columns, costs such as 1.81E-8;
- Azure EA cost details (actual): 27 rows, CAD, `M/D/YYYY` dates, brace-less tags, 10K/1K unit blocks.
"""

from __future__ import annotations

import csv
import shutil
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from orchestration.run import run_pipeline
from pipelines.config import Settings
from pipelines.reconcile import conservation_report
from pipelines.validate_focus import KNOWN_DEFECTS, validate_focus
from pipelines.warehouse import connect
from tests.conftest import FIXTURES

LEGACY_CUR = FIXTURES / "aws_cur" / "legacy" / "aws_legacy_cur_anonymized_sample.csv"
AZURE_EA = FIXTURES / "azure_cost" / "real" / "azure_ea_cost_details_anonymized_sample.csv"
TWELVE_PLACES = Decimal("1e-12")


def _column_total(path: Path, column: str) -> Decimal:
    with path.open(newline="", encoding="utf-8") as fh:
        # Costs are DECIMAL(38, 12): digits beyond the 12th place (Azure writes 6.65679E-09) round half-even.
        return sum(
            (Decimal(row[column]).quantize(TWELVE_PLACES, ROUND_HALF_EVEN) for row in csv.DictReader(fh)), Decimal(0)
        )


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("real")
    landing = root / "landing"
    for key, source in (
        ("aws_cur/legacy-report/20231101-20231201/legacy-report-1.csv", LEGACY_CUR),
        ("azure_cost/ea-actual/20230901-20230930/run-1/part_0_0001.csv", AZURE_EA),
    ):
        target = landing / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    settings = Settings(landing=str(landing), warehouse=root / "warehouse" / "aicost.duckdb")
    return settings, run_pipeline(settings)


def test_real_samples_run_with_every_check_passing(real_run):
    _, outcome = real_run
    assert outcome.success and outcome.failed_checks == []


def test_real_samples_reconcile_exactly_per_source_account_period_and_currency(real_run):
    settings, _ = real_run
    with connect(settings, read_only=True) as con:
        report = {
            (r.source, r.billing_account_id, r.billing_period, r.currency): r
            for r in conservation_report(con, settings)
        }
        focus = dict(con.execute("SELECT x_Source, sum(BilledCost) FROM focus_cost_and_usage GROUP BY ALL").fetchall())

    assert set(report) == {("aws_cur", "123412340534", "2023-11", "USD"), ("azure_cost", "12345678", "2023-09", "CAD")}
    assert all(r.difference == 0 for r in report.values())
    assert focus["aws_cur"] == _column_total(LEGACY_CUR, "lineItem/UnblendedCost") == Decimal("1.6823086974")
    assert focus["azure_cost"] == _column_total(AZURE_EA, "CostInBillingCurrency")
    # to the cent against the file's own unrounded total
    assert abs(focus["azure_cost"] - Decimal("1.26136926505726")) < Decimal("0.000000000001") * 27


def test_azure_quantities_are_in_units_and_tags_are_objects(real_run):
    settings, _ = real_run
    with connect(settings, read_only=True) as con:
        row = con.execute(
            "SELECT ConsumedQuantity, ConsumedUnit, Tags->>'tagA', ChargePeriodStart, BillingPeriodEnd "
            "FROM focus_cost_and_usage WHERE x_Source = 'azure_cost' AND SkuMeter = 'Class 2 Operations'"
        ).fetchone()
    # 0.0129 blocks of 10K operations
    assert row[0] == Decimal("129") and row[1] == "Units"
    assert row[2] == "valueA"
    assert str(row[3]) == "2023-09-02 00:00:00" and str(row[4]) == "2023-10-01 00:00:00"


def test_billing_currencies_stay_apart_and_convert_at_the_dated_rate(real_run):
    settings, _ = real_run
    with connect(settings, read_only=True) as con:
        rows = con.execute(
            "SELECT BillingCurrency, x_ReportingCurrency, any_value(x_ReportingCurrencyRate), "
            "sum(BilledCost), sum(x_ReportingBilledCost) FROM focus_cost_and_usage GROUP BY ALL ORDER BY 1"
        ).fetchall()
    cad, usd = rows
    # CAD (the Azure sample, September 2023) converts at the fx_rates seed's rate; USD at 1
    assert cad[:3] == ("CAD", "USD", Decimal("0.7300000000"))
    # each row converts and rounds at the 12th place: 27 rows differ from the converted total by < 27e-12
    assert abs(cad[4] - cad[3] * Decimal("0.73")) < Decimal("27e-12")
    assert usd[:3] == ("USD", "USD", Decimal(1)) and usd[4] == usd[3]


def test_real_samples_pass_the_focus_validator(real_run):
    settings, _ = real_run
    with connect(settings, read_only=True) as con:
        result = validate_focus(con)
    assert result.rows == 1281 + 27
    assert set(result.failures) <= KNOWN_DEFECTS
