"""Demo data of the direct-API providers and instrumentation: Anthropic Admin API pages, OTel GenAI spans.

Both are consistent with the generated calls: the Anthropic usage report counts exactly the tokens of the
calls Anthropic served, its cost report charges them at the demo's list prices (in cents, as decimal
strings), and the OTel spans describe traced calls, with the gateway's request id as gen_ai.response.id
when the call also went through LiteLLM (so the warehouse must count it once).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import BATCH_DISCOUNT

ANTHROPIC_PAGE_DAYS = 7  # the usage report's default page size for 1d buckets
_TOKEN_TYPES = (
    ("uncached_input_tokens", "Input Tokens", "input_tokens", "price_input"),
    ("cache_read_input_tokens", "Cache Read Tokens", "cache_read_tokens", "price_cache_read"),
    ("cache_creation.ephemeral_5m_input_tokens", "Cache Write Tokens (5m)", "cache_write_5m", "price_cache_write"),
    ("cache_creation.ephemeral_1h_input_tokens", "Cache Write Tokens (1h)", "cache_write_1h", "price_cache_write"),
    ("output_tokens", "Output Tokens", "output_tokens", "price_output"),
)


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_anthropic_pages(folder: Path, by_day: dict[datetime, list[dict]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    days = sorted(by_day)
    pages = [days[i : i + ANTHROPIC_PAGE_DAYS] for i in range(0, len(days), ANTHROPIC_PAGE_DAYS)]
    for n, page_days in enumerate(pages, start=1):
        has_more = n < len(pages)
        page = {
            "data": [
                {"starting_at": _rfc3339(d), "ending_at": _rfc3339(d + timedelta(days=1)), "results": by_day[d]}
                for d in page_days
            ],
            "has_more": has_more,
            "next_page": f"page_{n + 1:04d}" if has_more else None,
        }
        (folder / f"page-{n:04d}.json").write_text(json.dumps(page, indent=1) + "\n", encoding="utf-8")


def write_anthropic(con: duckdb.DuckDBPyConnection, landing: Path, month: str, start: datetime, end: datetime) -> int:
    """Writes a month of usage_report/messages and cost_report pages; returns the number of cost rows."""
    usage = con.execute(
        """
        SELECT date_trunc('day', started_at) AS day, workload_key, 'apikey_' || substr(md5(application), 1, 12),
               model_id, CASE WHEN is_batch THEN 'batch' ELSE 'standard' END AS tier,
               sum(input_tokens), sum(cache_read_tokens),
               sum(CASE WHEN cache_write_1h THEN 0 ELSE cache_write_tokens END),
               sum(CASE WHEN cache_write_1h THEN cache_write_tokens ELSE 0 END), sum(output_tokens)
        FROM billed_calls WHERE provider = 'anthropic'
        GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    usage_by_day: dict[datetime, list[dict]] = {d: [] for d in days}
    for day, workspace, key, model, tier, inp, read, w5m, w1h, out in usage:
        usage_by_day[day].append(
            {
                "uncached_input_tokens": int(inp),
                "cache_creation": {"ephemeral_1h_input_tokens": int(w1h), "ephemeral_5m_input_tokens": int(w5m)},
                "cache_read_input_tokens": int(read),
                "output_tokens": int(out),
                "server_tool_use": {"web_search_requests": 0},
                "api_key_id": key,
                "workspace_id": workspace,
                "model": model,
                "service_tier": tier,
                "context_window": "0-200k",
                "inference_geo": "global",
            }
        )
    costs = con.execute(
        f"""
        WITH typed AS (
            SELECT date_trunc('day', c.started_at) AS day, c.workload_key, c.model_id, c.is_batch,
                   unnest([
                     {{'kind': 'uncached_input_tokens', 'tokens': c.input_tokens, 'price': c.price_input}},
                     {{'kind': 'cache_read_input_tokens', 'tokens': c.cache_read_tokens, 'price': c.price_cache_read}},
                     {{'kind': CASE WHEN c.cache_write_1h THEN 'cache_creation.ephemeral_1h_input_tokens'
                                    ELSE 'cache_creation.ephemeral_5m_input_tokens' END,
                       'tokens': c.cache_write_tokens, 'price': c.price_cache_write}},
                     {{'kind': 'output_tokens', 'tokens': c.output_tokens, 'price': c.price_output}}
                   ]) AS t
            FROM billed_calls AS c WHERE c.provider = 'anthropic'
        )
        SELECT day, workload_key, model_id, is_batch, t.kind,
               -- cents: tokens x USD per million tokens / 10,000
               sum(t.tokens * t.price) * 0.0001 * CASE WHEN is_batch THEN {BATCH_DISCOUNT} ELSE 1 END AS cents
        FROM typed WHERE t.tokens > 0
        GROUP BY day, workload_key, model_id, is_batch, t.kind ORDER BY ALL
        """
    ).fetchall()
    names = {m: n for m, n in con.execute("SELECT model_id, billing_name FROM models").fetchall()}
    labels = {kind: label for kind, label, _, _ in _TOKEN_TYPES}
    costs_by_day: dict[datetime, list[dict]] = {d: [] for d in days}
    for day, workspace, model, batch, kind, cents in costs:
        description = f"{names[model]} Usage - {labels[kind]}" + (" (Batch)" if batch else "")
        costs_by_day[day].append(
            {
                "currency": "USD",
                "amount": format(Decimal(cents).normalize(), "f"),
                "workspace_id": workspace,
                "description": description,
                "cost_type": "tokens",
                "context_window": "0-200k",
                "model": model,
                "service_tier": "batch" if batch else "standard",
                "token_type": kind,
                "inference_geo": "global",
            }
        )
    _write_anthropic_pages(landing / "anthropic_usage" / "usage_report" / "messages" / month, usage_by_day)
    _write_anthropic_pages(landing / "anthropic_usage" / "cost_report" / month, costs_by_day)
    return len(costs)


