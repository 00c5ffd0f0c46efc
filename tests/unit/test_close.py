"""The period close on a small synthetic warehouse: versions, manifests, diffs, refusals.

The warehouse is built here with exactly the relations the export and the close read (the dbt marts'
interface), two providers in two currencies, a September month beside October, and a restatement of one
OpenAI bill page. Its builder is shared with the export and CLI tests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.cli import EXIT_CHECKS_FAILED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from pipelines.close import (
    CloseRefused,
    VersionNotFound,
    close_month,
    closed_file,
    list_closed,
    store_root,
    versions,
)
from pipelines.config import Settings
from pipelines.export import CHARGEBACK_COLUMNS, allocate_cents
from pipelines.load.manifest import ensure_manifest

MONTH = "2026-10"
D = Decimal
CENT = D("0.01")
LOADED_AT = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
RESTATED_AT = datetime(2026, 11, 9, 6, 0, tzinfo=UTC)
BILL_TABLES = {
    "openai_usage": "raw_openai_usage.costs",
    "anthropic_usage": "raw_anthropic_usage.cost_report",
}


@dataclass(frozen=True)
class Charge:
    """One row of rpt_chargeback_monthly (and of fct_ai_costs_allocated, and a FOCUS charge)."""

    provider: str
    account: str
    source: str
    currency: str
    cost_centre_id: str
    cost_centre_name: str
    team: str
    application: str
    model_id: str
    billed: str
    effective: str
    category: str = "usage"
    environment: str = "prod"
    is_ai: bool = True
    month: str = MONTH
    internal_price: str | None = None


@dataclass(frozen=True)
class Load:
    """One row of raw._loads; bill loads also put their amount (a day's page) into the source's raw table."""

    load_id: str
    source: str
    path: str
    sha256: str
    billing_period: str = MONTH
    status: str = "loaded"
    day: int = 1
    amount: str | None = None
    currency: str = "USD"
    loaded_at: datetime = LOADED_AT


@dataclass(frozen=True)
class Scenario:
    """Everything the synthetic warehouse holds."""

    charges: tuple[Charge, ...]
    loads: tuple[Load, ...]
    # (provider, currency, day) -> (invoiced, unexplained)
    reconciliation: dict[tuple[str, str, int], tuple[str, str]] = field(default_factory=dict)


def _oai(cc: str, name: str, team: str, app: str, model: str, billed: str, effective: str, **kw) -> Charge:
    return Charge("OpenAI", "org-demo", "openai_usage", "USD", cc, name, team, app, model, billed, effective, **kw)


def _ant(cc: str, name: str, team: str, app: str, model: str, billed: str, effective: str) -> Charge:
    return Charge(
        "Anthropic", "anthropic-org-demo", "anthropic_usage", "EUR", cc, name, team, app, model, billed, effective
    )


BOOKED = Scenario(
    charges=(
        _oai(
            "CC-100", "Support", "support", "bot", "gpt-4o", "60.070000000003", "55.070000000003", internal_price="66.1"
        ),
        _oai("CC-200", "Search", "search", "finder", "gpt-4o-mini", "30.035000000001", "30.035000000001"),
        _oai("Unallocated", "Unallocated", "Unallocated", "Unallocated", "", "10", "10", category="unallocated"),
        _oai("CC-100", "Support", "support", "bot", "gpt-4o", "5", "5", month="2026-09"),
        # a tie in the largest-remainder rule: the mart gives the cent to CC-100 (15.01), not half-up per row
        _ant("CC-100", "Support", "support", "bot", "claude-sonnet-4", "15.0025", "15.0025"),
        _ant("CC-300", "Legal", "legal", "contracts", "claude-haiku", "10.0025", "10.0025"),
    ),
    loads=(
        Load(
            "L-oai-1", "openai_usage", "openai_usage/costs/2026-10-01.json", "a1" * 32, day=1, amount="70.000000000004"
        ),
        Load("L-oai-2", "openai_usage", "openai_usage/costs/2026-10-02.json", "b2" * 32, day=2, amount="30.105"),
        Load("L-oai-sep", "openai_usage", "openai_usage/costs/2026-09-30.json", "c3" * 32, "2026-09", amount="5"),
        Load(
            "L-ant-1",
            "anthropic_usage",
            "anthropic_usage/cost_report/2026-10-01.json",
            "d4" * 32,
            amount="2500.5",
            currency="EUR",
        ),
        Load("L-llm-1", "litellm", "litellm/spend_logs_2026-10.parquet", "e5" * 32, billing_period="2026-09,2026-10"),
        Load("L-llm-dup", "litellm", "litellm/copy/spend_logs_2026-10.parquet", "e5" * 32, status="skipped"),
    ),
    reconciliation={
        ("OpenAI", "USD", 1): ("60", "1.2"),
        ("OpenAI", "USD", 2): ("35.105000000004", "-0.8"),
        ("Anthropic", "EUR", 1): ("25.005", "0.5"),
        ("OpenAI", "USD", 30): ("5", "4"),  # September: never counted for October
    },
)


def restated(scenario: Scenario = BOOKED) -> Scenario:
    """OpenAI re-issues the 2 October page (+10.00, all of it Search's): the file is rewritten in place."""
    charges = tuple(
        replace(c, billed="40.035000000001", effective="40.035000000001") if c.cost_centre_id == "CC-200" else c
        for c in scenario.charges
    )
    restated_page = Load(
        "L-oai-2b",
        "openai_usage",
        "openai_usage/costs/2026-10-02.json",
        "f6" * 32,
        day=2,
        amount="40.105",
        loaded_at=RESTATED_AT,
    )
    loads = (*(replace(x, status="replaced") if x.load_id == "L-oai-2" else x for x in scenario.loads), restated_page)
    reconciliation = dict(scenario.reconciliation)
    reconciliation[("OpenAI", "USD", 2)] = ("45.105000000004", "-0.8")
    return Scenario(charges, loads, reconciliation)


def _cents_by_group(charges: tuple[Charge, ...], attr: str) -> list[Decimal]:
    """The mart's cents: largest remainder per provider, billing account, period and currency."""
    cents: list[Decimal] = [D(0)] * len(charges)
    groups: dict[tuple, list[int]] = {}
    for i, c in enumerate(charges):
        groups.setdefault((c.provider, c.account, c.month, c.currency), []).append(i)
    for indexes in groups.values():
        for i, value in zip(indexes, allocate_cents([D(getattr(charges[i], attr)) for i in indexes]), strict=True):
            cents[i] = value
    return cents


def write_warehouse(path: Path, scenario: Scenario = BOOKED) -> None:
    """(Re)writes the synthetic warehouse: raw tables and raw._loads, FOCUS, the allocation and the marts."""
    charges = scenario.charges
    billed_cents = _cents_by_group(charges, "billed")
    effective_cents = _cents_by_group(charges, "effective")
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        ensure_manifest(con)
        con.execute("DELETE FROM raw._loads")
        for i, x in enumerate(scenario.loads):
            con.execute(
                "INSERT INTO raw._loads (load_id, source, raw_table, path, sha256, bytes, rows, billing_period, "
                "status, loaded_at, seq) VALUES (?, ?, ?, ?, ?, 100, 1, ?, ?, ?, ?)",
                [
                    *(x.load_id, x.source, BILL_TABLES.get(x.source), x.path, x.sha256, x.billing_period),
                    *(x.status, x.loaded_at, i),
                ],
            )
        con.execute("CREATE SCHEMA IF NOT EXISTS raw_openai_usage")
        con.execute("CREATE SCHEMA IF NOT EXISTS raw_anthropic_usage")
        con.execute(
            "CREATE OR REPLACE TABLE raw_openai_usage.costs (bucket_start_time TIMESTAMPTZ, amount_value DECIMAL(38, 12), "
            "amount_currency VARCHAR, _load_id VARCHAR, _loaded_at TIMESTAMPTZ, _source_file VARCHAR)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw_anthropic_usage.cost_report (bucket_starting_at TIMESTAMPTZ, "
            "amount_cents DECIMAL(38, 12), currency VARCHAR, _load_id VARCHAR, _loaded_at TIMESTAMPTZ, "
            "_source_file VARCHAR)"
        )
        for x in scenario.loads:
            if x.amount is None or x.status not in ("loaded", "superseded"):
                continue  # replaced and removed loads have no rows left in the raw table
            year, month = (int(p) for p in x.billing_period.split("-"))
            bucket = datetime(year, month, x.day, tzinfo=UTC)
            table = BILL_TABLES[x.source]
            con.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
                [bucket, D(x.amount), x.currency.lower(), x.load_id, x.loaded_at, x.path],
            )
        con.execute(
            "CREATE OR REPLACE TABLE main.focus_cost_and_usage (ProviderName VARCHAR, BillingAccountId VARCHAR, "
            "BillingPeriodStart TIMESTAMP, BillingCurrency VARCHAR, BilledCost DECIMAL(38, 12), "
            "EffectiveCost DECIMAL(38, 12), x_Source VARCHAR)"
        )
        con.execute(
            "CREATE OR REPLACE TABLE main.fct_ai_costs_allocated (provider_name VARCHAR, billing_account_id VARCHAR, "
            "billing_period VARCHAR, billing_currency VARCHAR, cost_centre_id VARCHAR, billed_cost DECIMAL(38, 12), "
            "effective_cost DECIMAL(38, 12), billed_cost_cents DECIMAL(38, 2), effective_cost_cents DECIMAL(38, 2))"
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE main.rpt_chargeback_monthly (
                billing_period VARCHAR, billing_currency VARCHAR, cost_centre_id VARCHAR, cost_centre_name VARCHAR,
                team VARCHAR, application VARCHAR, environment VARCHAR, provider_name VARCHAR,
                billing_account_id VARCHAR, model_id VARCHAR, is_ai BOOLEAN, allocation_category VARCHAR,
                billed_cost DECIMAL(38, 12), effective_cost DECIMAL(38, 12), billed_cost_cents DECIMAL(38, 2),
                effective_cost_cents DECIMAL(38, 2), tax_cost DECIMAL(38, 12), credit_cost DECIMAL(38, 12),
                internal_price DECIMAL(38, 12), charge_rows BIGINT)
            """
        )
        for c, bc, ec in zip(charges, billed_cents, effective_cents, strict=True):
            start = datetime.strptime(c.month, "%Y-%m")
            con.execute(
                "INSERT INTO main.focus_cost_and_usage VALUES (?, ?, ?, ?, ?, ?, ?)",
                [c.provider, c.account, start, c.currency, D(c.billed), D(c.effective), c.source],
            )
            con.execute(
                "INSERT INTO main.fct_ai_costs_allocated VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [c.provider, c.account, c.month, c.currency, c.cost_centre_id, D(c.billed), D(c.effective), bc, ec],
            )
            con.execute(
                "INSERT INTO main.rpt_chargeback_monthly VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    *(c.month, c.currency, c.cost_centre_id, c.cost_centre_name, c.team, c.application),
                    *(c.environment, c.provider, c.account, c.model_id, c.is_ai, c.category),
                    *(D(c.billed), D(c.effective), bc, ec, D(0), D(0)),
                    D(c.internal_price) if c.internal_price else None,
                    3,
                ],
            )
        con.execute(
            "CREATE OR REPLACE TABLE main.rpt_reconciliation_daily (billing_date DATE, billing_period VARCHAR, "
            "provider_name VARCHAR, billing_currency VARCHAR, invoiced_cost DECIMAL(38, 12), "
            "unexplained_cost DECIMAL(38, 12))"
        )
        for (provider, currency, day), (invoiced, unexplained) in scenario.reconciliation.items():
            period = "2026-09" if day == 30 else MONTH
            con.execute(
                "INSERT INTO main.rpt_reconciliation_daily VALUES (?, ?, ?, ?, ?, ?)",
                [f"{period}-{day:02d}", period, provider, currency, D(invoiced), D(unexplained)],
            )


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Settings come from this test only: its own folder, exports under it, no aicost.toml or variables."""
    monkeypatch.chdir(tmp_path)
    for name in ("AICOST_CONFIG", "AICOST_WAREHOUSE", "AICOST_CLOSE_TOLERANCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AICOST_EXPORTS", str(tmp_path / "exports"))


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "wh" / "aicost.duckdb"
    path.parent.mkdir()
    write_warehouse(path)
    return path


@pytest.fixture
def settings(tmp_path, warehouse) -> Settings:
    return Settings(warehouse=warehouse, exports_dir=tmp_path / "exports")


def _close(settings: Settings, scenario: Scenario | None = None, **kw):
    if scenario is not None:
        write_warehouse(settings.warehouse, scenario)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return close_month(con, MONTH, store=store_root(settings.exports_dir), settings=settings, **kw)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _tree(root: Path) -> dict[str, bytes]:
    return (
        {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        if root.exists()
        else {}
    )


def test_first_close_writes_csv_parquet_and_manifest_read_only_with_totals_and_checksums(settings):
    result = _close(settings, now=datetime(2026, 11, 3, 9, 30, tzinfo=UTC))

    folder = settings.exports_dir / "closed" / MONTH / "v1"
    assert result.created and result.version == 1 and result.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "chargeback_2026-10_v1.csv",
        "chargeback_2026-10_v1.parquet",
        "manifest.json",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in folder.iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest == result.manifest
    assert (manifest["month"], manifest["version"], manifest["basis"]) == (MONTH, 1, "billed")
    assert manifest["created_at"] == "2026-11-03T09:30:00Z"
    assert manifest["files"]["csv"]["sha256"] == _sha(folder / "chargeback_2026-10_v1.csv")
    assert manifest["files"]["parquet"]["sha256"] == _sha(folder / "chargeback_2026-10_v1.parquet")
    assert manifest["totals"]["by_currency"] == {
        "EUR": {
            "billed_cost": "25.005000000000",
            "billed_cost_rounded": "25.01",
            "effective_cost": "25.005000000000",
            "effective_cost_rounded": "25.01",
            "amount": "25.005000000000",
            "amount_rounded": "25.01",
        },
        "USD": {
            "billed_cost": "100.105000000004",
            "billed_cost_rounded": "100.11",
            "effective_cost": "95.105000000004",
            "effective_cost_rounded": "95.11",
            "amount": "100.105000000004",
            "amount_rounded": "100.11",
        },
    }
    assert set(manifest["totals"]["by_provider"]) == {"Anthropic", "OpenAI"}
    assert manifest["totals"]["by_provider"]["OpenAI"]["USD"]["billed_cost_rounded"] == "100.11"
    assert manifest["row_counts"] == {"rows": 5, "charge_rows": 15, "by_currency": {"EUR": 2, "USD": 3}}
    # the inputs: October's loaded files only (not September's page, not the skipped copy), with the gateway log
    assert [(i["load_id"], i["source"], i["provider"], i["path"]) for i in manifest["inputs"]] == [
        ("L-ant-1", "anthropic_usage", "Anthropic", "anthropic_usage/cost_report/2026-10-01.json"),
        ("L-llm-1", "litellm", None, "litellm/spend_logs_2026-10.parquet"),
        ("L-oai-1", "openai_usage", "OpenAI", "openai_usage/costs/2026-10-01.json"),
        ("L-oai-2", "openai_usage", "OpenAI", "openai_usage/costs/2026-10-02.json"),
    ]
    assert manifest["inputs"][0]["sha256"] == "d4" * 32
    assert manifest["conservation"]["holds"] is True
    source_to_focus = manifest["conservation"]["source_to_focus"]
    assert {r["source"] for r in source_to_focus} == {"anthropic_usage", "openai_usage"}
    assert all(D(r["difference"]) == 0 for r in source_to_focus)
    reconciliation = manifest["reconciliation"]
    assert reconciliation["tolerance"] == "0.05" and reconciliation["within_tolerance"] is True
    assert reconciliation["by_currency"]["USD"]["ratio"] == "0.021029"  # (1.2 + 0.8) / 95.105...
    assert {(p["provider"], p["currency"], p["unexplained_cost"]) for p in reconciliation["by_provider"]} == {
        ("Anthropic", "EUR", "0.500000000000"),
        ("OpenAI", "USD", "0.400000000000"),
    }


def test_published_csv_sums_to_the_invoices_and_parquet_holds_the_same_decimals(settings):
    result = _close(settings)

    rows = _rows(result.folder / "chargeback_2026-10_v1.csv")
    table = pq.read_table(result.folder / "chargeback_2026-10_v1.parquet")
    assert tuple(table.schema.names) == CHARGEBACK_COLUMNS
    assert str(table.schema.field("amount").type) == "decimal128(38, 12)"
    assert [str(v) for v in table.column("billed_cost_rounded").to_pylist()] == [r["billed_cost_rounded"] for r in rows]
    usd = [r for r in rows if r["currency"] == "USD"]
    assert sum(D(r["amount"]) for r in usd) == D("100.105000000004")
    assert sum(D(r["amount_rounded"]) for r in usd) == D("100.105000000004").quantize(CENT, ROUND_HALF_UP)


def test_closing_again_with_unchanged_data_is_a_no_op(settings, capsys):
    first = _close(settings)
    before = _tree(settings.exports_dir)

    code = main(["close", "--month", MONTH, "--warehouse", str(settings.warehouse)])

    assert code == EXIT_OK
    assert "already closed as v1; nothing changed" in capsys.readouterr().out
    assert _tree(settings.exports_dir) == before
    assert versions(store_root(settings.exports_dir), MONTH) == [first.version]


def test_restated_month_gives_v2_with_a_diff_naming_the_replaced_load_and_leaves_v1_alone(settings):
    v1 = _close(settings)
    v1_files = {p.name: (_sha(p), stat.S_IMODE(p.stat().st_mode)) for p in v1.folder.iterdir()}

    v2 = _close(settings, restated())

    assert v2.created and v2.version == 2
    assert {p.name: (_sha(p), stat.S_IMODE(p.stat().st_mode)) for p in v1.folder.iterdir()} == v1_files
    assert sorted(p.name for p in v2.folder.iterdir()) == [
        "chargeback_2026-10_v2.csv",
        "chargeback_2026-10_v2.parquet",
        "diff_from_v1.csv",
        "manifest.json",
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in v2.folder.iterdir())
    diff = {(r["cost_centre_id"], r["currency"]): r for r in _rows(v2.folder / "diff_from_v1.csv")}
    assert set(diff) == {
        ("CC-100", "EUR"),
        ("CC-300", "EUR"),
        ("CC-100", "USD"),
        ("CC-200", "USD"),
        ("Unallocated", "USD"),
    }
    search = diff[("CC-200", "USD")]
    assert (search["booked"], search["restated"], search["change"]) == (
        "30.035000000001",
        "40.035000000001",
        "10.000000000000",
    )
    assert (search["booked_rounded"], search["restated_rounded"], search["change_rounded"]) == (
        "30.04",
        "40.04",
        "10.00",
    )
    assert search["why"].startswith(f"OpenAI: replaced openai_usage/costs/2026-10-02.json ({'b2' * 6} -> {'f6' * 6})")
    assert "attribution inputs" not in search["why"]
    assert {k: r["why"] for k, r in diff.items() if k != ("CC-200", "USD")} == dict.fromkeys(
        [("CC-100", "EUR"), ("CC-300", "EUR"), ("CC-100", "USD"), ("Unallocated", "USD")], "unchanged"
    )
    assert sum(D(r["booked"]) for r in diff.values() if r["currency"] == "USD") == D("100.105000000004")
    assert sum(D(r["restated"]) for r in diff.values() if r["currency"] == "USD") == D("110.105000000004")
    manifest = v2.manifest
    assert manifest["previous_version"] == 1
    assert manifest["files"]["diff"]["sha256"] == _sha(v2.folder / "diff_from_v1.csv")
    assert [
        (c["change"], c["provider"], c["load_id_before"], c["load_id_after"])
        for c in manifest["changes_from_previous"]["inputs"]
    ] == [("replaced", "OpenAI", "L-oai-2", "L-oai-2b")]
    assert manifest["totals"]["by_currency"]["USD"]["billed_cost_rounded"] == "110.11"

    # and a third close of the restated data changes nothing
    again = _close(settings)
    assert not again.created and again.version == 2


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param(
            "UPDATE main.focus_cost_and_usage SET BilledCost = BilledCost + 0.01 "
            "WHERE ProviderName = 'Anthropic' AND BilledCost = 10.0025",
            "conservation (source files to FOCUS): anthropic_usage anthropic-org-demo EUR: files 25.005",
            id="focus-differs-from-the-files",
        ),
        pytest.param(
            "UPDATE main.fct_ai_costs_allocated SET billed_cost = billed_cost - 0.000000000001 "
            "WHERE cost_centre_id = 'CC-200'",
            "conservation (fct_ai_costs_allocated to FOCUS): OpenAI org-demo USD: billed 100.105000000003 vs FOCUS "
            "100.105000000004",
            id="allocation-loses-a-fraction",
        ),
        pytest.param(
            "UPDATE main.fct_ai_costs_allocated SET effective_cost_cents = effective_cost_cents + 0.01 "
            "WHERE cost_centre_id = 'CC-300'",
            "conservation (fct_ai_costs_allocated to FOCUS): Anthropic anthropic-org-demo EUR: effective cents sum to "
            "25.02, the exact total rounds to 25.01",
            id="allocated-cents-do-not-add-up",
        ),
        pytest.param(
            "UPDATE main.rpt_chargeback_monthly SET billed_cost_cents = billed_cost_cents - 0.01 "
            "WHERE cost_centre_id = 'Unallocated'",
            "conservation (chargeback to FOCUS): OpenAI org-demo USD: billed cents sum to 100.10",
            id="chargeback-cents-do-not-add-up",
        ),
    ],
)
def test_conservation_mismatch_refuses_with_exit_2_and_writes_nothing(settings, capsys, sql, expected):
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(sql)

    code = main(["close", "--month", MONTH, "--warehouse", str(settings.warehouse)])

    assert code == EXIT_CHECKS_FAILED
    err = capsys.readouterr().err
    assert err.startswith(f"refused: {MONTH} not closed, nothing written")
    assert expected in err
    assert _tree(settings.exports_dir) == {}


def test_too_much_unexplained_variance_refuses_unless_the_tolerance_allows_it(settings, monkeypatch, capsys):
    noisy = dict(BOOKED.reconciliation)
    noisy[("OpenAI", "USD", 1)] = ("60", "9.2")  # (9.2 + 0.8) / 95.105... = 0.105
    write_warehouse(settings.warehouse, Scenario(BOOKED.charges, BOOKED.loads, noisy))
    argv = ["close", "--month", MONTH, "--warehouse", str(settings.warehouse)]

    assert main(argv) == EXIT_CHECKS_FAILED
    err = capsys.readouterr().err
    assert (
        "reconciliation: USD: unexplained 10.000000000000 of invoiced 95.105000000004 (sums of absolute daily "
        "values) is a ratio of 0.105147, above close_tolerance 0.05"
    ) in err
    assert "EUR" not in err.split("reconciliation:")[1]
    assert _tree(settings.exports_dir) == {}

    monkeypatch.setenv("AICOST_CLOSE_TOLERANCE", "0.11")
    assert main(argv) == EXIT_OK
    manifest = json.loads((settings.exports_dir / "closed" / MONTH / "v1" / "manifest.json").read_text())
    assert manifest["reconciliation"]["tolerance"] == "0.11"


def test_close_tolerance_is_a_setting_from_toml_and_environment(tmp_path, monkeypatch):
    config = tmp_path / "aicost.toml"
    config.write_text("[aicost]\nclose_tolerance = 0.02\n")

    assert Settings().close_tolerance_fraction == D("0.05")
    assert Settings.load(config_file=config).close_tolerance_fraction == D("0.02")
    monkeypatch.setenv("AICOST_CLOSE_TOLERANCE", "0.1")
    assert Settings.load(config_file=config).close_tolerance_fraction == D("0.1")
    for wrong in ("five percent", "-0.1", "NaN"):
        monkeypatch.setenv("AICOST_CLOSE_TOLERANCE", wrong)
        with pytest.raises(ValueError, match="close_tolerance must be a non-negative decimal number"):
            Settings.load(config_file=config)


def test_close_tolerance_survives_the_dagster_resource_round_trip():
    from orchestration.defs.resources import warehouse_resource

    settings = Settings(close_tolerance="0.125")

    assert warehouse_resource(settings).settings.close_tolerance_fraction == D("0.125")


def test_effective_basis_close_publishes_effective_amounts(settings):
    result = _close(settings, basis="effective")

    rows = _rows(result.folder / "chargeback_2026-10_v1.csv")
    assert {r["basis"] for r in rows} == {"effective"}
    assert all(r["amount"] == r["effective_cost"] and r["amount_rounded"] == r["effective_cost_rounded"] for r in rows)
    assert result.manifest["totals"]["by_currency"]["USD"]["amount_rounded"] == "95.11"


def test_a_month_without_charges_is_not_closed(settings, capsys):

    code = main(["close", "--month", "2026-08", "--warehouse", str(settings.warehouse)])

    assert code == EXIT_FAILED
    assert "no charges for billing period 2026-08" in capsys.readouterr().err
    assert _tree(settings.exports_dir) == {}


def test_close_list_shows_each_version_with_its_totals(settings, capsys):
    _close(settings, now=datetime(2026, 11, 3, tzinfo=UTC))
    _close(settings, restated(), now=datetime(2026, 11, 10, tzinfo=UTC))
    capsys.readouterr()

    assert main(["close", "--list", "--month", MONTH]) == EXIT_OK

    assert capsys.readouterr().out.splitlines() == [
        "2026-10 v1  closed 2026-11-03T00:00:00Z  billed  5 rows  EUR 25.01, USD 100.11",
        "2026-10 v2  closed 2026-11-10T00:00:00Z  billed  5 rows  EUR 25.01, USD 110.11; diff_from_v1.csv",
    ]
    assert [m["version"] for m in list_closed(store_root(settings.exports_dir))] == [1, 2]


def test_closed_file_of_a_missing_version_names_the_versions_there(settings):
    _close(settings)

    with pytest.raises(VersionNotFound, match=r"2026-10 has no closed version v3 \(closed versions: v1\)"):
        closed_file(store_root(settings.exports_dir), MONTH, 3)


def test_refusal_lists_every_failed_check(settings):
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("UPDATE main.rpt_reconciliation_daily SET unexplained_cost = invoiced_cost")
        con.execute("UPDATE main.fct_ai_costs_allocated SET billed_cost = 0 WHERE cost_centre_id = 'CC-300'")

    with pytest.raises(CloseRefused) as refused:
        _close(settings)

    assert len(refused.value.failures) == 4  # EUR billed + billed cents of the allocation, USD and EUR variance
    assert not store_root(settings.exports_dir).exists()


def test_close_of_an_impossible_month_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["close", "--month", "2026-13"])

    assert exited.value.code == EXIT_USAGE
    assert "invalid billing month '2026-13': expected YYYY-MM" in capsys.readouterr().err
