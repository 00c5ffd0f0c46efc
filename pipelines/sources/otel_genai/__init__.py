"""OpenTelemetry GenAI spans as OTLP JSON: the files an OTel Collector ``file`` exporter writes.

Layout: ``otel_genai/**/*.json|*.jsonl`` (optionally ``.gz``). Each line is one
``ExportTraceServiceRequest`` in OTLP/JSON: ``resourceSpans[].resource.attributes`` and
``resourceSpans[].scopeSpans[].spans[]`` with ``attributes`` as ``[{"key", "value": {"stringValue" |
"intValue" | ...}}]`` (int64 values arrive as JSON strings, per the protobuf JSON mapping).

Only spans with GenAI attributes (``gen_ai.operation.name``, ``gen_ai.provider.name`` or the deprecated
``gen_ai.system``) become rows. Content attributes (``gen_ai.input.messages``, ``gen_ai.output.messages``,
``gen_ai.system_instructions``, the deprecated ``gen_ai.prompt``/``gen_ai.completion``, tool call
arguments and results) are never read into the warehouse: the span row keeps the named usage and identity
attributes, plus the attributes configured as attribution keys. A file rewritten replaces its previous
version.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime

import pyarrow as pa

from pipelines import pseudonyms
from pipelines.errors import BadFileError
from pipelines.landing import Landing
from pipelines.readers import contract_arrow_schema
from pipelines.sources.base import LoadPlan, PlannedFile
from pipelines.sources.otel_genai.schema import SPANS

SLUG = "otel_genai"
ATTRIBUTE_KEYS_ENV = "AICOST_OTEL_ATTRIBUTE_KEYS"
DEFAULT_ATTRIBUTE_KEYS = ("app.team", "app.feature", "app.customer_id", "enduser.id")
# End-user identifiers: hashed with the pseudonym salt when one is configured (as LiteLLM's end_user).
PSEUDONYMISED_ATTRIBUTES = frozenset({"enduser.id"})
# Span attribute -> contract column.
_SPAN_TEXT = {
    "gen_ai.operation.name": "operation_name",
    "gen_ai.request.model": "request_model",
    "gen_ai.response.model": "response_model",
    "gen_ai.response.id": "response_id",
    "gen_ai.conversation.id": "conversation_id",
    "gen_ai.agent.id": "agent_id",
    "gen_ai.agent.name": "agent_name",
    "gen_ai.tool.name": "tool_name",
}
_SPAN_COUNTS = {
    "gen_ai.usage.input_tokens": "input_tokens",
    "gen_ai.usage.output_tokens": "output_tokens",
    "gen_ai.usage.cache_read.input_tokens": "cache_read_input_tokens",
    "gen_ai.usage.cache_creation.input_tokens": "cache_creation_input_tokens",
    "gen_ai.usage.reasoning.output_tokens": "reasoning_output_tokens",
    # deprecated names, used only when the current ones are absent
    "gen_ai.usage.prompt_tokens": "input_tokens",
    "gen_ai.usage.completion_tokens": "output_tokens",
}
_STATUS = {0: "UNSET", 1: "OK", 2: "ERROR", "STATUS_CODE_UNSET": "UNSET", "STATUS_CODE_OK": "OK"}
_STATUS["STATUS_CODE_ERROR"] = "ERROR"


# Content attributes: never kept, even when configured as attribution keys by mistake.
CONTENT_ATTRIBUTES = frozenset(
    {
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "gen_ai.tool.definitions",
        "gen_ai.retrieval.documents",
        "gen_ai.retrieval.query.text",
    }
)


def attribute_keys() -> tuple[str, ...]:
    """Span or resource attributes kept as attribution keys (``AICOST_OTEL_ATTRIBUTE_KEYS``, comma-separated).

    Content attributes are dropped from the list: the warehouse never stores prompts or responses.
    """
    configured = os.environ.get(ATTRIBUTE_KEYS_ENV)
    keys = DEFAULT_ATTRIBUTE_KEYS if configured is None else tuple(k.strip() for k in configured.split(","))
    return tuple(
        k
        for k in keys
        if k and k not in CONTENT_ATTRIBUTES and not k.startswith(("gen_ai.prompt.", "gen_ai.completion."))
    )


class OtelGenAISource:
    """The ``otel_genai`` source: OTLP/JSON trace files."""

    slug = SLUG
    tables = (SPANS,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Every ``.json``/``.jsonl`` file (gzip allowed) is one partition."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            name = file.name.removesuffix(".gz")
            if not name.endswith((".json", ".jsonl")):
                plan.ignored.append((file, "not an OTLP JSON file (.json, .jsonl, optionally .gz)"))
                continue
            plan.files.append(PlannedFile(file=file, table=SPANS, format="json", partition=file.key))
        return plan

    def parse(self, planned: PlannedFile) -> pa.Table:
        """Parses every line (one export request each) into span rows."""
        key = planned.file.key
        path = planned.file.local_path
        raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BadFileError(key, f"not UTF-8 (byte {exc.start})", line=line) from exc
        keep = attribute_keys()
        rows: list[dict[str, object]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadFileError(key, f"invalid JSON: {exc.msg} (column {exc.colno})", line=number) from exc
            if not isinstance(request, dict) or not isinstance(request.get("resourceSpans"), list):
                raise BadFileError(key, "not an OTLP trace export: expected resourceSpans", line=number)
            for row in _span_rows(key, number, request, keep):
                row["_source_row"] = len(rows) + 1
                rows.append(row)
        return pa.Table.from_pylist(rows, schema=contract_arrow_schema(SPANS))


def _value(value: object) -> object:
    """An OTLP AnyValue as a plain value (arrays and maps as lists and dicts)."""
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "boolValue" in value:
        return value["boolValue"]
    if "doubleValue" in value:
        return value["doubleValue"]
    if "arrayValue" in value:
        return [_value(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return {kv.get("key"): _value(kv.get("value")) for kv in value["kvlistValue"].get("values", [])}
    return None


def _attributes(key: str, line: int, items: object, where: str) -> dict[str, object]:
    if items is None:
        return {}
    if not isinstance(items, list):
        raise BadFileError(key, f"{where}.attributes must be a list", line=line)
    attributes: dict[str, object] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise BadFileError(key, f"{where}: attribute without a key", line=line)
        try:
            attributes[item["key"]] = _value(item.get("value"))
        except (TypeError, ValueError) as exc:
            raise BadFileError(key, f"{where}: attribute {item['key']} has a bad value ({exc})", line=line) from exc
    return attributes


def _nanos(key: str, line: int, value: object, where: str) -> datetime | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        nanos = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadFileError(key, f"{where} must be unix nanoseconds, got {value!r}", line=line) from None
    return datetime.fromtimestamp(nanos // 1_000_000_000, tz=UTC).replace(microsecond=(nanos // 1000) % 1_000_000)


def _span_rows(key: str, line: int, request: dict, keep: tuple[str, ...]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for r, resource_spans in enumerate(request["resourceSpans"]):
        where = f"resourceSpans[{r}]"
        resource = _attributes(key, line, (resource_spans.get("resource") or {}).get("attributes"), where)
        for s, scope_spans in enumerate(resource_spans.get("scopeSpans") or []):
            for p, span in enumerate(scope_spans.get("spans") or []):
                at = f"{where}.scopeSpans[{s}].spans[{p}]"
                attributes = _attributes(key, line, span.get("attributes"), at)
                provider = attributes.get("gen_ai.provider.name") or attributes.get("gen_ai.system")
                if provider is None and "gen_ai.operation.name" not in attributes:
                    continue  # not a GenAI span (HTTP, database ...)
                rows.append(_span_row(key, line, at, span, resource, attributes, provider, keep))
    return rows


def _span_row(
    key: str,
    line: int,
    at: str,
    span: dict,
    resource: dict[str, object],
    attributes: dict[str, object],
    provider: object,
    keep: tuple[str, ...],
) -> dict[str, object]:
    start = _nanos(key, line, span.get("startTimeUnixNano"), f"{at}.startTimeUnixNano")
    if start is None or not span.get("traceId") or not span.get("spanId"):
        raise BadFileError(key, f"{at}: a span needs traceId, spanId and startTimeUnixNano", line=line)
    row: dict[str, object] = {
        "trace_id": span["traceId"],
        "span_id": span["spanId"],
        "parent_span_id": span.get("parentSpanId") or None,
        "span_name": span.get("name"),
        "start_time": start,
        "end_time": _nanos(key, line, span.get("endTimeUnixNano"), f"{at}.endTimeUnixNano"),
        "status_code": _STATUS.get((span.get("status") or {}).get("code", 0), "UNSET"),
        "service_name": _text(resource.get("service.name")),
        "deployment_environment": _text(
            resource.get("deployment.environment.name") or resource.get("deployment.environment")
        ),
        "provider_name": _text(provider),
    }
    for attribute, column in _SPAN_TEXT.items():
        row[column] = _text(attributes.get(attribute))
    for attribute, column in _SPAN_COUNTS.items():
        value = attributes.get(attribute)
        if value is None or row.get(column) is not None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadFileError(
                key, f"{at}: {attribute} must be a non-negative integer, got {value!r}", line=line, column=attribute
            )
        row[column] = value
    kept = {k: attributes[k] if k in attributes else resource[k] for k in keep if k in attributes or k in resource}
    secret = pseudonyms.salt()
    for k in PSEUDONYMISED_ATTRIBUTES & kept.keys():
        if secret and kept[k] not in (None, ""):
            kept[k] = pseudonyms.pseudonym(str(kept[k]), secret)
    row["attribution_attributes"] = json.dumps(kept, sort_keys=True) if kept else None
    return row


def _text(value: object) -> str | None:
    return None if value is None else str(value)


SOURCE = OtelGenAISource()
