"""Azure cost details through dbt: meters parsed, actual and amortized combined, FOCUS-valid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orchestration.run import run_pipeline
from pipelines.config import Settings
from pipelines.reconcile import conservation_report
from pipelines.warehouse import connect
from tests.conftest import FIXTURES, place

VALID = FIXTURES / "azure_cost" / "valid"
ACTUAL_TOTAL = Decimal("2360.22925")
PERIOD = "20261001-20261031"


@pytest.fixture(scope="module")
def azure_run(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("azure")
    landing = root / "landing"
    place(landing, f"azure_cost/mca-actual/{PERIOD}/run-1/part_0_0001.parquet", VALID / "mca_actual_2026_10.parquet")
    place(landing, f"azure_cost/mca-amortized/{PERIOD}/run-1/part_0_0001.csv", VALID / "mca_amortized_2026_10.csv")
    settings = Settings(landing=str(landing), warehouse=root / "warehouse" / "aicost.duckdb")
    outcome = run_pipeline(settings)
    assert outcome.success and outcome.failed_checks == []
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_billed_cost_is_the_actual_export_and_effective_cost_is_amortised(azure_run):
    ((billed, effective),) = _rows(
        azure_run, "SELECT sum(BilledCost), sum(EffectiveCost) FROM focus_cost_and_usage WHERE x_Source = 'azure_cost'"
    )
    assert billed == ACTUAL_TOTAL
    # the 500 PTU reservation is not counted twice: its purchase has EffectiveCost 0, the amortized export
    # spreads it over PTU hours (360) and the unused part (140)
    assert effective == ACTUAL_TOTAL
    purchase = _rows(
        azure_run,
        "SELECT BilledCost, EffectiveCost, CommitmentDiscountId FROM focus_cost_and_usage "
        "WHERE x_Source = 'azure_cost' AND ChargeCategory = 'Purchase'",
    )
    assert purchase == [(Decimal(500), Decimal(0), "res-0001")]
    unused = _rows(
        azure_run,
        "SELECT EffectiveCost, CommitmentDiscountStatus, ConsumedQuantity FROM focus_cost_and_usage "
        "WHERE CommitmentDiscountStatus = 'Unused'",
    )
    assert unused == [(Decimal(140), "Unused", None)]


def test_azure_openai_meters_parse_into_model_token_type_tier_and_scope(azure_run):
    rows = _rows(
        azure_run,
        "SELECT SkuMeter, x_ModelId, x_TokenType, x_ServiceTier, x_InferenceRegionScope, x_TokenCount "
        "FROM focus_cost_and_usage WHERE x_TokenType IS NOT NULL ORDER BY SkuMeter",
    )
    assert rows == [
        ("GPT 5 Outpt DZone 1M Tokens", "gpt-5-2025-08-07", "output", "standard", "data_zone", Decimal(250000)),
        ("gpt 4o 1120 Batch Outp glbl Tokens", "gpt-4o-2024-11-20", "output", "batch", "global", Decimal(300000)),
        (
            "gpt 4o 1120 cached Inp glbl Tokens",
            "gpt-4o-2024-11-20",
            "cache_read",
            "standard",
            "global",
            Decimal(400000),
        ),
        ("gpt-4o 1120 Inp glbl Tokens", "gpt-4o-2024-11-20", "input", "standard", "global", Decimal(1200500)),
    ]


def test_ptu_hours_and_gpu_virtual_machines_are_recognised(azure_run):
    ptu = _rows(
        azure_run,
        "SELECT x_ServiceTier, x_InferenceRegionScope, sum(ConsumedQuantity) FROM focus_cost_and_usage "
        "WHERE SkuMeter = 'Provisioned Managed Global Unit' GROUP BY ALL",
    )
    assert ptu == [("provisioned", "global", Decimal(1600))]
    gpu = _rows(
        azure_run,
        "SELECT x_InstanceType, x_GpuCount, ServiceName, SkuPriceDetails->>'GpuCount' FROM focus_cost_and_usage "
        "WHERE x_GpuCount IS NOT NULL",
    )
    assert gpu == [("Standard_ND96asr_v4", 8, "Virtual Machines", "8")]


def test_azure_tags_attribute_and_conservation_holds(azure_run):
    by_method = dict(
        _rows(
            azure_run,
            "SELECT x_AttributionMethod, sum(EffectiveCost) FROM focus_cost_and_usage WHERE x_Team = 'support' GROUP BY ALL",
        )
    )
    # tagged rows by their tags; the rest of the ai-prod subscription by the attribution_keys seed
    assert by_method == {"resource_tag": Decimal("3.50125"), "azure_subscription": Decimal("1704")}
    with connect(azure_run, read_only=True) as con:
        report = conservation_report(con, azure_run)
    assert [(r.source, r.billing_account_id, r.billing_period, r.currency) for r in report] == [
        ("azure_cost", "mca-0001:acct", "2026-10", "USD")
    ]
    assert report[0].difference == 0 and report[0].source_billed_cost == ACTUAL_TOTAL
