"""Demo Anthropic Admin API pages, consistent with the calls Anthropic served.

The usage report counts exactly the tokens of those calls; the cost report charges them at the demo's list
prices, in cents, as decimal strings.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import BATCH_DISCOUNT
from pipelines.demo.world import DemoWorld

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


def write(world: DemoWorld) -> int:
    """Writes usage_report and cost_report pages under ``anthropic_usage/``; returns the cost results."""
    return write_anthropic(world.con, world.landing, world.month, world.start, world.end)
