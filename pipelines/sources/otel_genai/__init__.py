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

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load`` (contracts, errors, readers,
pseudonyms); ``pipelines.landing``; ``pipelines.demo.world`` (``demo.py`` only). No other source, no
registry, no ``orchestration``.
"""

from __future__ import annotations

import json

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.load import pseudonyms
from pipelines.load.errors import BadFileError
from pipelines.load.readers import contract_arrow_schema
from pipelines.sources.base import LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.files import decoded_text
from pipelines.sources.otel_genai import demo
from pipelines.sources.otel_genai.schema import SPANS

SLUG = "otel_genai"
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
    # AWS's id of the call (AWS SDK instrumentation), the key Bedrock's invocation log shares
    "aws.request_id": "aws_request_id",
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


def attribute_keys(configured: str) -> tuple[str, ...]:
    """Span or resource attributes kept as attribution keys (setting ``otel_attribute_keys``, comma-separated).

    Content attributes are dropped from the list: the warehouse never stores prompts or responses.
    """
    keys = tuple(k.strip() for k in configured.split(","))
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

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Parses every line (one export request each) into span rows, column by column."""
        key = planned.file.key
        path = planned.file.local_path
        text = decoded_text(planned)
        spans = _Spans(key, attribute_keys(options.otel_attribute_keys), options.pseudonym_salt)
        document = _whole_document(text) if path.name.removesuffix(".gz").endswith(".json") else None
        if document is not None:
            # one export request pretty-printed over many lines (an OTLP/JSON file written by hand or a tool)
            spans.add_request(1, document)
            return spans.table()
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadFileError(key, f"invalid JSON: {exc.msg} (column {exc.colno})", line=number) from exc
            if not isinstance(request, dict) or not isinstance(request.get("resourceSpans"), list):
                raise BadFileError(key, "not an OTLP trace export: expected resourceSpans", line=number)
            spans.add_request(number, request)
        return spans.table()


def _whole_document(text: str) -> dict | None:
    """The file as one OTLP/JSON export request, when it is one (else None: read it line by line)."""
    if text.count("\n") <= 1:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, dict) and isinstance(document.get("resourceSpans"), list) else None


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


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_COLUMNS = [c.name for c in SPANS.columns]
_TIME_COLUMNS = ("start_time", "end_time")


