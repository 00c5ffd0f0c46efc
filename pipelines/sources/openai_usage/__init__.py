"""OpenAI Admin API exports: every usage endpoint and the costs report, stored exactly as the API returned them.

Layout::

    openai_usage/usage/<endpoint>/**/*.json   one page of GET /v1/organization/usage/<endpoint>
    openai_usage/costs/**/*.json              one page of GET /v1/organization/costs

``<endpoint>`` is one of ``completions``, ``embeddings``, ``moderations``, ``images``, ``audio_speeches``,
``audio_transcriptions``, ``vector_stores``, ``code_interpreter_sessions``, ``file_search_calls``,
``web_search_calls``. Each page is ``{"object": "page", "data": [bucket...], "has_more", "next_page"}``.
Money (``amount.value``, dollars) is parsed from the JSON text straight into Decimal. A field the contract
does not know is kept in ``extra_fields`` and reported as schema drift; only an unknown field carrying a
token count quarantines the page (loading it would undercount tokens), and the message says so.

Imports: ``pipelines.sources.base`` and ``api_pages``; ``pipelines.load`` (``contracts``, ``errors``,
``readers``, ``manifest``); ``pipelines.landing``; ``pipelines.pull.admin_api`` (``pull.py``: the API's
endpoints); ``pipelines.demo.world`` and ``org`` (``demo.py`` only). No other source, no registry, no
``orchestration``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.load.contracts import EXTRA_FIELDS
from pipelines.load.errors import BadFileError
from pipelines.load.readers import contract_arrow_schema
from pipelines.sources import api_pages
from pipelines.sources.base import LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.openai_usage import demo
from pipelines.sources.openai_usage.endpoints import COST_FIELDS, USAGE_ENDPOINTS, result_objects
from pipelines.sources.openai_usage.pull import API
from pipelines.sources.openai_usage.schema import COMPLETIONS, COSTS, OTHER_USAGE
from pipelines.sources.openai_usage.totals import BILLED_TOTALS

SLUG = "openai_usage"
ENDPOINT_FIELDS: dict[str, tuple[str, ...]] = {name: spec.fields for name, spec in USAGE_ENDPOINTS.items()}
_TEXT_FIELDS = {"project_id", "user_id", "api_key_id", "model", "service_tier", "source", "size"}
_TEXT_FIELDS |= {"vector_store_id", "context_level", "api_source", "quantity_unit"}


class OpenAIUsageSource:
    """The ``openai_usage`` source: Admin API usage pages of every endpoint, and costs pages."""

    slug = SLUG
    tables = (COMPLETIONS, OTHER_USAGE, COSTS)

    def plan(self, landing: Landing) -> LoadPlan:
        """Assigns each page file to its raw table by folder."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            rel = file.key.removeprefix(f"{SLUG}/")
            parts = rel.split("/")
            if parts[0] == "costs":
                table = COSTS
            elif parts[0] == "usage" and len(parts) > 2 and parts[1] in ENDPOINT_FIELDS:
                table = COMPLETIONS if parts[1] == "completions" else OTHER_USAGE
            else:
                table = None
            if table is None or not file.name.endswith(".json"):
                plan.ignored.append((file, "not an OpenAI usage/<endpoint> or costs page (.json)"))
                continue
            plan.files.append(PlannedFile(file=file, table=table, format="json", partition=file.key))
        return plan

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Parses one API page into rows of the contract, validating every value used."""
        key = planned.file.key
        page = api_pages.read_page(key, planned.file.local_path)
        if page.get("object") != "page":
            raise BadFileError(key, 'not an API page: expected {"object": "page", "data": [...]}', column="object")
        parts = key.removeprefix(f"{SLUG}/").split("/")
        endpoint = "costs" if parts[0] == "costs" else parts[1]
        expected = result_objects(endpoint)
        rows: list[dict[str, object]] = []
        for where, at, result, bucket in api_pages.results_of_buckets(key, page):
            start = _timestamp(key, bucket, "start_time", where)
            end = _timestamp(key, bucket, "end_time", where)
            if result is None:
                continue  # an empty bucket: no usage in that interval
            if result.get("object", expected[0]) not in expected:
                raise BadFileError(
                    key,
                    f"unexpected result object {result.get('object')!r} for the {endpoint} endpoint "
                    f"(expected {' or '.join(expected)})",
                    column=at,
                )
            row = _costs_row(key, result, at) if endpoint == "costs" else _usage_row(key, endpoint, result, at)
            row.update(bucket_start_time=start, bucket_end_time=end, _source_row=len(rows) + 1)
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=contract_arrow_schema(planned.table))


def _timestamp(key: str, obj: dict, field: str, where: str) -> datetime:
    value = obj.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadFileError(
            key, f"{field} must be unix seconds, got {api_pages.shown(value)}", column=f"{where}.{field}"
        )
    return datetime.fromtimestamp(value, tz=UTC)


def _usage_row(key: str, endpoint: str, result: dict, at: str) -> dict[str, object]:
    fields = ENDPOINT_FIELDS[endpoint]
    extra = api_pages.unknown_fields(key, result, ("object", *fields), at)
    row: dict[str, object] = {} if endpoint == "completions" else {"endpoint": endpoint}
    row[EXTRA_FIELDS] = api_pages.extra_json(extra)
    for field in fields:
        if field == "batch":
            row[field] = api_pages.flag(key, result, field, at)
        elif field in _TEXT_FIELDS:
            row[field] = api_pages.text(key, result, field, at)
        else:
            required = endpoint == "completions" and field in ("input_tokens", "output_tokens", "num_model_requests")
            row[field] = api_pages.count(key, result, field, at, required=required)
    if endpoint == "completions":
        _check_cached_within_input(key, row, at)
    return row


def _check_cached_within_input(key: str, row: dict[str, object], at: str) -> None:
    # input_tokens includes cache reads and writes; more of them than input means a broken export.
    cached, written, total = row["input_cached_tokens"], row["input_cache_write_tokens"], row["input_tokens"]
    parts = (cached if isinstance(cached, int) else 0) + (written if isinstance(written, int) else 0)
    if isinstance(total, int) and parts > total:
        raise BadFileError(
            key,
            f"input_cached_tokens + input_cache_write_tokens ({parts}) exceed input_tokens ({total})",
            column=f"{at}.input_cached_tokens",
        )


def _costs_row(key: str, result: dict, at: str) -> dict[str, object]:
    extra = api_pages.unknown_fields(key, result, ("object", *COST_FIELDS), at)
    amount = result.get("amount")
    if not isinstance(amount, dict):
        raise BadFileError(key, "amount must be an object {value, currency}", column=f"{at}.amount")
    currency = amount.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise BadFileError(
            key, f"amount.currency must be an ISO 4217 code, got {currency!r}", column=f"{at}.amount.currency"
        )
    quantity = result.get("quantity")
    return {
        "project_id": api_pages.text(key, result, "project_id", at),
        "api_key_id": api_pages.text(key, result, "api_key_id", at),
        "line_item": api_pages.text(key, result, "line_item", at),
        "quantity": None if quantity is None else api_pages.decimal(key, quantity, f"{at}.quantity"),
        "quantity_unit": api_pages.text(key, result, "quantity_unit", at),
        "amount_value": api_pages.decimal(key, amount.get("value"), f"{at}.amount.value"),
        "amount_currency": currency.upper(),
        EXTRA_FIELDS: api_pages.extra_json(extra),
    }


SOURCE = SourceUnit(
    reader=OpenAIUsageSource(),
    description=("OpenAI Admin API usage buckets of every endpoint, and costs buckets."),
    demo=demo.write,
    bench_reads=(("openai_usage/**/*.json", "read_json"),),
    demo_label="OpenAI usage and cost results",
    billed_totals=BILLED_TOTALS,
    api=API,
)
