import dagster as dg

from orchestration.definitions import build_definitions
from pipelines.config import Settings


def _defs(tmp_path):
    return build_definitions(Settings(landing=str(tmp_path), warehouse=tmp_path / "w.duckdb"))


def test_asset_graph_runs_from_loads_through_staging_to_marts(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}

    assert {
        "aws_cur/line_items",
        "openai_usage/completions_usage",
        "openai_usage/costs",
        "openai_usage/other_usage",
        "anthropic_usage/messages_usage",
        "anthropic_usage/cost_report",
        "otel_genai/spans",
        "prices/genai_prices",
        "litellm/spend_logs",
        "stg_aws_cur__line_items",
        "fct_llm_usage_daily",
        "rpt_unpriced_usage",
        "focus_cost_and_usage",
        "fct_llm_requests",
        "rpt_showback_daily",
        "rpt_chargeback_monthly",
        "reference/attribution_keys",
    } <= keys

    def parents(key: str) -> set[str]:
        return {p.to_user_string() for p in graph.get(dg.AssetKey.from_user_string(key)).parent_keys}

    assert parents("stg_aws_cur__line_items") == {"aws_cur/line_items"}
    assert parents("stg_litellm__spend_logs") == {"litellm/spend_logs"}
    assert parents("stg_openai_usage__costs") == {"openai_usage/costs"}
    assert "int_cost_and_usage_attributed" in parents("focus_cost_and_usage")
    assert parents("stg_prices__catalogue_prices") == {"prices/genai_prices"}
    assert {"int_llm_requests_deduplicated", "int_attribution_keys", "int_llm_prices_daily"} <= parents(
        "fct_llm_requests"
    )
    assert graph.get(dg.AssetKey(["aws_cur", "line_items"])).group_name == "aws_cur"
    assert graph.get(dg.AssetKey(["stg_aws_cur__line_items"])).group_name == "aws_cur"


def test_invariant_checks_guard_the_run(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}

    assert ("focus_cost_and_usage", "billed_cost_reconciles_to_source") in checks
    assert ("fct_ai_costs_allocated", "allocated_cost_conserves_focus") in checks
    assert ("fct_ai_costs_allocated", "assert_allocation_conserves_cost") in checks
    for load_key in ("aws_cur/line_items", "openai_usage/completions_usage", "litellm/spend_logs"):
        assert (load_key, "no_quarantined_files") in checks
    # dbt tests become asset checks too
    assert any(name.startswith("unique_int_litellm__requests_request_id") for _, name in checks)


def test_nightly_job_is_scheduled_at_two_utc_over_every_asset(tmp_path):
    defs = _defs(tmp_path)
    schedule = defs.resolve_schedule_def("nightly_schedule")
    job = defs.resolve_job_def("nightly")

    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 2 * * *", "UTC", "nightly")
    assert len(job.asset_layer.executable_asset_keys) == len(defs.resolve_asset_graph().get_all_asset_keys())


def test_landing_sensor_fires_once_per_change(tmp_path):
    from orchestration.defs.resources import warehouse_resource

    landing = tmp_path / "landing"
    (landing / "litellm").mkdir(parents=True)
    defs = build_definitions(Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb"))
    sensor = defs.resolve_sensor_def("litellm_landing_sensor")
    warehouse = warehouse_resource(Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb"))

    def evaluate(cursor):
        with dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse}) as context:
            return sensor.evaluate_tick(context)

    empty = evaluate(None)
    (landing / "litellm" / "day1.csv").write_text("request_id\n1\n")
    first = evaluate(None)
    again = evaluate(first.cursor)
    (landing / "litellm" / "day2.csv").write_text("request_id\n2\n")
    second = evaluate(first.cursor)

    assert empty.run_requests == [] and empty.skip_message
    assert len(first.run_requests) == 1 and first.run_requests[0].job_name in (None, "nightly")
    assert again.run_requests == [] and again.cursor in (None, first.cursor)
    assert len(second.run_requests) == 1 and second.cursor != first.cursor
