"""Anthropic Admin API exports: usage_report/messages and cost_report pages, stored as the API returned them.

Layout::

    anthropic_usage/usage_report/messages/**/*.json   one page of GET /v1/organizations/usage_report/messages
    anthropic_usage/cost_report/**/*.json             one page of GET /v1/organizations/cost_report

Pages are ``{"data": [{"starting_at", "ending_at", "results": [...]}], "has_more", "next_page"}`` with
RFC 3339 times. Usage token buckets are disjoint (uncached input, cache creation 5m and 1h, cache read,
output). Cost amounts are decimal strings **in cents**: kept as sent (``amount_cents``) and multiplied by
0.01 in staging, never through a float. Unknown fields are kept in ``extra_fields`` and reported as schema
drift; only an unknown field carrying a token count quarantines the page (loading it would undercount).
A cost row with a token type this contract does not know keeps its amount (money is never dropped) and
records the value as drift.

Imports: ``pipelines.sources.base`` and ``api_pages``; ``pipelines.load`` (``contracts``, ``errors``,
``readers``, ``manifest``); ``pipelines.landing``; ``pipelines.pull.admin_api`` (``pull.py``: the API's
endpoints); ``pipelines.demo.world`` and ``org`` (``demo.py`` only). No other source, no registry, no
``orchestration``.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.load.contracts import EXTRA_FIELDS
from pipelines.load.errors import BadFileError
from pipelines.load.readers import contract_arrow_schema
from pipelines.sources import api_pages
from pipelines.sources.anthropic_usage import demo
from pipelines.sources.anthropic_usage.pull import API
from pipelines.sources.anthropic_usage.schema import COST_REPORT, MESSAGES_USAGE
from pipelines.sources.anthropic_usage.totals import BILLED_TOTALS
from pipelines.sources.base import LoadOptions, LoadPlan, PlannedFile, SourceUnit

SLUG = "anthropic_usage"
_FOLDERS = {"usage_report/messages/": MESSAGES_USAGE, "cost_report/": COST_REPORT}
_USAGE_GROUPS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo", "speed")
_USAGE_FIELDS = (
    *_USAGE_GROUPS,
    "uncached_input_tokens",
    "cache_creation",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use",
)
_CACHE_CREATION_FIELDS = ("ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens")
_COST_TEXT = ("workspace_id", "description", "cost_type", "model", "token_type", "service_tier")
_COST_TEXT += ("context_window", "inference_geo")
TOKEN_TYPES = (
    "uncached_input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
)


class AnthropicUsageSource:
    """The ``anthropic_usage`` source: Admin API usage_report/messages and cost_report pages."""

    slug = SLUG
    tables = (MESSAGES_USAGE, COST_REPORT)

    def plan(self, landing: Landing) -> LoadPlan:
        """Assigns each page file to its raw table by folder."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            rel = file.key.removeprefix(f"{SLUG}/")
            table = next((t for prefix, t in _FOLDERS.items() if rel.startswith(prefix)), None)
            if table is None or not file.name.endswith(".json"):
                plan.ignored.append((file, "not an Anthropic usage_report/messages or cost_report page (.json)"))
                continue
            plan.files.append(PlannedFile(file=file, table=table, format="json", partition=file.key))
        return plan

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Parses one API page into rows of the contract, validating every value used."""
        key = planned.file.key
        page = api_pages.read_page(key, planned.file.local_path)
        to_row = _usage_row if planned.table is MESSAGES_USAGE else _cost_row
        rows: list[dict[str, object]] = []
        for where, at, result, bucket in api_pages.results_of_buckets(key, page):
            bucket_extra = api_pages.unknown_fields(
                key, bucket, ("starting_at", "ending_at", "results"), where, "bucket."
            )
            starting_at = _timestamp(key, bucket, "starting_at", where)
            ending_at = _timestamp(key, bucket, "ending_at", where)
            if result is None:
                continue  # an empty bucket: no usage in that interval
            row, extra = to_row(key, result, at)
            row[EXTRA_FIELDS] = api_pages.extra_json({**bucket_extra, **extra})
            row.update(bucket_starting_at=starting_at, bucket_ending_at=ending_at, _source_row=len(rows) + 1)
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=contract_arrow_schema(planned.table))


def _timestamp(key: str, obj: dict, field: str, where: str) -> datetime:
    value = obj.get(field)
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
    except ValueError:
        raise BadFileError(
            key,
            f"{field} must be an RFC 3339 time with offset, got {api_pages.shown(value)}",
            column=f"{where}.{field}",
        ) from None
    return parsed


def _nested(key: str, result: dict, field: str, allowed: tuple[str, ...], at: str, extra: dict[str, object]) -> dict:
    value = result.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadFileError(key, f"{field} must be an object, got {api_pages.shown(value)}", column=f"{at}.{field}")
    extra.update(api_pages.unknown_fields(key, value, allowed, f"{at}.{field}", f"{field}."))
    return value


def _usage_row(key: str, result: dict, at: str) -> tuple[dict[str, object], dict[str, object]]:
    extra = api_pages.unknown_fields(key, result, _USAGE_FIELDS, at)
    cache = _nested(key, result, "cache_creation", _CACHE_CREATION_FIELDS, at, extra)
    tools = _nested(key, result, "server_tool_use", ("web_search_requests",), at, extra)
    row: dict[str, object] = {g: api_pages.text(key, result, g, at) for g in _USAGE_GROUPS}
    row.update(
        uncached_input_tokens=api_pages.count(key, result, "uncached_input_tokens", at),
        cache_creation_ephemeral_5m_input_tokens=api_pages.count(
            key, cache, "ephemeral_5m_input_tokens", f"{at}.cache_creation", required=False
        )
        or 0,
        cache_creation_ephemeral_1h_input_tokens=api_pages.count(
            key, cache, "ephemeral_1h_input_tokens", f"{at}.cache_creation", required=False
        )
        or 0,
        cache_read_input_tokens=api_pages.count(key, result, "cache_read_input_tokens", at),
        output_tokens=api_pages.count(key, result, "output_tokens", at),
        server_tool_use_web_search_requests=api_pages.count(
            key, tools, "web_search_requests", f"{at}.server_tool_use", required=False
        ),
    )
    return row, extra


def _cost_row(key: str, result: dict, at: str) -> tuple[dict[str, object], dict[str, object]]:
    extra = api_pages.unknown_fields(key, result, (*_COST_TEXT, "currency", "amount"), at)
    currency = result.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise BadFileError(key, f"currency must be an ISO 4217 code, got {currency!r}", column=f"{at}.currency")
    amount = result.get("amount")
    if not isinstance(amount, str):
        # The API sends a decimal string; a JSON number would already have been through someone's float.
        raise BadFileError(
            key, f"amount must be a decimal string (cents), got {api_pages.shown(amount)}", column=f"{at}.amount"
        )
    row: dict[str, object] = {f: api_pages.text(key, result, f, at) for f in _COST_TEXT}
    token_type = row["token_type"]
    if token_type is not None and token_type not in TOKEN_TYPES:
        # The amount still counts; the value is reported as drift (and the row left without a token type).
        extra[f"token_type={token_type}"] = True
    row.update(currency=currency.upper(), amount_cents=api_pages.decimal(key, amount, f"{at}.amount"))
    return row, extra


SOURCE = SourceUnit(
    reader=AnthropicUsageSource(),
    description=("Anthropic Admin API usage_report/messages and cost_report buckets."),
    demo=demo.write,
    bench_reads=(("anthropic_usage/**/*.json", "read_json"),),
    demo_label="Anthropic cost results",
    billed_totals=BILLED_TOTALS,
    api=API,
)
