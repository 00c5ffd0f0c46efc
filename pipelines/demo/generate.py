"""Deterministic, vectorised generator of a month of AI spend in each source's native format.

One table of underlying model calls is generated in DuckDB (set-based, no Python row loops); every
source is then a view of it, so the gateway logs, the OpenAI usage API and the invoices tell one
consistent story with realistic gaps: traffic that bypassed the gateway, gateway cache hits and failures
that never reached a provider, OpenAI batch jobs, tax, credits, GPU instances and non-AI services.

Scale 1 is about 100,000 calls and 40,000 CUR lines; everything grows linearly with ``scale``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.demo.clouds import write_aws_focus, write_azure, write_gcp
from pipelines.demo.org import (
    ACCOUNTS,
    BATCH_DISCOUNT,
    GPU_FLEETS,
    MODELS,
    PAYER_ACCOUNT,
    TAX_RATE,
    WORKLOADS,
)
from pipelines.demo.outcomes import write_outcomes
from pipelines.demo.providers import write_anthropic, write_otel

CALLS_PER_SCALE = 100_000
OTHER_CUR_LINES_PER_SCALE = 15_000
CUR_EXPORT = "ai-cost-cur"
CUR_ROWS_PER_FILE = 2_000_000
OPENAI_PAGE_DAYS = 7  # the usage API's default page size for 1d buckets


@dataclass(frozen=True)
class DemoOptions:
    """What to generate.

    Attributes:
        landing: Landing folder to write ``<slug>/...`` into.
        scale: Volume multiplier (1 = about 100k calls).
        seed: Random seed; the same seed gives the same files.
        month: Billing month ``YYYY-MM``.
        text_formats: Write CUR as gzip CSV and spend logs as CSV instead of Parquet.
    """

    landing: Path
    scale: float = 1.0
    seed: int = 42
    month: str = "2026-10"
    text_formats: bool = False


@dataclass(frozen=True)
class DemoSummary:
    """Counts of what was written."""

    calls: int
    gateway_requests: int
    cur_lines: int
    openai_usage_results: int
    openai_cost_results: int
    azure_lines: int = 0
    gcp_lines: int = 0
    aws_focus_rows: int = 0
    outcome_events: int = 0
    anthropic_cost_results: int = 0
    otel_spans: int = 0


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def generate(options: DemoOptions) -> DemoSummary:
    """Writes a month of sample data for every source (AWS, Azure, GCP bills, OpenAI usage, LiteLLM logs).

    Existing files of these sources under the landing folder are replaced.

    Args:
        options: What to generate.

    Returns:
        Counts of the generated rows.
    """
    start, end = _month_bounds(options.month)
    for slug in (
        "aws_cur",
        "aws_focus",
        "azure_cost",
        "gcp_billing",
        "openai_usage",
        "anthropic_usage",
        "litellm",
        "otel_genai",
        "outcomes",
    ):
        shutil.rmtree(options.landing / slug, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="aicost-demo-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "demo.duckdb"))
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET memory_limit = '3GB'")
        con.execute(f"SET temp_directory = '{tmp}'")
        _reference_tables(con)
        n_calls = max(1000, int(CALLS_PER_SCALE * options.scale))
        _calls(con, options.seed, n_calls, start, end)
        gateway = _write_litellm(con, options, start)
        usage_results, cost_results = _write_openai(con, options, start, end)
        cur_lines = _write_cur(con, options, start, end)
        azure_lines = write_azure(con, options.landing, start, end, options.seed, options.text_formats)
        gcp_lines = write_gcp(con, options.landing, start, end, options.seed)
        focus_rows = write_aws_focus(options.landing, start, end, options.seed)
        outcome_events = write_outcomes(con, options.landing, options.seed, options.text_formats)
        anthropic_costs = write_anthropic(con, options.landing, options.month, start, end)
        otel_spans = write_otel(con, options.landing, options.seed)
        con.close()
    return DemoSummary(
        n_calls,
        gateway,
        cur_lines,
        usage_results,
        cost_results,
        azure_lines,
        gcp_lines,
        focus_rows,
        outcome_events,
        anthropic_costs,
        otel_spans,
    )


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    models = pa.Table.from_pylist(
        [
            {
                "model_id": m.model_id,
                "provider": m.provider,
                "litellm_model": m.litellm_model,
                "billing_name": m.billing_name,
                "product_code": m.product_code,
                "price_input": m.input,
                "price_output": m.output,
                "price_cache_read": m.cache_read,
                "price_cache_write": m.cache_write,
                "price_cache_write_1h": m.cache_write_1h,
                "endpoint": m.endpoint,
            }
            for m in MODELS
        ]
    )
    workloads = pa.Table.from_pylist(
        [
            {
                "workload_id": i,
                "team": w.team,
                "application": w.application,
                "environment": w.environment,
                "model_id": w.model_id,
                "weight": w.weight,
                "gateway_share": w.gateway_share,
                "batch_share": w.batch_share,
                "cache_read_share": w.cache_read_share,
                "cache_write_share": w.cache_write_share,
                "avg_input": w.avg_input,
                "avg_output": w.avg_output,
                "workload_key": w.key,
                "account_id": w.account,
                "principal": w.principal,
                "cross_region": w.cross_region,
                "cache_write_1h": w.cache_write_1h,
                "otel_share": w.otel_share,
            }
            for i, w in enumerate(WORKLOADS)
        ]
    )
    con.register("_models", models)
    con.register("_workloads", workloads)
    con.execute(
        "CREATE TABLE models AS SELECT * REPLACE (CAST(price_input AS DECIMAL(38, 12)) AS price_input, "
        "CAST(price_output AS DECIMAL(38, 12)) AS price_output, "
        "CAST(price_cache_read AS DECIMAL(38, 12)) AS price_cache_read, "
        "CAST(price_cache_write AS DECIMAL(38, 12)) AS price_cache_write, "
        "CAST(price_cache_write_1h AS DECIMAL(38, 12)) AS price_cache_write_1h) FROM _models"
    )
    con.execute(
        """
        CREATE TABLE workloads AS
        SELECT w.*, m.provider, m.litellm_model, m.billing_name, m.product_code,
               m.price_input, m.price_output, m.price_cache_read,
               CASE WHEN w.cache_write_1h THEN m.price_cache_write_1h ELSE m.price_cache_write END AS price_cache_write,
               m.endpoint,
               sum(w.weight) OVER (ORDER BY w.workload_id) - w.weight AS cum_lo,
               sum(w.weight) OVER (ORDER BY w.workload_id) AS cum_hi,
               -- the gateway's (hashed) virtual key and team of each application
               'sk-hash-' || substr(md5(coalesce(w.application, 'none') || w.model_id), 1, 24) AS litellm_api_key,
               CASE WHEN w.team IS NULL THEN NULL ELSE 'team-' || w.team END AS litellm_team_id,
               'key-' || substr(md5(w.workload_key), 1, 12) AS openai_api_key_id
        FROM _workloads AS w JOIN models AS m USING (model_id)
        """
    )
    con.unregister("_models")
    con.unregister("_workloads")


def _calls(con: duckdb.DuckDBPyConnection, seed: int, n: int, start: datetime, end: datetime) -> None:
    seconds = int((end - start).total_seconds())
    total_weight = con.execute("SELECT sum(weight) FROM workloads").fetchone()[0]
    # u(k): a uniform number in [0, 1) from the seed, the call number and a stream number k.
    con.execute(
        f"""
        CREATE MACRO u(i, k) AS (hash({int(seed)}, i, k) % 1000003) / 1000003.0;
        CREATE TABLE calls AS
        WITH base AS (
            SELECT range AS call_id, hash({int(seed)}, range, 0) % {int(total_weight)} AS pick
            FROM range({int(n)})
        ), picked AS (
            SELECT b.call_id, w.*,
                   greatest(1, round(w.avg_input * (0.25 + 1.5 * u(b.call_id, 3))))::BIGINT AS input_total,
                   CASE WHEN w.endpoint = 'embeddings' THEN 0
                        ELSE greatest(1, round(w.avg_output * (0.25 + 1.5 * u(b.call_id, 4)))) END::BIGINT AS output_tokens,
                   u(b.call_id, 14) < w.otel_share AS is_traced,
                   u(b.call_id, 5) AS u_cache_read, u(b.call_id, 6) AS u_cache_write,
                   u(b.call_id, 7) < w.batch_share AS is_batch,
                   u(b.call_id, 8) AS u_gateway, u(b.call_id, 9) AS u_hit, u(b.call_id, 10) AS u_fail,
                   TIMESTAMPTZ '{start.isoformat()}'
                     + to_microseconds((hash({int(seed)}, b.call_id, 2) % ({seconds}::BIGINT * 1000000))::BIGINT) AS started_at,
                   (200 + u(b.call_id, 11) * 8000)::BIGINT AS duration_ms
            FROM base AS b JOIN workloads AS w ON b.pick >= w.cum_lo AND b.pick < w.cum_hi
        ), tokens AS (
            SELECT *,
                   least(input_total, round(input_total * cache_read_share * (0.5 + u_cache_read)))::BIGINT
                       AS cache_read_tokens
            FROM picked
        ), split AS (
            SELECT *,
                   least(input_total - cache_read_tokens,
                         round(input_total * cache_write_share * (0.5 + u_cache_write)))::BIGINT AS cache_write_tokens,
                   NOT is_batch AND u_gateway < gateway_share AS via_gateway
            FROM tokens
        )
        SELECT *,
               input_total - cache_read_tokens - cache_write_tokens AS input_tokens,
               via_gateway AND u_hit < 0.03 AS is_gateway_cache_hit,
               via_gateway AND u_hit >= 0.03 AND u_fail < 0.005 AS is_failed,
               -- list cost of the call, exact: tokens x price per million tokens
               (
                 (input_total - cache_read_tokens - cache_write_tokens) * price_input
                 + cache_read_tokens * price_cache_read + cache_write_tokens * price_cache_write
                 + output_tokens * price_output
               ) / 1000000 * CASE WHEN is_batch THEN {BATCH_DISCOUNT} ELSE 1 END AS list_cost
        FROM split
        ORDER BY call_id
        """
    )
    # Calls a provider served (and billed): not gateway cache hits, not failures.
    con.execute("CREATE VIEW billed_calls AS SELECT * FROM calls WHERE NOT is_gateway_cache_hit AND NOT is_failed")


def _write_litellm(con: duckdb.DuckDBPyConnection, options: DemoOptions, start: datetime) -> int:
    out = options.landing / "litellm" / "spend_logs"
    out.mkdir(parents=True, exist_ok=True)
    ext = "csv.gz" if options.text_formats else "parquet"
    fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if options.text_formats else "(FORMAT parquet)"
    ts = "strftime({col}, '%Y-%m-%d %H:%M:%S.%g')" if options.text_formats else "{col}::TIMESTAMP"
    spend = "CAST(CAST(spend AS DOUBLE) AS VARCHAR)" if options.text_formats else "CAST(spend AS DOUBLE)"
    con.execute(
        f"""
        CREATE TABLE spend_logs AS
        SELECT
            'chatcmpl-' || printf('%016x', hash({int(options.seed)}, call_id, 99)) AS request_id,
            CASE endpoint WHEN 'embeddings' THEN 'aembedding' ELSE 'acompletion' END AS call_type,
            litellm_api_key AS api_key,
            CASE WHEN is_gateway_cache_hit OR is_failed THEN 0 ELSE list_cost END AS spend,
            CASE WHEN is_failed THEN 0 ELSE input_total + output_tokens END AS total_tokens,
            CASE WHEN is_failed THEN 0 ELSE input_total END AS prompt_tokens,
            CASE WHEN is_failed THEN 0 ELSE output_tokens END AS completion_tokens,
            started_at AS start_ts,
            started_at + to_milliseconds(duration_ms) AS end_ts,
            duration_ms AS request_duration_ms,
            started_at + to_milliseconds(duration_ms // 4) AS first_token_ts,
            litellm_model AS model,
            md5(litellm_model) AS model_id,
            split_part(litellm_model, '/', -1) AS model_group,
            CASE provider WHEN 'vertex' THEN 'vertex_ai' ELSE provider END AS custom_llm_provider,
            CASE provider WHEN 'bedrock' THEN 'https://bedrock-runtime.us-east-1.amazonaws.com'
                 WHEN 'azure' THEN 'https://contoso-aoai.openai.azure.com'
                 WHEN 'vertex' THEN 'https://us-central1-aiplatform.googleapis.com'
                 ELSE 'https://api.openai.com/v1' END AS api_base,
            coalesce(application, 'unknown') || '-svc' AS "user",
            json_object(
                'user_api_key_alias', coalesce(application, 'unknown'),
                'user_api_key_team_alias', team,
                'requester_metadata', json_object('application', application, 'environment', environment),
                'usage_object', CASE WHEN is_failed THEN json_object(
                    'prompt_tokens', 0, 'completion_tokens', 0) ELSE json_object(
                    'prompt_tokens', input_total, 'completion_tokens', output_tokens,
                    'prompt_tokens_details', json_object('cached_tokens', cache_read_tokens),
                    'cache_read_input_tokens', cache_read_tokens,
                    'cache_creation_input_tokens', cache_write_tokens) END
            )::VARCHAR AS metadata,
            CASE WHEN is_gateway_cache_hit THEN 'True' ELSE 'False' END AS cache_hit,
            CASE WHEN is_gateway_cache_hit THEN printf('%016x', hash(call_id, 7)) ELSE '' END AS cache_key,
            to_json(['app:' || coalesce(application, 'unknown'), 'env:' || environment])::VARCHAR AS request_tags,
            litellm_team_id AS team_id,
            'org-demo' AS organization_id,
            CASE WHEN u_cache_read < 0.5 THEN 'customer-' || (hash(call_id, 12) % 500)::VARCHAR END AS end_user,
            '10.0.' || (workload_id % 250)::VARCHAR || '.' || (call_id % 250)::VARCHAR AS requester_ip_address,
            -- Bodies: real exports carry them; the loader must never read these columns.
            '[{{"role":"user","content":"DEMO PROMPT BODY MUST NOT BE LOADED"}}]' AS messages,
            '{{"content":"DEMO RESPONSE BODY MUST NOT BE LOADED"}}' AS response,
            '{{"body":"DEMO REQUEST BODY MUST NOT BE LOADED"}}' AS proxy_server_request,
            'session-' || printf('%08x', hash(call_id // 8, 13)) AS session_id,
            CASE WHEN is_failed THEN 'failure' ELSE 'success' END AS status,
            NULL::VARCHAR AS mcp_namespaced_tool_name,
            CASE WHEN application = 'support-assistant' THEN 'agent-support-v2' END AS agent_id,
            call_id
        FROM calls WHERE via_gateway
        """
    )
    days = [r[0] for r in con.execute("SELECT DISTINCT start_ts::DATE FROM spend_logs ORDER BY 1").fetchall()]
    select = (
        "request_id, call_type, api_key, {spend} AS spend, total_tokens, prompt_tokens, completion_tokens, "
        '{start} AS "startTime", {end} AS "endTime", request_duration_ms, {first} AS "completionStartTime", '
        'model, model_id, model_group, custom_llm_provider, api_base, "user", metadata, cache_hit, cache_key, '
        "request_tags, team_id, organization_id, end_user, requester_ip_address, messages, response, "
        "proxy_server_request, session_id, status, mcp_namespaced_tool_name, agent_id"
    ).format(
        spend=spend,
        start=ts.format(col="start_ts"),
        end=ts.format(col="end_ts"),
        first=ts.format(col="first_token_ts"),
    )
    for day in days:
        path = out / f"spend_logs_{day.isoformat()}.{ext}"
        con.execute(
            f"COPY (SELECT {select} FROM spend_logs WHERE start_ts::DATE = DATE '{day.isoformat()}' "
            f"ORDER BY start_ts, call_id) TO '{path}' {fmt}"
        )
    return con.execute("SELECT count(*) FROM spend_logs").fetchone()[0]


def _write_openai(
    con: duckdb.DuckDBPyConnection, options: DemoOptions, start: datetime, end: datetime
) -> tuple[int, int]:
    usage_rows = con.execute(
        """
        SELECT CASE endpoint WHEN 'embeddings' THEN 'embeddings' ELSE 'completions' END AS usage_endpoint,
               date_trunc('day', started_at) AS day, workload_key AS project_id, openai_api_key_id,
               model_id, is_batch, sum(input_total), sum(output_tokens), sum(cache_read_tokens), count(*)
        FROM billed_calls WHERE provider = 'openai'
        GROUP BY ALL ORDER BY usage_endpoint, day, project_id, openai_api_key_id, model_id, is_batch
        """
    ).fetchall()
    cost_rows = con.execute(
        f"""
        WITH typed AS (
            SELECT date_trunc('day', started_at) AS day, workload_key AS project_id, model_id, is_batch,
                   unnest([
                     {{'kind': 'input', 'tokens': input_tokens, 'price': price_input}},
                     {{'kind': 'cached input', 'tokens': cache_read_tokens, 'price': price_cache_read}},
                     {{'kind': 'output', 'tokens': output_tokens, 'price': price_output}}
                   ]) AS t
            FROM billed_calls WHERE provider = 'openai'
        )
        SELECT day, project_id,
               model_id || ', ' || CASE WHEN is_batch THEN 'batch ' ELSE '' END || t.kind AS line_item,
               sum(t.tokens) AS quantity,
               sum(t.tokens * t.price) / 1000000 * CASE WHEN is_batch THEN {BATCH_DISCOUNT} ELSE 1 END AS amount
        FROM typed WHERE t.tokens > 0
        GROUP BY day, project_id, model_id, is_batch, t.kind
        ORDER BY day, project_id, line_item
        """
    ).fetchall()
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    usage_by_day: dict[str, dict[datetime, list[dict]]] = {}
    for endpoint, day, project, key, model, batch, inp, out, cached, n in usage_rows:
        result: dict[str, object] = {
            "object": f"organization.usage.{endpoint}.result",
            "input_tokens": int(inp),
            "num_model_requests": int(n),
            "project_id": project,
            "user_id": None,
            "api_key_id": key,
            "model": model,
            "batch": bool(batch),
            "service_tier": "default",
        }
        if endpoint == "completions":
            result.update(
                output_tokens=int(out), input_cached_tokens=int(cached), input_audio_tokens=0, output_audio_tokens=0
            )
        usage_by_day.setdefault(endpoint, {d: [] for d in days})[day].append(result)
    costs_by_day: dict[datetime, list[dict]] = {d: [] for d in days}
    for day, project, line_item, quantity, amount in cost_rows:
        costs_by_day[day].append(
            {
                "object": "organization.costs.result",
                # Dollars, as a JSON float like the API's. Rounded to 10 decimals first, so that the
                # float's shortest repr is exactly this decimal (at most 15 significant digits).
                "amount": {"value": float(Decimal(amount).quantize(Decimal("1e-10"))), "currency": "usd"},
                "line_item": line_item,
                "project_id": project,
                "quantity": float(quantity),
            }
        )
    for endpoint, by_day in usage_by_day.items():
        _write_pages(options.landing / "openai_usage" / "usage" / endpoint / options.month, by_day)
    _write_pages(options.landing / "openai_usage" / "costs" / options.month, costs_by_day)
    return len(usage_rows), len(cost_rows)


def _write_pages(folder: Path, by_day: dict[datetime, list[dict]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    days = sorted(by_day)
    pages = [days[i : i + OPENAI_PAGE_DAYS] for i in range(0, len(days), OPENAI_PAGE_DAYS)]
    for n, page_days in enumerate(pages, start=1):
        has_more = n < len(pages)
        page = {
            "object": "page",
            "data": [
                {
                    "object": "bucket",
                    "start_time": int(d.timestamp()),
                    "end_time": int((d + timedelta(days=1)).timestamp()),
                    "results": by_day[d],
                }
                for d in page_days
            ],
            "has_more": has_more,
            "next_page": f"page_{n + 1:04d}" if has_more else None,
        }
        (folder / f"page-{n:04d}.json").write_text(json.dumps(page, indent=1) + "\n", encoding="utf-8")


def _write_cur(con: duckdb.DuckDBPyConnection, options: DemoOptions, start: datetime, end: datetime) -> int:
    seed = int(options.seed)
    hours = int((end - start).total_seconds() // 3600)
    n_other = max(500, int(OTHER_CUR_LINES_PER_SCALE * options.scale))
    gpu_values = ", ".join(
        f"('{team}', '{app}', '{itype}', '{prefix}', {rate}::DECIMAL(38, 12), {max(1, round(n * options.scale / 10))})"
        for team, app, itype, prefix, rate, n in GPU_FLEETS
    )
    accounts = ", ".join(f"('{a}', '{name}')" for a, name in ACCOUNTS.items())
    con.execute(
        f"""
        CREATE TABLE cur_usage AS
        WITH bedrock AS (
            SELECT date_trunc('hour', started_at) AS usage_start, account_id, principal, application, team,
                   environment, product_code, billing_name, model_id, cross_region,
                   unnest([
                     {{'suffix': 'input-tokens', 'tokens': input_tokens, 'price': price_input}},
                     {{'suffix': 'output-tokens', 'tokens': output_tokens, 'price': price_output}},
                     {{'suffix': 'cache-read-input-token-count', 'tokens': cache_read_tokens, 'price': price_cache_read}},
                     {{'suffix': 'cache-write-input-token-count', 'tokens': cache_write_tokens, 'price': price_cache_write}}
                   ]) AS t
            FROM billed_calls WHERE provider = 'bedrock'
        ), bedrock_lines AS (
            SELECT usage_start, account_id, product_code,
                   'USE1-' || billing_name || '-' || t.suffix || cross_region AS usage_type,
                   'InvokeModelInference' AS operation,
                   'arn:aws:bedrock:us-east-1:' || account_id || ':application-inference-profile/'
                       || coalesce(application, 'default') AS resource_id,
                   principal,
                   CASE WHEN team IS NULL THEN MAP {{}}::MAP(VARCHAR, VARCHAR)
                        ELSE MAP {{'user_team': team, 'user_application': application, 'user_environment': environment}}
                   END AS resource_tags,
                   sum(t.tokens)::DECIMAL(38, 12) AS usage_amount,
                   t.price / 1000000 AS rate,
                   'Tokens' AS pricing_unit,
                   'Machine Learning' AS product_family, NULL::VARCHAR AS instance_type,
                   billing_name || ' ' || replace(t.suffix, '-', ' ') AS description
            FROM bedrock WHERE t.tokens > 0
            GROUP BY ALL
        ), fleets(team, application, instance_type, prefix, rate, instances) AS (VALUES {gpu_values}),
        gpu_lines AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' + to_hours(h.range) AS usage_start,
                   '111100002222' AS account_id, 'AmazonEC2' AS product_code,
                   f.prefix || ':' || f.instance_type AS usage_type, 'RunInstances' AS operation,
                   'i-' || printf('%017x', hash({seed}, f.instance_type, i.range)) AS resource_id,
                   NULL::VARCHAR AS principal,
                   MAP {{'user_team': f.team, 'user_application': f.application, 'user_environment': 'prod'}}
                       AS resource_tags,
                   1::DECIMAL(38, 12) AS usage_amount, f.rate, 'Hrs' AS pricing_unit,
                   'Compute Instance' AS product_family, f.instance_type,
                   '$' || f.rate::VARCHAR || ' per ' || f.instance_type || ' ' || f.prefix || ' hour' AS description
            FROM fleets AS f, range(f.instances) AS i, range({hours}) AS h
            -- training fleets run in bursts (about one hour in four); spot inference runs all month
            WHERE f.prefix <> 'BoxUsage' OR hash({seed}, i.range, h.range // 6) % 4 = 0
        ), accounts(account_id, account_name) AS (VALUES {accounts}),
        other_lines AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' + to_hours((hash({seed}, r.range, 21) % {hours})::BIGINT)
                       AS usage_start,
                   (SELECT list(account_id ORDER BY account_id) FROM accounts)[(1 + hash({seed}, r.range, 22) % 4)::BIGINT]
                       AS account_id,
                   s.product_code, s.usage_type, s.operation,
                   s.resource_prefix || printf('%08x', hash({seed}, r.range, 23) % 5000) AS resource_id,
                   NULL::VARCHAR AS principal,
                   CASE WHEN hash({seed}, r.range, 24) % 3 = 0 THEN MAP {{}}::MAP(VARCHAR, VARCHAR)
                        ELSE MAP {{'user_team': 'platform', 'user_application': 'shared-infra',
                                   'user_environment': 'prod'}} END AS resource_tags,
                   round(0.01 + (hash({seed}, r.range, 25) % 100000) / 10000.0, 4)::DECIMAL(38, 12) AS usage_amount,
                   s.rate, s.pricing_unit, s.product_family, NULL::VARCHAR AS instance_type, s.description
            FROM range({n_other}) AS r
            JOIN (VALUES
                (0, 'AmazonS3', 'TimedStorage-ByteHrs', 'StandardStorage', 'arn:aws:s3:::bucket-',
                 0.000031944444::DECIMAL(38, 12), 'GB-Hours', 'Storage', 'S3 Standard storage'),
                (1, 'AmazonEC2', 'BoxUsage:m5.large', 'RunInstances', 'i-',
                 0.096::DECIMAL(38, 12), 'Hrs', 'Compute Instance', 'On Demand Linux m5.large Instance Hour'),
                (2, 'AWSLambda', 'Request', 'Invoke', 'arn:aws:lambda:us-east-1:fn-',
                 0.0000002::DECIMAL(38, 12), 'Requests', 'Serverless', 'Lambda requests'),
                (3, 'AmazonCloudWatch', 'CW:MetricMonitorUsage', 'MetricStorage', 'metric-',
                 0.000416666667::DECIMAL(38, 12), 'Metrics', 'Metric', 'CloudWatch metrics')
            ) AS s(k, product_code, usage_type, operation, resource_prefix, rate, pricing_unit, product_family,
                   description) ON s.k = hash({seed}, r.range, 26) % 4
        )
        SELECT *, round(usage_amount * rate, 10)::DECIMAL(38, 12) AS cost FROM (
            SELECT * FROM bedrock_lines UNION ALL SELECT * FROM gpu_lines UNION ALL SELECT * FROM other_lines
        )
        """
    )
    con.execute(
        f"""
        CREATE TABLE cur_lines AS
        WITH usage AS (
            -- EC2 m5.large is covered by a Compute Savings Plan (28% off) and the p5 training fleet by a
            -- reserved instance (40% off): AWS bills them at on-demand price and then negates or amortises.
            SELECT CASE usage_type WHEN 'BoxUsage:m5.large' THEN 'SavingsPlanCoveredUsage'
                                   WHEN 'BoxUsage:p5.48xlarge' THEN 'DiscountedUsage' ELSE 'Usage' END
                       AS line_item_type,
                   usage_start, usage_start + INTERVAL 1 HOUR AS usage_end,
                   account_id, product_code, usage_type, operation, resource_id, principal, resource_tags,
                   usage_amount, rate,
                   CASE WHEN usage_type = 'BoxUsage:p5.48xlarge' THEN 0::DECIMAL(38, 12) ELSE cost END AS cost,
                   pricing_unit, product_family, instance_type, description,
                   CASE WHEN usage_type = 'BoxUsage:m5.large' THEN round(cost * 0.72, 10)::DECIMAL(38, 12) END
                       AS sp_effective_cost,
                   CASE WHEN usage_type = 'BoxUsage:p5.48xlarge' THEN round(cost * 0.6, 10)::DECIMAL(38, 12) END
                       AS ri_effective_cost,
                   cost AS on_demand_cost
            FROM cur_usage
        ), month_line AS (
            SELECT TIMESTAMPTZ '{start.isoformat()}' AS usage_start, TIMESTAMPTZ '{end.isoformat()}' AS usage_end,
                   NULL::VARCHAR AS operation, NULL::VARCHAR AS resource_id, NULL::VARCHAR AS principal,
                   MAP {{}}::MAP(VARCHAR, VARCHAR) AS resource_tags, NULL::DECIMAL(38, 12) AS usage_amount,
                   NULL::DECIMAL(38, 12) AS rate, NULL::VARCHAR AS pricing_unit, NULL::VARCHAR AS product_family,
                   NULL::VARCHAR AS instance_type
        ), negation AS (
            SELECT 'SavingsPlanNegation', usage_start, usage_end, account_id, product_code, usage_type, operation,
                   resource_id, principal, resource_tags, usage_amount, rate, -cost, pricing_unit, product_family,
                   instance_type, 'SavingsPlanNegation used by AccountId : ' || account_id,
                   NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12), NULL::DECIMAL(38, 12)
            FROM usage WHERE line_item_type = 'SavingsPlanCoveredUsage'
        ), commitments AS (
            -- The monthly commitment fees, a little above what was used (the unused part stays a cost).
            SELECT 'SavingsPlanRecurringFee' AS line_item_type, m.usage_start, m.usage_end, u.account_id,
                   'ComputeSavingsPlans' AS product_code, 'ComputeSP:1yrNoUpfront' AS usage_type, m.operation,
                   'arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/demo-sp' AS resource_id, m.principal,
                   m.resource_tags, m.usage_amount, m.rate,
                   (round(sum(u.sp_effective_cost), 2) + 25)::DECIMAL(38, 12) AS cost, m.pricing_unit,
                   m.product_family, m.instance_type, '1 year No Upfront Compute Savings Plan' AS description,
                   sum(u.sp_effective_cost) AS used_commitment,
                   (round(sum(u.sp_effective_cost), 2) + 25 - sum(u.sp_effective_cost))::DECIMAL(38, 12)
                       AS unused_commitment
            FROM usage AS u, month_line AS m WHERE u.line_item_type = 'SavingsPlanCoveredUsage'
            GROUP BY ALL
            UNION ALL
            SELECT 'RIFee', m.usage_start, m.usage_end, u.account_id, 'AmazonEC2', 'HeavyUsage:p5.48xlarge',
                   'RunInstances', 'arn:aws:ec2:us-east-1:111100002222:reserved-instances/demo-ri', m.principal,
                   m.resource_tags, {hours}::DECIMAL(38, 12), m.rate,
                   (round(sum(u.ri_effective_cost), 2) + 100)::DECIMAL(38, 12), 'Hrs', m.product_family,
                   'p5.48xlarge', 'USD per p5.48xlarge reserved instance (1 year, no upfront)',
                   sum(u.ri_effective_cost),
                   (round(sum(u.ri_effective_cost), 2) + 100 - sum(u.ri_effective_cost))::DECIMAL(38, 12)
            FROM usage AS u, month_line AS m WHERE u.line_item_type = 'DiscountedUsage'
            GROUP BY ALL
        ), discounts AS (
            -- Enterprise discount (EDP) on Bedrock, a bundled discount on Lambda, an AWS Support fee, a
            -- capacity block purchased for a fine-tuning run, and a refund of a previous month's overcharge.
            SELECT 'EdpDiscount' AS line_item_type, m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'USE1-EdpDiscount' AS usage_type, m.operation, m.resource_id, m.principal, m.resource_tags,
                   m.usage_amount, m.rate, -round(sum(u.cost) * 0.03, 2)::DECIMAL(38, 12) AS cost,
                   m.pricing_unit, m.product_family, m.instance_type, 'Enterprise Program Discount' AS description
            FROM usage AS u, month_line AS m WHERE u.product_code LIKE 'AmazonBedrock%' GROUP BY ALL
            UNION ALL
            -- a private pricing agreement: 2% off S3 storage, as its own line like AWS writes it
            SELECT 'PrivateRateDiscount', m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'PrivateRateDiscount', m.operation, m.resource_id, m.principal, m.resource_tags, m.usage_amount,
                   m.rate, -round(sum(u.cost) * 0.02, 10)::DECIMAL(38, 12), m.pricing_unit, m.product_family,
                   m.instance_type, 'Private pricing discount'
            FROM usage AS u, month_line AS m WHERE u.product_code = 'AmazonS3'
            GROUP BY ALL
            UNION ALL
            SELECT 'BundledDiscount', m.usage_start, m.usage_end, u.account_id, u.product_code,
                   'Lambda-FreeTier', m.operation, m.resource_id, m.principal, m.resource_tags, m.usage_amount,
                   m.rate, -least(sum(u.cost), 1.50)::DECIMAL(38, 12), m.pricing_unit, m.product_family,
                   m.instance_type, 'Lambda free tier bundled discount'
            FROM usage AS u, month_line AS m WHERE u.product_code = 'AWSLambda' GROUP BY ALL
            UNION ALL
            SELECT 'Fee', usage_start, usage_end, '444400005555', 'AWSSupportBusiness', 'Dollar', operation,
                   resource_id, principal, resource_tags, usage_amount, rate, 100::DECIMAL(38, 12), pricing_unit,
                   product_family, instance_type, 'AWS Support (Business)'
            FROM month_line
            UNION ALL
            SELECT 'Fee', usage_start, usage_end, '111100002222', 'AmazonEC2', 'CapacityBlockFee:p5.48xlarge',
                   'RunInstances:CapacityBlock', 'cr-0demo0capacity0block', principal,
                   MAP {{'user_team': 'data-science', 'user_application': 'fine-tuning', 'user_environment': 'prod'}},
                   48::DECIMAL(38, 12), 31.464::DECIMAL(38, 12), 1510.27::DECIMAL(38, 12), 'Hrs',
                   'Compute Instance', 'p5.48xlarge', 'Capacity Block for ML, p5.48xlarge, 48 hours'
            FROM month_line
            UNION ALL
            SELECT 'Refund', usage_start, usage_end, '111100002222', 'AmazonEC2', 'Refund', operation,
                   resource_id, principal, resource_tags, usage_amount, rate, -12.34::DECIMAL(38, 12),
                   pricing_unit, product_family, instance_type, 'Refund: duplicate charge in the previous month'
            FROM month_line
        ), tax AS (
            SELECT 'Tax', TIMESTAMPTZ '{start.isoformat()}', TIMESTAMPTZ '{end.isoformat()}', account_id,
                   product_code, 'Tax', NULL, NULL, NULL, MAP {{}}::MAP(VARCHAR, VARCHAR), 0::DECIMAL(38, 12),
                   NULL::DECIMAL(38, 12), round(sum(on_demand_cost) * {TAX_RATE}, 2)::DECIMAL(38, 12), NULL, NULL,
                   NULL, 'Tax for product code ' || product_code
            FROM usage GROUP BY account_id, product_code
        ), credit AS (
            -- A promotional credit covering part of the dev account's Bedrock spend.
            SELECT 'Credit', TIMESTAMPTZ '{start.isoformat()}', TIMESTAMPTZ '{end.isoformat()}', account_id,
                   product_code, 'USE1-Credit', NULL, NULL, NULL, MAP {{}}::MAP(VARCHAR, VARCHAR),
                   0::DECIMAL(38, 12), NULL::DECIMAL(38, 12), -round(sum(cost) * 0.4, 2)::DECIMAL(38, 12),
                   NULL, NULL, NULL, 'AWS Activate promotional credit'
            FROM usage WHERE account_id = '222200003333' AND product_code LIKE 'AmazonBedrock%'
            GROUP BY account_id, product_code
        ), accounts(account_id, account_name) AS (VALUES {accounts}),
        lines AS (
            SELECT * EXCLUDE (on_demand_cost), NULL::DECIMAL(38, 12) AS used_commitment,
                   NULL::DECIMAL(38, 12) AS unused_commitment
            FROM usage
            UNION ALL SELECT * FROM negation
            UNION ALL SELECT * EXCLUDE (used_commitment, unused_commitment), NULL, NULL, used_commitment,
                             unused_commitment FROM commitments
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM discounts
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM tax
            UNION ALL SELECT *, NULL, NULL, NULL, NULL FROM credit
        )
        SELECT row_number() OVER (ORDER BY l.usage_start, l.line_item_type, l.account_id, l.usage_type,
                                          l.resource_id, l.principal, l.usage_amount, l.cost, l.description) AS n,
               l.*, a.account_name
        FROM lines AS l JOIN accounts AS a USING (account_id)
        """
    )
    return _export_cur(con, options, start, end)


# AWS Cost Categories the payer account defines: the two AI accounts form the "AI Platform" business unit.
_COST_CATEGORY = (
    "CASE WHEN account_id IN ('111100002222', '222200003333') THEN MAP {'business_unit': 'AI Platform'} "
    "ELSE MAP {}::MAP(VARCHAR, VARCHAR) END"
)


def _export_cur(con: duckdb.DuckDBPyConnection, options: DemoOptions, start: datetime, end: datetime) -> int:
    period = start.strftime("%Y-%m")
    invoice = f"{start:%Y%m}{options.seed:06d}"[-10:]
    text = options.text_formats
    ts = "strftime({col}, '%Y-%m-%dT%H:%M:%SZ')" if text else "{col}::TIMESTAMP"
    money = "CAST({col} AS VARCHAR)" if text else "CAST({col} AS DOUBLE)"
    json_map = "to_json({col})::VARCHAR" if text else "{col}"
    # The reserved p5.48xlarge costs 60% of on demand; its unused fee converts back to hours at that rate.
    ri_hourly = next(rate for _, _, itype, _, rate, _ in GPU_FLEETS if itype == "p5.48xlarge") * Decimal("0.6")
    select = f"""
        printf('%016x%016x', hash({int(options.seed)}, n, 31), hash({int(options.seed)}, n, 32)) AS identity_line_item_id,
        strftime(usage_start, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(usage_end, '%Y-%m-%dT%H:%M:%SZ')
            AS identity_time_interval,
        'Anniversary' AS bill_bill_type, 'AWS' AS bill_billing_entity,
        {ts.format(col=f"TIMESTAMPTZ '{start.isoformat()}'")} AS bill_billing_period_start_date,
        {ts.format(col=f"TIMESTAMPTZ '{end.isoformat()}'")} AS bill_billing_period_end_date,
        'EUINUS{invoice}' AS bill_invoice_id, 'Amazon Web Services, Inc.' AS bill_invoicing_entity,
        '{PAYER_ACCOUNT}' AS bill_payer_account_id, 'demo-org-payer' AS bill_payer_account_name,
        line_item_type AS line_item_line_item_type,
        account_id AS line_item_usage_account_id, account_name AS line_item_usage_account_name,
        {ts.format(col="usage_start")} AS line_item_usage_start_date,
        {ts.format(col="usage_end")} AS line_item_usage_end_date,
        product_code AS line_item_product_code, usage_type AS line_item_usage_type,
        operation AS line_item_operation, description AS line_item_line_item_description,
        resource_id AS line_item_resource_id,
        CASE WHEN line_item_type = 'Usage' THEN 'us-east-1a' END AS line_item_availability_zone,
        principal AS line_item_iam_principal, 'Amazon Web Services, Inc.' AS line_item_legal_entity,
        CASE WHEN line_item_type = 'Tax' THEN 'Sales Tax' END AS line_item_tax_type,
        {money.format(col="usage_amount")} AS line_item_usage_amount, 'USD' AS line_item_currency_code,
        {money.format(col="rate")} AS line_item_unblended_rate,
        {money.format(col="cost")} AS line_item_unblended_cost,
        {money.format(col="cost")} AS line_item_net_unblended_cost,
        {money.format(col="rate")} AS pricing_public_on_demand_rate,
        {money.format(col="CASE WHEN line_item_type = 'Usage' THEN cost END")} AS pricing_public_on_demand_cost,
        pricing_unit, CASE WHEN line_item_type = 'Usage' THEN 'OnDemand' END AS pricing_term,
        product_code AS product_servicecode, product_family AS product_product_family,
        instance_type AS product_instance_type, 'us-east-1' AS product_region_code,
        {money.format(col="ri_effective_cost")} AS reservation_effective_cost,
        CASE WHEN line_item_type IN ('DiscountedUsage', 'RIFee')
             THEN 'arn:aws:ec2:us-east-1:111100002222:reserved-instances/demo-ri' END AS reservation_reservation_a_r_n,
        CASE WHEN line_item_type LIKE 'SavingsPlan%'
             THEN 'arn:aws:savingsplans::{PAYER_ACCOUNT}:savingsplan/demo-sp' END AS savings_plan_savings_plan_a_r_n,
        {money.format(col="CASE WHEN line_item_type = 'RIFee' THEN unused_commitment END")}
            AS reservation_unused_recurring_fee,
        {money.format(col=f"CASE WHEN line_item_type = 'RIFee' THEN round(unused_commitment / {ri_hourly}, 6) END")}
            AS reservation_unused_quantity,
        {money.format(col="sp_effective_cost")} AS savings_plan_savings_plan_effective_cost,
        {money.format(col="used_commitment + unused_commitment")} AS savings_plan_total_commitment_to_date,
        {money.format(col="CASE WHEN line_item_type = 'SavingsPlanRecurringFee' THEN used_commitment END")}
            AS savings_plan_used_commitment,
        {json_map.format(col="MAP {'region': 'us-east-1', 'product_name': product_code}")} AS product,
        {json_map.format(col="resource_tags")} AS resource_tags,
        {json_map.format(col=_COST_CATEGORY)} AS cost_category
    """
    rows = con.execute("SELECT count(*) FROM cur_lines").fetchone()[0]
    base = options.landing / "aws_cur" / CUR_EXPORT
    data_dir = base / "data" / f"BILLING_PERIOD={period}"
    meta_dir = base / "metadata" / f"BILLING_PERIOD={period}"
    data_dir.mkdir(parents=True, exist_ok=True)
    meta_dir.mkdir(parents=True, exist_ok=True)
    n_files = max(1, -(-rows // CUR_ROWS_PER_FILE))
    names = []
    for k in range(n_files):
        name = f"{CUR_EXPORT}-{k + 1:05d}." + ("csv.gz" if text else "snappy.parquet")
        fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if text else "(FORMAT parquet, COMPRESSION snappy)"
        con.execute(
            f"COPY (SELECT {select} FROM cur_lines WHERE (n - 1) // {CUR_ROWS_PER_FILE} = {k} ORDER BY n) "
            f"TO '{data_dir / name}' {fmt}"
        )
        names.append(name)
    # Deterministic per (seed, scale, month, format): other data is another delivery of the period.
    fingerprint = f"{options.seed}:{options.scale}:{options.month}:{text}".encode()
    execution_id = str(uuid.UUID(bytes=hashlib.sha256(fingerprint).digest()[:16]))
    write_cur_manifest(meta_dir, period, start.date(), end.date(), execution_id, names, text)
    return rows


def write_cur_manifest(
    meta_dir: Path, period: str, start: date, end: date, execution_id: str, names: list[str], text: bool
) -> Path:
    """Writes a Data Exports manifest listing ``names`` as the delivery ``execution_id`` of ``period``.

    Args:
        meta_dir: ``<export>/metadata/BILLING_PERIOD=YYYY-MM`` folder.
        period: Billing period ``YYYY-MM``.
        start: First day of the period.
        end: First day after the period.
        execution_id: Delivery id; a new one makes the loader replace the period.
        names: Data file names of the delivery.
        text: Whether the data files are gzip CSV (else Parquet).

    Returns:
        The manifest path.
    """
    bucket_prefix = f"s3://demo-cur-bucket/cur/{CUR_EXPORT}/data/BILLING_PERIOD={period}"
    manifest = {
        "version": "1.0",
        "executionId": execution_id,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER_ACCOUNT}:export/{CUR_EXPORT}",
        "exportName": CUR_EXPORT,
        "billingPeriod": {"start": f"{start.isoformat()}T00:00:00.000Z", "end": f"{end.isoformat()}T00:00:00.000Z"},
        "dataFiles": [f"{bucket_prefix}/{n}" for n in names],
        "format": "TEXT_OR_CSV" if text else "PARQUET",
        "compression": "GZIP" if text else "PARQUET",
    }
    path = meta_dir / f"{CUR_EXPORT}-Manifest.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path
