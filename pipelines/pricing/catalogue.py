"""Builds the list-price catalogue from genai-prices' bundled data (offline; its auto-update is never started).

For each canonical model in ``seeds/models.csv`` and each host that serves it (OpenAI, Anthropic, AWS
Bedrock, Azure, Google), genai-prices is asked which of its models that is and what it cost on each date
its data records a change. The result is long: one row per host, model, service tier, disjoint token type,
context band and validity interval, price in USD per million tokens. ``seeds/price_overrides.csv`` adds
negotiated rates and models genai-prices lacks, in dbt.

The catalogue is versioned by genai-prices' version and a digest of the rows: a new version is appended to
``raw_prices.genai_prices`` beside the old ones, so costs rated with an earlier catalogue can be restated
and compared.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from genai_prices import data_snapshot, types

from pipelines.config import PROJECT_ROOT

TABLE = "raw_prices.genai_prices"
# Hosts as genai-prices names them; dbt maps FOCUS provider names and gateway providers onto these.
HOSTS = ("openai", "anthropic", "aws", "azure", "google")
# Service tiers and the genai-prices price context that selects each.
TIERS: dict[str, dict[str, str] | None] = {
    "standard": None,
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}
# genai-prices price fields -> our disjoint token types. Reasoning tokens are billed as output tokens.
FIELDS = {
    "input_mtok": ("input",),
    "cache_read_mtok": ("cache_read",),
    "cache_write_mtok": ("cache_write_5m",),
    "cache_write_1h_mtok": ("cache_write_1h",),
    "output_mtok": ("output", "reasoning"),
}
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class PriceRow:
    """One catalogue price."""

    price_provider: str
    model_id: str
    catalogue_model_id: str
    service_tier: str
    token_type: str
    min_context_tokens: int
    valid_from: date
    valid_to: date | None
    usd_per_mtok: Decimal


def canonical_models(models_csv: Path = PROJECT_ROOT / "seeds" / "models.csv") -> list[str]:
    """Canonical model ids of the models seed."""
    with models_csv.open(newline="", encoding="utf-8") as fh:
        return sorted({row["model_id"] for row in csv.DictReader(fh)})


def _change_dates(model: types.ModelInfo) -> list[date]:
    """Dates on which any price of the model changes (start-date constraints)."""
    dates = {_EPOCH}
    conditionals = model.prices if isinstance(model.prices, list) else []
    for item in [*conditionals, *(model.price_variants or [])]:
        constraint = getattr(item, "constraint", None)
        if isinstance(constraint, types.StartDateConstraint):
            start = constraint.start_date
            dates.add(start.date() if isinstance(start, datetime) else start)
    return sorted(dates)


def _prices(resolved: types.ModelPrice) -> dict[tuple[str, int], Decimal]:
    prices: dict[tuple[str, int], Decimal] = {}
    for field, token_types in FIELDS.items():
        value = getattr(resolved, field, None)
        bands: list[tuple[int, Decimal]] = []
        if isinstance(value, Decimal):
            bands = [(0, value)]
        elif isinstance(value, types.TieredPrices):
            bands = [(0, value.base), *((tier.start, tier.price) for tier in value.tiers)]
        for token_type in token_types:
            for start, price in bands:
                prices[(token_type, start)] = price
    return prices


def model_price_rows(host: str, model_id: str) -> list[PriceRow]:
    """Every dated price genai-prices has for one model on one host; empty when it does not know it."""
    snapshot = data_snapshot.get_snapshot()
    try:
        _, model = snapshot.find_provider_model(model_id, None, host, None)
    except LookupError:
        return []
    dates = _change_dates(model)
    rows: list[PriceRow] = []
    for tier, context in TIERS.items():
        # Prices per (token type, band) on each change date; a tier's variant that is not active on a date
        # gives no price that day (rather than silently the standard one).
        by_date: list[dict[tuple[str, int], Decimal]] = []
        for day in dates:
            at = datetime(day.year, day.month, day.day, tzinfo=UTC)
            standard = model.get_prices(at)
            if context is None:
                by_date.append(_prices(standard))
                continue
            variant = model.get_prices(at, context)
            tiered = _prices(variant)
            by_date.append(tiered if tiered != _prices(standard) else {})
        for key in sorted({k for prices in by_date for k in prices}):
            start: date | None = None
            current: Decimal | None = None
            for i, day in enumerate([*dates, None]):
                price = by_date[i].get(key) if day is not None else None
                if price != current:
                    if current is not None and start is not None:
                        rows.append(PriceRow(host, model_id, model.id, tier, key[0], key[1], start, day, current))
                    start, current = day, price
    return rows


def catalogue_rows(model_ids: list[str] | None = None) -> list[PriceRow]:
    """The whole catalogue: every canonical model on every host genai-prices prices it for."""
    rows = [row for m in model_ids or canonical_models() for host in HOSTS for row in model_price_rows(host, m)]
    return sorted(
        rows,
        key=lambda r: (r.price_provider, r.model_id, r.service_tier, r.token_type, r.min_context_tokens, r.valid_from),
    )


def catalogue_version(rows: list[PriceRow]) -> str:
    """``genai-prices <version> <digest>``: changes whenever a price, interval or model changes."""
    digest = hashlib.sha256("\n".join(repr(r) for r in rows).encode()).hexdigest()[:12]
    return f"genai-prices {importlib.metadata.version('genai-prices')} {digest}"


def refresh_catalogue(con: duckdb.DuckDBPyConnection, model_ids: list[str] | None = None) -> tuple[str, int]:
    """Appends the current catalogue to ``raw_prices.genai_prices`` unless that version is already there.

    Args:
        con: Warehouse connection.
        model_ids: Canonical models to price; defaults to the models seed.

    Returns:
        The catalogue version and the number of rows written (0 when unchanged).
    """
    rows = catalogue_rows(model_ids)
    version = catalogue_version(rows)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_prices")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            catalogue_version VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL,
            price_provider VARCHAR NOT NULL, model_id VARCHAR NOT NULL, catalogue_model_id VARCHAR NOT NULL,
            service_tier VARCHAR NOT NULL, token_type VARCHAR NOT NULL, min_context_tokens BIGINT NOT NULL,
            valid_from DATE NOT NULL, valid_to DATE, usd_per_mtok DECIMAL(38, 12) NOT NULL)"""
    )
    exists = con.execute(f"SELECT count(*) FROM {TABLE} WHERE catalogue_version = ?", [version]).fetchall()[0][0]
    if exists:
        return version, 0
    loaded_at = datetime.now(tz=UTC)
    con.executemany(
        f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                version,
                loaded_at,
                r.price_provider,
                r.model_id,
                r.catalogue_model_id,
                r.service_tier,
                r.token_type,
                r.min_context_tokens,
                r.valid_from,
                r.valid_to,
                r.usd_per_mtok,
            ]
            for r in rows
        ],
    )
    return version, len(rows)