class _Spans:
    """Span rows of one file, kept as columns (millions of spans: one dict per row would be slow).

    Attribute values stay as their OTLP JSON until a column needs them, so the many attributes nobody reads
    (content among them) are never converted, let alone stored.
    """

    def __init__(self, key: str, keep: tuple[str, ...], secret: str | None) -> None:
        self.key = key
        self.keep = keep
        self.secret = secret
        self.columns: dict[str, list[object]] = {name: [] for name in [*_COLUMNS, "_source_row"]}

    def _attributes(self, line: int, items: object, where: str) -> dict[str, object]:
        if items is None:
            return {}
        try:
            return {item["key"]: item.get("value") for item in items}  # type: ignore[union-attr]
        except (TypeError, KeyError, AttributeError):
            raise BadFileError(self.key, f"{where}.attributes must be a list of {{key, value}}", line=line) from None

    def _nanos(self, line: int, value: object, where: str) -> int | None:
        if value in (None, "", 0, "0"):
            return None
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BadFileError(self.key, f"{where} must be unix nanoseconds, got {value!r}", line=line) from None

    def add_request(self, line: int, request: dict) -> None:
        """Adds the GenAI spans of one export request (one line)."""
        for r, resource_spans in enumerate(request["resourceSpans"]):
            where = f"resourceSpans[{r}]"
            resource = self._attributes(line, (resource_spans.get("resource") or {}).get("attributes"), where)
            for s, scope_spans in enumerate(resource_spans.get("scopeSpans") or []):
                for p, span in enumerate(scope_spans.get("spans") or []):
                    attributes = self._attributes(line, span.get("attributes"), f"{where}.scopeSpans[{s}].spans[{p}]")
                    provider = attributes.get("gen_ai.provider.name") or attributes.get("gen_ai.system")
                    if provider is None and "gen_ai.operation.name" not in attributes:
                        continue  # not a GenAI span (HTTP, database ...)
                    self._add_span(line, f"{where}.scopeSpans[{s}].spans[{p}]", span, resource, attributes, provider)

    def _add_span(self, line: int, at: str, span: dict, resource: dict, attributes: dict, provider: object) -> None:
        start = self._nanos(line, span.get("startTimeUnixNano"), f"{at}.startTimeUnixNano")
        if start is None or not span.get("traceId") or not span.get("spanId"):
            raise BadFileError(self.key, f"{at}: a span needs traceId, spanId and startTimeUnixNano", line=line)
        row: dict[str, object] = {
            "trace_id": span["traceId"],
            "span_id": span["spanId"],
            "parent_span_id": span.get("parentSpanId") or None,
            "span_name": span.get("name"),
            "start_time": start,
            "end_time": self._nanos(line, span.get("endTimeUnixNano"), f"{at}.endTimeUnixNano"),
            "status_code": _STATUS.get((span.get("status") or {}).get("code", 0), "UNSET"),
            "service_name": _text(_value(resource.get("service.name"))),
            "deployment_environment": _text(
                _value(resource.get("deployment.environment.name") or resource.get("deployment.environment"))
            ),
            "provider_name": _text(_value(provider)),
        }
        for attribute, column in _SPAN_TEXT.items():
            row[column] = _text(_value(attributes.get(attribute)))
        for attribute, column in _SPAN_COUNTS.items():
            if attribute not in attributes or row.get(column) is not None:
                continue
            try:
                value = _value(attributes[attribute])
            except (TypeError, ValueError):
                value = attributes[attribute]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise BadFileError(
                    self.key,
                    f"{at}: {attribute} must be a non-negative integer, got {value!r}",
                    line=line,
                    column=attribute,
                )
            row[column] = value
        self._check_breakdowns(row, at, line)
        kept = {}
        for k in self.keep:
            if k in attributes or k in resource:
                kept[k] = _value(attributes[k] if k in attributes else resource[k])
                if self.secret and k in PSEUDONYMISED_ATTRIBUTES and kept[k] not in (None, ""):
                    kept[k] = pseudonyms.pseudonym(str(kept[k]), self.secret)
        row["attribution_attributes"] = json.dumps(kept, sort_keys=True) if kept else None
        row["_source_row"] = len(self.columns["_source_row"]) + 1
        for name, values in self.columns.items():
            values.append(row.get(name))

    def _check_breakdowns(self, row: dict[str, object], at: str, line: int) -> None:
        """Refuses a span whose cache or reasoning tokens exceed the total they are part of.

        The conventions count cache reads and writes inside input_tokens and reasoning inside output_tokens:
        more of them than the total would make a negative token count downstream.
        """
        for total, parts, names in (
            ("input_tokens", ("cache_read_input_tokens", "cache_creation_input_tokens"), "cache reads and writes"),
            ("output_tokens", ("reasoning_output_tokens",), "reasoning tokens"),
        ):
            counted = sum(int(row.get(p) or 0) for p in parts)
            if counted and counted > int(row.get(total) or 0):
                raise BadFileError(
                    self.key,
                    f"{at}: gen_ai.usage.{total.removesuffix('_tokens')}_tokens ({row.get(total) or 0}) is less than "
                    f"its {names} ({counted}); the conventions count them inside it",
                    line=line,
                    column=f"gen_ai.usage.{total.removesuffix('_tokens')}_tokens",
                )

    def table(self) -> pa.Table:
        """The rows in the contract's Arrow schema (times from integer nanoseconds, without Python datetimes)."""
        schema = contract_arrow_schema(SPANS)
        arrays = []
        for field in schema:
            values = self.columns[field.name]
            if field.name in _TIME_COLUMNS:
                arrays.append(pa.array(values, pa.timestamp("ns", tz="UTC")).cast(field.type, safe=False))
            else:
                arrays.append(pa.array(values, field.type))
        return pa.Table.from_arrays(arrays, schema=schema)


SOURCE = SourceUnit(
    reader=OtelGenAISource(),
    description=("OpenTelemetry GenAI spans (OTLP JSON from a Collector file exporter)."),
    demo=demo.write,
    bench_reads=(("otel_genai/**/*.jsonl", "read_json"),),
    demo_label="traced calls (OTel)",
)
