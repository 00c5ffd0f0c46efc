"""Demo OpenTelemetry GenAI spans of the traced calls.

A call that also went through LiteLLM carries the gateway's request id as gen_ai.response.id, so the warehouse
must count it once; each model-call span sits under an agent span that repeats its tokens. Model-call spans
carry the application's attributes: ``app.team``, ``app.feature`` and, for a customer-facing call,
``app.customer_id``.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.demo.world import DemoWorld

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
        SELECT started_at, duration_ms, application, environment, team, provider, model_id, customer_id, feature,
               is_failed, call_id, input_total, cache_read_tokens, cache_write_tokens, output_tokens,
               CASE WHEN via_gateway THEN 'chatcmpl-' || printf('%016x', hash({int(seed)}, call_id, 99))
                    ELSE 'msg_' || printf('%016x', hash({int(seed)}, call_id, 98)) END AS response_id,
               printf('%032x', hash({int(seed)}, call_id, 97)::UHUGEINT * 18446744073709551557) AS trace_id,
               endpoint, CASE WHEN NOT via_gateway THEN aws_request_id END AS aws_request_id
        FROM calls WHERE is_traced AND NOT is_batch AND NOT is_gateway_cache_hit
        ORDER BY started_at, call_id
        """
    ).fetchall()
    out = landing / "otel_genai" / "traces"
    out.mkdir(parents=True, exist_ok=True)
    by_day: dict[str, list[str]] = {}
    for (
        started, duration, app, env, team, provider, model, customer, feature, failed, call_id,
        input_total, cache_read, cache_write, output, response_id, trace_id, endpoint, aws_request_id,
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
            # content must never reach the warehouse: the loader drops it
            _attr("gen_ai.input.messages", '[{"role":"user","parts":[{"type":"text","content":"DEMO PROMPT"}]}]'),
        ]
        if team is not None:
            attributes.append(_attr("app.team", team))
        # the application's own attributes (kept by the loader's default AICOST_OTEL_ATTRIBUTE_KEYS)
        if feature is not None:
            attributes.append(_attr("app.feature", feature))
        if customer is not None:
            attributes.append(_attr("app.customer_id", customer))
        if aws_request_id is not None:
            # an AWS SDK call instrumented directly: the SDK span carries AWS's request id
            attributes.append(_attr("aws.request_id", aws_request_id))
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


def write(world: DemoWorld) -> int:
    """Writes one OTLP/JSON file per day under ``otel_genai/traces/``; returns the traced calls."""
    return write_otel(world.con, world.landing, world.seed)
