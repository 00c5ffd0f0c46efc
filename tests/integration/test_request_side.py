"""The request side on the demo month: token totals equal each source's own totals, and list costs are exact.

Every expected figure is computed straight from the generated files with Python (pyarrow, json), never
from the warehouse, so a modelling bug cannot hide itself.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow.parquet as pq
from genai_prices import Usage, calc_price

from orchestration.run import run_pipeline
from pipelines.config import Settings
from pipelines.pricing.catalogue import model_price_rows
from pipelines.warehouse import connect
from tests.integration.conftest import copy_landing

Totals = dict[tuple, int]


def _query(demo_run, sql: str) -> list[tuple]:
    with connect(demo_run.settings, read_only=True) as con:
        return con.execute(sql).fetchall()


def _as_totals(rows: list[tuple]) -> Totals:
    return {tuple(r[:-1]): int(r[-1]) for r in rows if r[-1]}


def test_gateway_token_totals_per_provider_model_and_day_equal_the_spend_logs(demo_run):
    expected: Totals = defaultdict(int)
    for path in demo_run.landing.glob("litellm/**/*.parquet"):
        table = pq.read_table(path, columns=["custom_llm_provider", "model", "startTime", "total_tokens"]).to_pylist()
        for row in table:
            key = (row["custom_llm_provider"], row["model"], row["startTime"].date().isoformat())
            expected[key] += row["total_tokens"]

    actual = _as_totals(
        _query(
            demo_run,
            "SELECT g.custom_llm_provider, r.gateway_model, strftime(r.request_date, '%Y-%m-%d'), sum(r.total_tokens) "
            "FROM fct_llm_requests AS r JOIN stg_litellm__spend_logs AS g USING (request_id) "
            "WHERE r.request_source = 'litellm' GROUP BY ALL",
        )
    )
    assert actual == {k: v for k, v in expected.items() if v}
    assert len(actual) > 100


def _otel_model_spans(demo_run) -> list[dict]:
    spans = []
    for path in demo_run.landing.glob("otel_genai/**/*.jsonl"):
        for line in path.read_text().splitlines():
            for resource in json.loads(line)["resourceSpans"]:
                for scope in resource["scopeSpans"]:
                    for span in scope["spans"]:
                        attrs = {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}
                        if attrs.get("gen_ai.operation.name") in ("chat", "embeddings"):
                            spans.append({"start": int(span["startTimeUnixNano"]), **attrs})
    return spans


def test_a_call_traced_and_logged_by_the_gateway_counts_once(demo_run):
    spans = _otel_model_spans(demo_run)
    gateway_ids = {
        request_id
        for path in demo_run.landing.glob("litellm/**/*.parquet")
        for request_id in pq.read_table(path, columns=["request_id"]).column(0).to_pylist()
    }
    seen_by_both = [s for s in spans if s["gen_ai.response.id"] in gateway_ids]
    only_otel = [s for s in spans if s["gen_ai.response.id"] not in gateway_ids]
    assert seen_by_both and only_otel  # the demo has both kinds

    ((otel_rows, otel_tokens),) = _query(
        demo_run, "SELECT count(*), sum(total_tokens) FROM fct_llm_requests WHERE request_source = 'otel_genai'"
    )
    assert otel_rows == len(only_otel)
    assert otel_tokens == sum(
        int(s["gen_ai.usage.input_tokens"]) + int(s["gen_ai.usage.output_tokens"]) for s in only_otel
    )
    (duplicates,) = _query(
        demo_run,
        "SELECT count(*) FROM (SELECT request_id FROM fct_llm_requests GROUP BY request_id HAVING count(*) > 1)",
    )
    assert duplicates == (0,)


def _invocation_records(demo_run) -> list[dict]:
    return [
        json.loads(line)
        for path in demo_run.landing.glob("bedrock_invocation_logs/**/*.json.gz")
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    ]


def test_a_bedrock_call_the_gateway_or_a_span_also_saw_counts_once(demo_run):
    records = _invocation_records(demo_run)
    # the gateway calls Bedrock as its own role (seed gateway_identities); an AWS SDK span carries AWS's id
    by_gateway = [r for r in records if ":assumed-role/litellm-gateway/" in r["identity"]["arn"]]
    span_aws_ids = {s["aws.request_id"] for s in _otel_model_spans(demo_run) if "aws.request_id" in s}
    only_logged = [r for r in records if r not in by_gateway and r["requestId"] not in span_aws_ids]
    # the demo has all three kinds: through the gateway, traced directly, and neither
    assert by_gateway
    assert span_aws_ids & {r["requestId"] for r in records}
    assert only_logged
    gateway_bedrock_calls = 0
    for path in demo_run.landing.glob("litellm/**/*.parquet"):
        for row in pq.read_table(path, columns=["custom_llm_provider", "cache_hit", "status"]).to_pylist():
            if row["custom_llm_provider"] == "bedrock" and row["cache_hit"] == "False" and row["status"] == "success":
                gateway_bedrock_calls += 1
    # every call the gateway made on Bedrock is in its log, once
    assert len(by_gateway) == gateway_bedrock_calls

    ((rows, tokens, calls),) = _query(
        demo_run,
        "SELECT count(*), sum(total_tokens), count(DISTINCT provider_request_id) FROM fct_llm_requests "
        "WHERE request_source = 'bedrock_invocation_logs'",
    )
    assert rows == calls == len(only_logged)
    assert tokens == sum(
        r["input"]["inputTokenCount"]
        + r["input"]["cacheReadInputTokenCount"]
        + r["input"]["cacheWriteInputTokenCount"]
        + r["output"]["outputTokenCount"]
        for r in only_logged
    )
    # a call a span also saw is the span's row, once
    (traced,) = _query(
        demo_run,
        "SELECT count(*) FROM fct_llm_requests WHERE request_source = 'otel_genai' AND provider_request_id IN "
        "(SELECT request_id FROM stg_bedrock_invocation_logs__invocations)",
    )
    assert traced == (len(span_aws_ids & {r["requestId"] for r in records}),)


def test_otel_token_totals_per_provider_model_and_day_equal_the_spans(demo_run):
    gateway_ids = {r[0] for r in _query(demo_run, "SELECT request_id FROM int_litellm__requests")}
    expected: Totals = defaultdict(int)
    for s in _otel_model_spans(demo_run):
        if s["gen_ai.response.id"] in gateway_ids:
            continue
        provider = s.get("gen_ai.provider.name") or s.get("gen_ai.system")
        day = datetime.fromtimestamp(s["start"] // 10**9, tz=UTC).date().isoformat()
        # OTel input counts include the cache: the disjoint types must add back up to it
        expected[(provider, s["gen_ai.response.model"], day, "input")] += int(s["gen_ai.usage.input_tokens"])
        expected[(provider, s["gen_ai.response.model"], day, "cache_read")] += int(
            s["gen_ai.usage.cache_read.input_tokens"]
        )
        expected[(provider, s["gen_ai.response.model"], day, "output")] += int(s["gen_ai.usage.output_tokens"])

    rows = _query(
        demo_run,
        "SELECT s.otel_provider_name, r.gateway_model, strftime(r.request_date, '%Y-%m-%d'), "
        "sum(r.input_tokens + r.cache_read_tokens + r.cache_write_tokens), sum(r.cache_read_tokens), "
        "sum(r.output_tokens + r.reasoning_tokens) "
        "FROM fct_llm_requests AS r JOIN stg_otel_genai__spans AS s ON r.request_id = s.response_id "
        "WHERE r.request_source = 'otel_genai' GROUP BY ALL",
    )
    actual: Totals = {}
    for provider, model, day, prompt, cached, output in rows:
        actual[(provider, model, day, "input")] = int(prompt)
        actual[(provider, model, day, "cache_read")] = int(cached)
        actual[(provider, model, day, "output")] = int(output)
    assert actual == dict(expected)


def test_openai_usage_token_totals_per_model_and_day_equal_the_pages(demo_run):
    expected: Totals = defaultdict(int)
    for path in demo_run.landing.glob("openai_usage/usage/*/**/*.json"):
        endpoint = path.relative_to(demo_run.landing).parts[2]
        for bucket in json.loads(path.read_text())["data"]:
            day = datetime.fromtimestamp(bucket["start_time"], tz=UTC).date().isoformat()
            for r in bucket["results"]:
                cached = r.get("input_cached_tokens", 0)
                # input_tokens INCLUDES the cached tokens: the warehouse must split, not add
                expected[(endpoint, r["model"], day, "input")] += r["input_tokens"] - cached
                expected[(endpoint, r["model"], day, "cache_read")] += cached
                expected[(endpoint, r["model"], day, "output")] += r.get("output_tokens", 0)
                expected[(endpoint, r["model"], day, "requests")] += r["num_model_requests"]

    actual: Totals = {}
    for endpoint, model, day, inp, cached, out, requests in _query(
        demo_run,
        "SELECT endpoint, model_name, strftime(usage_date, '%Y-%m-%d'), sum(input_tokens), sum(cache_read_tokens), "
        "sum(output_tokens), sum(requests) FROM fct_llm_usage_daily WHERE usage_source = 'openai_usage' GROUP BY ALL",
    ):
        actual.update(
            {
                (endpoint, model, day, "input"): int(inp),
                (endpoint, model, day, "cache_read"): int(cached),
                (endpoint, model, day, "output"): int(out),
                (endpoint, model, day, "requests"): int(requests),
            }
        )
    assert actual == dict(expected)
    assert {k[0] for k in actual} == {"completions", "embeddings"}


def test_anthropic_usage_token_totals_per_model_and_day_equal_the_report(demo_run):
    expected: Totals = defaultdict(int)
    for path in demo_run.landing.glob("anthropic_usage/usage_report/**/*.json"):
        for bucket in json.loads(path.read_text())["data"]:
            day = bucket["starting_at"][:10]
            for r in bucket["results"]:
                # the report's buckets are disjoint: nothing is subtracted
                expected[(r["model"], day, "input")] += r["uncached_input_tokens"]
                expected[(r["model"], day, "cache_read")] += r["cache_read_input_tokens"]
                expected[(r["model"], day, "cache_write_5m")] += r["cache_creation"]["ephemeral_5m_input_tokens"]
                expected[(r["model"], day, "cache_write_1h")] += r["cache_creation"]["ephemeral_1h_input_tokens"]
                expected[(r["model"], day, "output")] += r["output_tokens"]

    actual: Totals = {}
    for model, day, inp, read, w5m, w1h, out in _query(
        demo_run,
        "SELECT model_name, strftime(usage_date, '%Y-%m-%d'), sum(input_tokens), sum(cache_read_tokens), "
        "sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), sum(output_tokens) "
        "FROM fct_llm_usage_daily WHERE usage_source = 'anthropic_usage' GROUP BY ALL",
    ):
        for kind, value in (("input", inp), ("cache_read", read), ("cache_write_5m", w5m), ("cache_write_1h", w1h)):
            actual[(model, day, kind)] = int(value)
        actual[(model, day, "output")] = int(out)
    assert actual == dict(expected)
    assert sum(v for k, v in actual.items() if k[2] == "cache_write_1h") > 0


def test_anthropic_cost_rows_carry_the_usage_reports_token_counts(demo_run):
    missing, with_tokens = _query(
        demo_run,
        "SELECT count(*) FILTER (WHERE x_TokenCount IS NULL), count(*) FILTER (WHERE x_TokenCount > 0) "
        "FROM focus_cost_and_usage WHERE x_Source = 'anthropic_usage'",
    )[0]
    assert missing == 0 and with_tokens > 0


def test_list_cost_is_tokens_times_the_catalogue_price_exactly(demo_run):
    # OpenAI requests of models without overrides: genai-prices itself must give the same figure.
    rows = _query(
        demo_run,
        "SELECT model_id, request_date, input_tokens, cache_read_tokens, output_tokens, list_cost "
        "FROM fct_llm_requests WHERE provider_name = 'OpenAI' AND request_source = 'litellm' AND NOT is_cache_hit "
        "AND model_id IN ('gpt-4o-mini-2024-07-18', 'gpt-4.1-mini-2025-04-14', 'o4-mini-2025-04-16') "
        "ORDER BY request_id LIMIT 300",
    )
    assert len(rows) == 300
    for model, day, inp, cached, out, list_cost in rows:
        usage = Usage(input_tokens=inp + cached, cache_read_tokens=cached, output_tokens=out)
        when = datetime(day.year, day.month, day.day, tzinfo=UTC)
        expected = calc_price(usage, model, provider_id="openai", genai_request_timestamp=when).total_price
        assert list_cost == expected, (model, inp, cached, out)


def test_a_price_override_wins_on_the_days_it_is_valid(demo_run):
    # seeds/price_overrides.csv: Bedrock Claude Sonnet 4.6 input 2.70 and output 13.50 from 2026-10-01; the
    # cache prices still come from the catalogue.
    catalogue = {
        r.token_type: r.usd_per_mtok
        for r in model_price_rows("aws", "anthropic.claude-sonnet-4-6")
        if r.service_tier == "standard" and r.min_context_tokens == 0
    }
    assert (catalogue["input"], catalogue["output"]) != (Decimal("2.70"), Decimal("13.50"))
    rows = _query(
        demo_run,
        "SELECT input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, list_cost, is_price_overridden "
        "FROM fct_llm_requests WHERE model_id = 'anthropic.claude-sonnet-4-6' AND NOT is_cache_hit LIMIT 50",
    )
    assert rows
    for inp, read, write, out, list_cost, overridden in rows:
        expected = (
            inp * Decimal("2.70")
            + read * catalogue["cache_read"]
            + write * catalogue["cache_write_5m"]
            + out * Decimal("13.50")
        ) / 10**6
        assert overridden and list_cost == expected


def test_usage_without_a_price_is_reported_never_costed_at_zero(demo_run):
    # Claude Haiku 4.5 batch before 2026-10-14: genai-prices records its batch price from that day only
    unpriced = _query(
        demo_run,
        "SELECT usage_source, model_id, service_tier, reason, strftime(first_seen, '%Y-%m-%d'), "
        "strftime(last_seen, '%Y-%m-%d') <= '2026-10-13', total_tokens > 0 FROM rpt_unpriced_usage",
    )
    assert unpriced == [
        ("anthropic_usage", "claude-haiku-4-5-20251001", "batch", "no price for: input,cache_read,cache_write_5m,output",
         "2026-10-01", True, True)
    ]  # fmt: skip
    zero_cost_tokens = _query(
        demo_run,
        "SELECT count(*) FROM fct_llm_usage_daily WHERE list_cost = 0 AND total_tokens > 0 "
        "UNION ALL SELECT count(*) FROM fct_llm_requests WHERE list_cost = 0 AND total_tokens > 0 AND NOT is_cache_hit",
    )
    assert zero_cost_tokens == [(0,), (0,)]


def test_a_new_catalogue_version_restates_list_cost_and_keeps_the_first_rating(demo_run, tmp_path):
    landing = copy_landing(demo_run.landing, tmp_path / "landing")
    settings = Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb", exports_dir=tmp_path / "exports")
    assert run_pipeline(settings).success
    with connect(settings) as con:
        (first_version,) = con.execute("SELECT DISTINCT catalogue_version FROM raw_prices.genai_prices").fetchone()
        # genai-prices publishes a new price: gpt-4o-mini input doubles (0.15 -> 0.30 per million tokens)
        con.execute(
            "INSERT INTO raw_prices.genai_prices SELECT * REPLACE ('test-v2' AS catalogue_version, "
            "loaded_at + INTERVAL 1 DAY AS loaded_at, CASE WHEN model_id = 'gpt-4o-mini-2024-07-18' AND "
            "token_type = 'input' THEN usd_per_mtok * 2 ELSE usd_per_mtok END AS usd_per_mtok) "
            "FROM raw_prices.genai_prices"
        )

    assert run_pipeline(settings).success

    with connect(settings, read_only=True) as con:
        versions = con.execute("SELECT DISTINCT catalogue_version FROM fct_llm_list_cost_ratings ORDER BY 1").fetchall()
        restated = con.execute(
            "SELECT model_id, sum(restatement), count(*) FILTER (WHERE first_catalogue_version = ?) "
            "FROM rpt_list_cost_restatements WHERE restatement <> 0 GROUP BY ALL",
            [first_version],
        ).fetchall()
        input_tokens = con.execute(
            "SELECT sum(input_tokens) FROM fct_llm_requests WHERE model_id = 'gpt-4o-mini-2024-07-18' "
            "AND NOT is_cache_hit"
        ).fetchone()[0]
        usage_input = con.execute(
            "SELECT sum(input_tokens) FROM fct_llm_usage_daily WHERE model_id = 'gpt-4o-mini-2024-07-18'"
        ).fetchone()[0]
    assert versions == sorted([(first_version,), ("test-v2",)])
    # only gpt-4o-mini changed, by exactly its input tokens x 0.15 per million, and the first rating stays
    ((model, total, rows),) = restated
    assert model == "gpt-4o-mini-2024-07-18" and rows > 0
    assert total == (input_tokens + usage_input) * Decimal("0.15") / 10**6
