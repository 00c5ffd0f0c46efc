"""Reading Admin API pages (OpenAI, Anthropic) stored exactly as the API returned them.

Both providers page their usage and cost reports as ``{"data": [bucket...], "has_more", "next_page"}``;
each bucket holds ``results``. These helpers validate every value a row uses and name the JSON path of
a bad one (``data[3].results[0].output_tokens``) so a quarantine message points at it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipelines.load.contracts import MAX_DECIMAL
from pipelines.load.errors import BadFileError


def read_page(key: str, path: Path) -> dict:
    """Reads one API page, with floats parsed as exact decimals.

    Args:
        key: Landing key (named in errors).
        path: Local file.

    Returns:
        The page object, with a ``data`` list.

    Raises:
        BadFileError: Not UTF-8, not JSON (a truncated download), or not a page.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadFileError(key, f"not UTF-8 (byte {exc.start + 1})", line=line) from exc
    try:
        page = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise BadFileError(key, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from exc
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise BadFileError(key, 'not an API page: expected {"data": [...], ...}', column="data")
    return page


def shown(value: object) -> str:
    """A JSON value as an error message shows it (numbers as written, strings quoted)."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def _carries_tokens(name: str, value: object) -> bool:
    """Whether an unknown field holds a token count (or an object of them) that pricing would miss."""
    if isinstance(value, dict):
        return any(_carries_tokens(k, v) for k, v in value.items())
    if isinstance(value, list):
        return any(_carries_tokens(name, v) for v in value)
    return "token" in name.lower() and isinstance(value, int | Decimal) and not isinstance(value, bool)


def unknown_fields(key: str, obj: dict, allowed: Collection[str], where: str, prefix: str = "") -> dict[str, object]:
    """Fields this parser does not know, to keep as schema drift (``extra_fields``), never to drop.

    Providers add fields every month; a page must not be lost for it. The one exception is a field that
    carries a token count no token type accounts for: loading the rest would silently undercount tokens,
    so the page is quarantined until the contract learns the field, and the message says exactly that.

    Args:
        key: Landing key (named in errors).
        obj: The object (a result, a bucket).
        allowed: Its known fields.
        where: JSON path of the object (for errors).
        prefix: Prefix of the kept field names (``cache_creation.`` for a nested object).

    Returns:
        Unknown field (with prefix) -> value as sent.

    Raises:
        BadFileError: An unknown field carries a token count.
    """
    unknown = {name: value for name, value in obj.items() if name not in allowed}
    for name, value in unknown.items():
        if _carries_tokens(name, value):
            raise BadFileError(
                key,
                f"unknown field {name} carries a token count ({shown(value) if not isinstance(value, dict) else 'an object of counts'}) "
                "that no token type accounts for: loading the page without it would undercount tokens",
                column=f"{where}.{name}",
            )
    return {f"{prefix}{name}": value for name, value in unknown.items()}


def extra_json(fields: dict[str, object]) -> str | None:
    """Unknown fields as the JSON text of the ``extra_fields`` column (``None`` when there are none)."""
    if not fields:
        return None
    return json.dumps(fields, default=str, sort_keys=True)


def count(key: str, obj: dict, field: str, where: str, required: bool = True) -> int | None:
    """A non-negative integer field (tokens, requests); ``None`` when optional and absent or null."""
    value = obj.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadFileError(
            key, f"{field} must be a non-negative integer, got {shown(value)}", column=f"{where}.{field}"
        )
    return value


def text(key: str, obj: dict, field: str, where: str) -> str | None:
    """A string field or null."""
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise BadFileError(key, f"{field} must be a string or null, got {shown(value)}", column=f"{where}.{field}")
    return value


def flag(key: str, obj: dict, field: str, where: str) -> bool | None:
    """A boolean field or null."""
    value = obj.get(field)
    if value is not None and not isinstance(value, bool):
        raise BadFileError(key, f"{field} must be true, false or null, got {shown(value)}", column=f"{where}.{field}")
    return value


def decimal(key: str, value: object, column: str) -> Decimal:
    """An exact decimal from a JSON number (already parsed as Decimal) or a numeric string.

    Digits past the 12th decimal place (float noise, far below a cent) are rounded half-even to fit
    DECIMAL(38, 12).
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise BadFileError(key, f"expected a number, got {shown(value)}", column=column)
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise BadFileError(key, f"expected a number, got {shown(value)}", column=column) from exc
    if not number.is_finite():
        raise BadFileError(key, f"expected a finite number, got {shown(value)}", column=column)
    if abs(number) >= Decimal(MAX_DECIMAL):
        raise BadFileError(key, f"value {shown(value)} is out of range (|x| >= {MAX_DECIMAL})", column=column)
    return number.quantize(Decimal("1e-12"))


def results_of_buckets(key: str, page: dict) -> list[tuple[str, str, dict | None, dict]]:
    """Every bucket with each of its results (an empty bucket once, with ``None``), and their JSON paths.

    Empty buckets are listed so their times are validated too.

    Raises:
        BadFileError: A bucket without a results list, or a result that is not an object.
    """
    found: list[tuple[str, str, dict | None, dict]] = []
    for b, bucket in enumerate(page["data"]):
        where = f"data[{b}]"
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            raise BadFileError(key, "bucket without a results list", column=where)
        if not bucket["results"]:
            found.append((where, where, None, bucket))
        for r, result in enumerate(bucket["results"]):
            at = f"{where}.results[{r}]"
            if not isinstance(result, dict):
                raise BadFileError(key, "result is not an object", column=at)
            found.append((where, at, result, bucket))
    return found