_OTEL_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "aws.bedrock",
    "azure": "azure.ai.openai",
    "vertex": "gcp.vertex_ai",
}


def _attr(key: str, value: object) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}  # int64 as a JSON string, per OTLP/JSON
    return {"key": key, "value": {"stringValue": str(value)}}


def write_otel(con: duckdb.DuckDBPyConnection, landing: Path, seed: int) -> int:
    """Writes one OTLP/JSON file per day of the traced calls (as a Collector file exporter would)."""
    rows = con.execute(
        f"""
        SELECT started_at, duration_ms, application, environment, team, provider, model_id,
               is_failed, call_id, input_total, cache_read_tokens, cache_write_tokens, output_tokens,
               CASE WHEN via_gateway THEN 'chatcmpl-' || printf('%016x', hash({int(seed)}, call_id, 99))
                    ELSE 'msg_' || printf('%016x', hash({int(seed)}, call_id, 98)) END AS response_id,
               printf('%032x', hash({int(seed)}, call_id, 97)::UHUGEINT * 18446744073709551557) AS trace_id,
               endpoint
        FROM calls WHERE is_traced AND NOT is_batch AND NOT is_gateway_cache_hit
        ORDER BY started_at, call_id
        """
    ).fetchall()
    out = landing / "otel_genai" / "traces"
    out.mkdir(parents=True, exist_ok=True)
    by_day: dict[str, list[str]] = {}
    for (
        started, duration, app, env, team, provider, model, failed, call_id,
        input_total, cache_read, cache_write, output, response_id, trace_id, endpoint,
    ) in rows:  # fmt: skip
        start_ns = int(started.timestamp()) * 1_000_000_000 + started.microsecond * 1000
        agent_span = f"{call_id:016x}"[-16:]
        model_span = f"{call_id * 31 + 7:016x}"[-16:]
        operation = "embeddings" if endpoint == "embeddings" else "chat"
        attributes = [
            _attr("gen_ai.operation.name", operation),
            # the deprecated gen_ai.system name on Bedrock calls, as older instrumentations still send
            _attr("gen_ai.system" if provider == "bedrock" else "gen_ai.provider.name", _OTEL_PROVIDER[provider]),
            _attr("gen_ai.request.model", model),
            _attr("gen_ai.response.model", model),
            _attr("gen_ai.response.id", response_id),
            _attr("gen_ai.usage.input_tokens", 0 if failed else int(input_total)),
            _attr("gen_ai.usage.output_tokens", 0 if failed else int(output)),
            _attr("gen_ai.usage.cache_read.input_tokens", 0 if failed else int(cache_read)),
            _attr("gen_ai.usage.cache_creation.input_tokens", 0 if failed else int(cache_write)),
            _attr("gen_ai.conversation.id", f"conv-{call_id // 8:08x}"),
            _attr("app.feature", "drafting" if app == "sales-copilot" else "default"),
            # content must never reach the warehouse: the loader drops it
            _attr("gen_ai.input.messages", '[{"role":"user","parts":[{"type":"text","content":"DEMO PROMPT"}]}]'),
        ]
        if team is not None:
            attributes.append(_attr("app.team", team))
        spans = [
            {
                "traceId": trace_id,
                "spanId": model_span,
                "parentSpanId": agent_span,
                "name": f"{operation} {model}",
                "kind": 3,
                "startTimeUnixNano": str(start_ns),
                "endTimeUnixNano": str(start_ns + int(duration) * 1_000_000),
                "attributes": attributes,
                "status": {"code": 2 if failed else 0},
            },
            {
                # the agent span wraps the model call: its token attributes repeat the child's
                "traceId": trace_id,
                "spanId": agent_span,
                "name": f"invoke_agent {app}",
                "kind": 1,
                "startTimeUnixNano": str(start_ns - 5_000_000),
                "endTimeUnixNano": str(start_ns + int(duration) * 1_000_000 + 5_000_000),
                "attributes": [
                    _attr("gen_ai.operation.name", "invoke_agent"),
                    _attr("gen_ai.provider.name", _OTEL_PROVIDER[provider]),
                    _attr("gen_ai.agent.name", app),
                    _attr("gen_ai.usage.input_tokens", 0 if failed else int(input_total)),
                    _attr("gen_ai.usage.output_tokens", 0 if failed else int(output)),
                ],
                "status": {"code": 0},
            },
        ]
        request = {
            "resourceSpans": [
                {
                    "resource": {"attributes": [_attr("service.name", app), _attr("deployment.environment.name", env)]},
                    "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.genai"}, "spans": spans}],
                }
            ]
        }
        by_day.setdefault(started.strftime("%Y-%m-%d"), []).append(json.dumps(request, separators=(",", ":")))
    for day, lines in by_day.items():
        (out / f"traces-{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)
