"""The whole pipeline, through the real Dagster job, dbt build and DuckDB, on a generated demo month."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.run import run_pipeline
from pipelines.alerts import collect_alerts
from pipelines.config import Settings
from pipelines.demo.generate import DemoOptions, generate
from pipelines.export import export_chargeback
from pipelines.reconcile import conservation_report
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, DEMO_SCALE, billed_totals_from_files, copy_landing, read_csv_text
from tests.tools.mart_digest import differences, digests

MARTS = (
    "focus_cost_and_usage",
    "fct_llm_requests",
    "rpt_showback_daily",
    "rpt_chargeback_monthly",
    "rpt_cost_per_outcome",
    "rpt_unit_costs_daily",
    "rpt_ai_kpis_monthly",
    "rpt_budget_status",
    "rpt_optimization_opportunities",
)


def _query(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_run_succeeds_with_every_check_passing(demo_run):
    assert demo_run.outcome.success
    assert demo_run.outcome.failed_checks == []
    assert demo_run.outcome.materialized > 20


def test_every_mart_and_the_chargeback_csv_match_the_recorded_digests(demo_run, tmp_path):
    """The demo's tables and chargeback CSV, as recorded before the last refactor: a refactor changes nothing.

    When a change is meant to change the demo's results, record them again (and say so in the commit):
    ``python -m tests.tools.mart_digest <warehouse> --chargeback <csv> --write tests/fixtures/demo_mart_digests.json``
    on the warehouse of ``make demo SCALE=0.2 SEED=7``.
    """
    with connect(demo_run.settings, read_only=True) as con:
        export = export_chargeback(con, DEMO_MONTH, tmp_path / "chargeback.csv")
    recorded = json.loads((Path(__file__).parents[1] / "fixtures" / "demo_mart_digests.json").read_text())

    actual = digests(demo_run.settings.warehouse, export.path)

    assert differences(recorded, actual) == []


def test_focus_billed_cost_equals_the_source_files_per_provider_and_month(demo_run):
    expected = billed_totals_from_files(demo_run.landing)

    actual = {
        (provider, period, currency): total
        for provider, period, currency, total in _query(
            demo_run.settings,
            "SELECT ProviderName, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, sum(BilledCost) "
            "FROM focus_cost_and_usage GROUP BY ALL",
        )
    }

    assert set(expected) == {
        (provider, DEMO_MONTH, "USD")
        for provider in ("Amazon Web Services", "Microsoft", "Google Cloud", "OpenAI", "Anthropic")
    }
    assert actual == expected
    assert all(total > 0 for total in expected.values())


def test_conservation_holds_per_source_account_period_and_currency(demo_run):
    with connect(demo_run.settings, read_only=True) as con:
        report = conservation_report(con, demo_run.settings)

    assert {row.source for row in report} == {
        "aws_cur",
        "aws_focus",
        "azure_cost",
        "gcp_billing",
        "openai_usage",
        "anthropic_usage",
    }
    assert all(row.difference == 0 and row.source_billed_cost != 0 for row in report)


def test_chargeback_csv_sums_to_the_invoice_and_is_deterministic(demo_run, tmp_path):
    invoice = sum(billed_totals_from_files(demo_run.landing).values(), Decimal(0))
    with connect(demo_run.settings, read_only=True) as con:
        first = export_chargeback(con, DEMO_MONTH, tmp_path / "a.csv")
        second = export_chargeback(con, DEMO_MONTH, tmp_path / "b.csv")

    rows = read_csv_text(first.path.read_text())
    assert sum(Decimal(r["billed_cost"]) for r in rows) == invoice
    # the cents add up to each invoice (provider billing account) rounded to the cent, and so to their sum
    per_invoice = _query(
        demo_run.settings,
        "SELECT ProviderName, BillingAccountId, sum(BilledCost) FROM focus_cost_and_usage GROUP BY ALL",
    )
    assert sum(Decimal(r["billed_cost_rounded"]) for r in rows) == sum(
        (cost.quantize(Decimal("0.01"), ROUND_HALF_UP) for _, _, cost in per_invoice), Decimal(0)
    )
    assert first.path.read_bytes() == second.path.read_bytes()
    focus_effective = _query(
        demo_run.settings,
        f"SELECT sum(EffectiveCost) FROM focus_cost_and_usage WHERE strftime(BillingPeriodStart, '%Y-%m') = '{DEMO_MONTH}'",
    )[0][0]
    assert sum(Decimal(r["effective_cost"]) for r in rows) == focus_effective
    assert {r["currency"] for r in rows} == {"USD"}
    # shadow AI (the unmapped sandbox account and hackathon project) is an explicit Unallocated row
    unallocated = [r for r in rows if r["cost_centre_id"] == "Unallocated"]
    assert {r["provider"] for r in unallocated} == {"Amazon Web Services", "OpenAI"}
    assert all(Decimal(r["billed_cost"]) != 0 for r in unallocated)


def test_gateway_requests_are_one_row_each_with_disjoint_tokens(demo_run):
    files = sorted(demo_run.landing.glob("litellm/**/*.parquet"))
    file_rows = sum(pq.read_metadata(f).num_rows for f in files)
    prompt_tokens = sum(sum(pq.read_table(f, columns=["prompt_tokens"]).column(0).to_pylist()) for f in files)

    n, distinct, tokens_in, negative = _query(
        demo_run.settings,
        "SELECT count(*), count(DISTINCT request_id), sum(input_tokens + cache_read_tokens + cache_write_tokens), "
        "count(*) FILTER (WHERE least(input_tokens, cache_read_tokens, cache_write_tokens, output_tokens) < 0) "
        "FROM fct_llm_requests WHERE request_source = 'litellm'",
    )[0]

    assert n == distinct == file_rows
    assert tokens_in == prompt_tokens
    assert negative == 0


def test_running_twice_changes_nothing(demo_run):
    before = {m: _query(demo_run.settings, f"SELECT * FROM {m} ORDER BY ALL") for m in MARTS}
    loads_before = _query(demo_run.settings, "SELECT * FROM raw._loads ORDER BY load_id")
    detections = "SELECT anomaly_id, first_detected_at FROM int_anomaly_detections ORDER BY ALL"
    detected_before = _query(demo_run.settings, detections)

    outcome = run_pipeline(demo_run.settings)
    # `make demo` again: the same files written anew (new modification times, same bytes)
    generate(DemoOptions(landing=demo_run.landing, scale=DEMO_SCALE, seed=7, month=DEMO_MONTH))
    again = run_pipeline(demo_run.settings)

    for result in (outcome, again):
        assert result.success and result.failed_checks == []
    assert _query(demo_run.settings, "SELECT * FROM raw._loads WHERE status <> 'loaded'") == []
    assert _query(demo_run.settings, "SELECT * FROM raw._loads ORDER BY load_id") == loads_before
    for mart, rows in before.items():
        assert _query(demo_run.settings, f"SELECT * FROM {mart} ORDER BY ALL") == rows, mart
    # each anomaly keeps its first detection, and a run that found nothing new alerts about no anomaly
    assert detected_before and _query(demo_run.settings, detections) == detected_before
    with connect(demo_run.settings, read_only=True) as con:
        assert {a.kind for a in collect_alerts(con)} == {"budget"}


def test_corrupted_files_are_quarantined_and_everything_else_loads(demo_run, tmp_path):
    landing = copy_landing(demo_run.landing, tmp_path / "landing")
    spend_logs = sorted(landing.glob("litellm/**/*.parquet"))
    broken_log = spend_logs[3]
    lost_rows = pq.read_metadata(broken_log).num_rows
    total_rows = sum(pq.read_metadata(f).num_rows for f in spend_logs)
    broken_log.write_bytes(broken_log.read_bytes()[: broken_log.stat().st_size // 2])
    page = sorted(landing.glob("openai_usage/usage/completions/**/*.json"))[0]
    page.write_text(page.read_text().replace('"output_tokens": ', '"output_tokens": -', 1))
    settings = Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb", exports_dir=tmp_path / "exports")

    outcome = run_pipeline(settings)

    assert outcome.success
    assert outcome.failed_checks == [
        "litellm/spend_logs: no_quarantined_files",
        "openai_usage/completions_usage: no_quarantined_files",
    ]
    quarantined = dict(_query(settings, "SELECT path, error FROM raw._loads WHERE status = 'quarantined'"))
    assert set(quarantined) == {str(broken_log.relative_to(landing)), str(page.relative_to(landing))}
    assert "must be a non-negative integer" in quarantined[str(page.relative_to(landing))]
    assert _query(settings, "SELECT count(*) FROM raw_litellm.spend_logs")[0][0] == total_rows - lost_rows
    # the invoices are untouched by bad gateway and usage files
    with connect(settings, read_only=True) as con:
        assert all(row.difference == 0 for row in conservation_report(con, settings))


def test_cli_demo_in_text_formats_then_export(tmp_path):
    aicost = str(Path(sys.executable).parent / "aicost")
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"

    demo = subprocess.run(
        [aicost, "demo", "--scale", "0.05", "--text", "--landing", str(landing), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Conservation: 6/6" in demo.stdout
    assert list(landing.glob("aws_cur/*/data/*/*.csv.gz")) and list(landing.glob("litellm/**/*.csv.gz"))
    out = tmp_path / "cb.csv"
    export = subprocess.run(
        [aicost, "export", "chargeback", "--month", DEMO_MONTH, "--out", str(out), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert export.returncode == 0, export.stderr
    invoice = sum(billed_totals_from_files(landing).values(), Decimal(0))
    assert export.stdout.startswith(f"Wrote {out}: ")
    assert sum(Decimal(r["billed_cost"]) for r in read_csv_text(out.read_text())) == invoice
    missing = subprocess.run(
        [aicost, "export", "chargeback", "--month", "2020-01", "--out", str(out), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert missing.returncode == 1 and "no charges for billing period 2020-01" in missing.stderr


def test_generator_is_deterministic(tmp_path):
    def digest(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    generate(DemoOptions(landing=tmp_path / "a", scale=0.02, seed=3))
    generate(DemoOptions(landing=tmp_path / "b", scale=0.02, seed=3))
    generate(DemoOptions(landing=tmp_path / "c", scale=0.02, seed=4))

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_analysts_can_query_marts_read_only(demo_run):
    con = duckdb.connect(str(demo_run.settings.warehouse), read_only=True)
    try:
        teams = {r[0] for r in con.execute("SELECT DISTINCT team FROM rpt_showback_daily").fetchall()}
    finally:
        con.close()
    assert {"support", "search", "platform", "Unallocated"} <= teams


def test_rewritten_gateway_export_replaces_its_requests_downstream(demo_run, tmp_path):
    landing = copy_landing(demo_run.landing, tmp_path / "landing")
    settings = Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb", exports_dir=tmp_path / "exports")
    assert run_pipeline(settings).success
    day = sorted(landing.glob("litellm/**/*.parquet"))[5]
    table = pq.read_table(day)
    kept = table.slice(0, table.num_rows // 2)
    pq.write_table(kept, day)
    total = sum(pq.read_metadata(f).num_rows for f in landing.glob("litellm/**/*.parquet"))

    outcome = run_pipeline(settings)

    assert outcome.success and outcome.failed_checks == []
    raw, gateway_requests, fct, from_day = _query(
        settings,
        "SELECT (SELECT count(*) FROM raw_litellm.spend_logs), (SELECT count(*) FROM int_litellm__requests), "
        "(SELECT count(*) FROM fct_llm_requests WHERE request_source = 'litellm'), "
        f"(SELECT count(*) FROM fct_llm_requests WHERE _source_file = "
        f"'{day.relative_to(landing)}')",
    )[0]
    assert raw == gateway_requests == fct == total
    assert from_day == kept.num_rows


def test_restated_cur_month_replaces_the_old_one_in_every_mart(demo_run, tmp_path):
    landing = copy_landing(demo_run.landing, tmp_path / "landing")
    settings = Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb", exports_dir=tmp_path / "exports")
    assert run_pipeline(settings).success
    # AWS restates October: a new execution whose single file drops a third of the lines.
    (manifest_path,) = landing.glob("aws_cur/*/metadata/BILLING_PERIOD=2026-10/*-Manifest.json")
    manifest = json.loads(manifest_path.read_text())
    data_dir = manifest_path.parent.parent.parent / "data" / "BILLING_PERIOD=2026-10"
    old_files = [data_dir / uri.rsplit("/", 1)[1] for uri in manifest["dataFiles"]]
    table = pq.read_table(old_files[0])
    restated = table.slice(0, table.num_rows * 2 // 3)
    for old in old_files:
        old.unlink()
    pq.write_table(restated, data_dir / "restated-00001.snappy.parquet")
    manifest.update(executionId="restatement-2", dataFiles=["s3://demo-cur-bucket/x/restated-00001.snappy.parquet"])
    manifest_path.write_text(json.dumps(manifest))

    outcome = run_pipeline(settings)

    assert outcome.success and outcome.failed_checks == []
    expected = billed_totals_from_files(landing)[("Amazon Web Services", DEMO_MONTH, "USD")]
    focus_total, chargeback_total = _query(
        settings,
        "SELECT (SELECT sum(BilledCost) FROM focus_cost_and_usage WHERE ProviderName = 'Amazon Web Services'), "
        "(SELECT sum(billed_cost) FROM rpt_chargeback_monthly WHERE provider_name = 'Amazon Web Services')",
    )[0]
    assert focus_total == chargeback_total == expected
    assert _query(settings, "SELECT count(*) FROM raw_aws_cur.line_items")[0][0] == restated.num_rows
    assert _query(settings, "SELECT count(*) FROM raw._loads WHERE status = 'replaced'")[0][0] == len(old_files)


def test_aws_cost_categories_reach_the_focus_table(demo_run):
    rows = dict(
        _query(
            demo_run.settings,
            "SELECT SubAccountId, any_value(x_CostCategory->>'business_unit') FROM focus_cost_and_usage "
            "WHERE x_Source = 'aws_cur' AND ChargeCategory = 'Usage' GROUP BY ALL",
        )
    )
    assert rows["111100002222"] == rows["222200003333"] == "AI Platform"
    assert rows["444400005555"] is None


def test_business_outcomes_load_once_each_and_link_to_gateway_sessions(demo_run):
    files = sorted(demo_run.landing.glob("outcomes/events/*.parquet"))
    events = sum(pq.read_metadata(f).num_rows for f in files)

    ((count, sessions, linked),) = _query(
        demo_run.settings,
        "SELECT count(*), count(session_id), "
        "count(session_id) FILTER (WHERE session_id IN (SELECT session_id FROM fct_llm_requests)) "
        "FROM stg_outcomes__events",
    )

    assert events > 0 and count == events
    # every resolved ticket points at a session the gateway logged
    assert sessions > 0 and linked == sessions
