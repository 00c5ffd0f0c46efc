"""OpenAI Admin API exports: usage (completions) and costs pages, stored exactly as the API returned them.

Layout::

    openai_usage/usage/completions/**/*.json   one page of GET /v1/organization/usage/completions
    openai_usage/costs/**/*.json               one page of GET /v1/organization/costs

Each page is ``{"object": "page", "data": [bucket...], "has_more", "next_page"}``; every bucket holds
``results``. Money (``amount.value``, dollars) is parsed from the JSON text straight into Decimal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from pipelines.contracts import RawTable
from pipelines.errors import BadFileError
from pipelines.landing import Landing
from pipelines.readers import contract_arrow_schema
from pipelines.sources.base import LoadPlan, PlannedFile
from pipelines.sources.openai_usage.schema import COMPLETIONS, COSTS

SLUG = "openai_usage"
_FOLDERS: dict[str, RawTable] = {"usage/completions/": COMPLETIONS, "costs/": COSTS}
_RESULT_OBJECTS = {
    COMPLETIONS.name: "organization.usage.completions.result",
    COSTS.name: "organization.costs.result",
}


class OpenAIUsageSource:
    """The ``openai_usage`` source: Admin API usage and costs pages."""

    slug = SLUG
    tables = (COMPLETIONS, COSTS)

    def plan(self, landing: Landing) -> LoadPlan:
        """Assigns each page file to its raw table by folder."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            rel = file.key.removeprefix(f"{SLUG}/")
            table = next((t for prefix, t in _FOLDERS.items() if rel.startswith(prefix)), None)
            if table is None or not file.name.endswith(".json"):
                plan.ignored.append((file, "not an OpenAI usage/completions or costs page (.json)"))
                continue
            plan.files.append(PlannedFile(file=file, table=table, format="json", partition=file.key))
        return plan

    def parse(self, planned: PlannedFile) -> pa.Table:
        """Parses one API page into rows of the contract, validating every value used."""
        key = planned.file.key
        try:
            text = planned.file.local_path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadFileError(key, f"not UTF-8 (byte {exc.start})") from exc
        try:
            page = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise BadFileError(key, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from exc
        if not isinstance(page, dict) or page.get("object") != "page" or not isinstance(page.get("data"), list):
            raise BadFileError(key, 'not an API page: expected {"object": "page", "data": [...]}', column="object")
        to_row = _completions_row if planned.table is COMPLETIONS else _costs_row
        rows: list[dict[str, object]] = []
        for b, bucket in enumerate(page["data"]):
            where = f"data[{b}]"
            if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
                raise BadFileError(key, "bucket without a results list", column=where)
            start = _timestamp(key, bucket, "start_time", where)
            end = _timestamp(key, bucket, "end_time", where)
            for r, result in enumerate(bucket["results"]):
                at = f"{where}.results[{r}]"
                if not isinstance(result, dict):
                    raise BadFileError(key, "result is not an object", column=at)
                expected = _RESULT_OBJECTS[planned.table.name]
                if result.get("object", expected) != expected:
                    raise BadFileError(key, f"unexpected result object {result.get('object')!r}", column=at)
                row = to_row(key, result, at)
                row.update(bucket_start_time=start, bucket_end_time=end, _source_row=len(rows) + 1)
                rows.append(row)
        schema = contract_arrow_schema(planned.table)
        return pa.Table.from_pylist(rows, schema=schema)


def _timestamp(key: str, obj: dict, field: str, where: str) -> datetime:
    value = obj.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadFileError(key, f"{field} must be unix seconds, got {value!r}", column=f"{where}.{field}")
    return datetime.fromtimestamp(value, tz=UTC)


def _count(key: str, obj: dict, field: str, where: str, required: bool = True) -> int | None:
    value = obj.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadFileError(key, f"{field} must be a non-negative integer, got {value!r}", column=f"{where}.{field}")
    return value


def _text(key: str, obj: dict, field: str, where: str) -> str | None:
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise BadFileError(key, f"{field} must be a string or null, got {value!r}", column=f"{where}.{field}")
    return value


def _completions_row(key: str, result: dict, at: str) -> dict[str, object]:
    input_tokens = _count(key, result, "input_tokens", at)
    cached = _count(key, result, "input_cached_tokens", at, required=False)
    if cached is not None and input_tokens is not None and cached > input_tokens:
        # input_tokens includes cached tokens; more cached than input means a broken export.
        raise BadFileError(
            key,
            f"input_cached_tokens ({cached}) exceeds input_tokens ({input_tokens})",
            column=f"{at}.input_cached_tokens",
        )
    batch = result.get("batch")
    if batch is not None and not isinstance(batch, bool):
        raise BadFileError(key, f"batch must be true, false or null, got {batch!r}", column=f"{at}.batch")
    optional: Callable[[str], int | None] = lambda f: _count(key, result, f, at, required=False)  # noqa: E731
    return {
        "project_id": _text(key, result, "project_id", at),
        "user_id": _text(key, result, "user_id", at),
        "api_key_id": _text(key, result, "api_key_id", at),
        "model": _text(key, result, "model", at),
        "batch": batch,
        "service_tier": _text(key, result, "service_tier", at),
        "input_tokens": input_tokens,
        "input_cached_tokens": cached,
        "input_audio_tokens": optional("input_audio_tokens"),
        "output_tokens": _count(key, result, "output_tokens", at),
        "output_audio_tokens": optional("output_audio_tokens"),
        "num_model_requests": _count(key, result, "num_model_requests", at),
    }


def _decimal(key: str, value: object, column: str) -> Decimal:
    # Floats were parsed as Decimal from their JSON text, so no binary rounding happens here. Digits past
    # the 12th decimal place (float noise, far below a cent) are rounded half-even to fit DECIMAL(38, 12).
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise BadFileError(key, f"expected a number, got {value!r}", column=column)
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise BadFileError(key, f"expected a number, got {value!r}", column=column) from exc
    if not number.is_finite():
        raise BadFileError(key, f"expected a finite number, got {value!r}", column=column)
    return number.quantize(Decimal("1e-12"))


def _costs_row(key: str, result: dict, at: str) -> dict[str, object]:
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
        "project_id": _text(key, result, "project_id", at),
        "api_key_id": _text(key, result, "api_key_id", at),
        "line_item": _text(key, result, "line_item", at),
        "quantity": None if quantity is None else _decimal(key, quantity, f"{at}.quantity"),
        "amount_value": _decimal(key, amount.get("value"), f"{at}.amount.value"),
        "amount_currency": currency.upper(),
    }


SOURCE = OpenAIUsageSource()
