"""Demo OpenAI Admin API pages: usage of every endpoint and costs, consistent with the calls OpenAI served."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.demo.org import BATCH_DISCOUNT
from pipelines.demo.world import DemoWorld

OPENAI_PAGE_DAYS = 7  # the usage API's default page size for 1d buckets


def _write_openai(
    con: duckdb.DuckDBPyConnection, options: DemoWorld, start: datetime, end: datetime
) -> tuple[int, int]:
    usage_rows = con.execute(
        """
        SELECT CASE endpoint WHEN 'embeddings' THEN 'embeddings' ELSE 'completions' END AS usage_endpoint,
               date_trunc('day', started_at) AS day, workload_key AS project_id, openai_api_key_id,
               model_id, is_batch, sum(input_total), sum(output_tokens), sum(cache_read_tokens), count(*)
        FROM billed_calls WHERE provider = 'openai'
        GROUP BY ALL ORDER BY usage_endpoint, day, project_id, openai_api_key_id, model_id, is_batch
        """
    ).fetchall()
    cost_rows = con.execute(
        f"""
        WITH typed AS (
            SELECT date_trunc('day', started_at) AS day, workload_key AS project_id, model_id, is_batch,
                   unnest([
                     {{'kind': 'input', 'tokens': input_tokens, 'price': price_input}},
                     {{'kind': 'cached input', 'tokens': cache_read_tokens, 'price': price_cache_read}},
                     {{'kind': 'output', 'tokens': output_tokens, 'price': price_output}}
                   ]) AS t
            FROM billed_calls WHERE provider = 'openai'
        )
        SELECT day, project_id,
               model_id || ', ' || CASE WHEN is_batch THEN 'batch ' ELSE '' END || t.kind AS line_item,
               sum(t.tokens) AS quantity,
               sum(t.tokens * t.price) / 1000000 * CASE WHEN is_batch THEN {BATCH_DISCOUNT} ELSE 1 END AS amount
        FROM typed WHERE t.tokens > 0
        GROUP BY day, project_id, model_id, is_batch, t.kind
        ORDER BY day, project_id, line_item
        """
    ).fetchall()
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    usage_by_day: dict[str, dict[datetime, list[dict]]] = {}
    for endpoint, day, project, key, model, batch, inp, out, cached, n in usage_rows:
        result: dict[str, object] = {
            "object": f"organization.usage.{endpoint}.result",
            "input_tokens": int(inp),
            "num_model_requests": int(n),
            "project_id": project,
            "user_id": None,
            "api_key_id": key,
            "model": model,
            "batch": bool(batch),
            "service_tier": "default",
        }
        if endpoint == "completions":
            result.update(
                output_tokens=int(out), input_cached_tokens=int(cached), input_audio_tokens=0, output_audio_tokens=0
            )
        usage_by_day.setdefault(endpoint, {d: [] for d in days})[day].append(result)
    costs_by_day: dict[datetime, list[dict]] = {d: [] for d in days}
    for day, project, line_item, quantity, amount in cost_rows:
        costs_by_day[day].append(
            {
                "object": "organization.costs.result",
                # Dollars, as a JSON float like the API's. Rounded to 10 decimals first, so that the
                # float's shortest repr is exactly this decimal (at most 15 significant digits).
                "amount": {"value": float(Decimal(amount).quantize(Decimal("1e-10"))), "currency": "usd"},
                "line_item": line_item,
                "project_id": project,
                "quantity": float(quantity),
            }
        )
    for endpoint, by_day in usage_by_day.items():
        _write_pages(options.landing / "openai_usage" / "usage" / endpoint / options.month, by_day)
    _write_pages(options.landing / "openai_usage" / "costs" / options.month, costs_by_day)
    return len(usage_rows), len(cost_rows)


def _write_pages(folder: Path, by_day: dict[datetime, list[dict]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    days = sorted(by_day)
    pages = [days[i : i + OPENAI_PAGE_DAYS] for i in range(0, len(days), OPENAI_PAGE_DAYS)]
    for n, page_days in enumerate(pages, start=1):
        has_more = n < len(pages)
        page = {
            "object": "page",
            "data": [
                {
                    "object": "bucket",
                    "start_time": int(d.timestamp()),
                    "end_time": int((d + timedelta(days=1)).timestamp()),
                    "results": by_day[d],
                }
                for d in page_days
            ],
            "has_more": has_more,
            "next_page": f"page_{n + 1:04d}" if has_more else None,
        }
        (folder / f"page-{n:04d}.json").write_text(json.dumps(page, indent=1) + "\n", encoding="utf-8")


def write(world: DemoWorld) -> int:
    """Writes usage and costs pages under ``openai_usage/``; returns the usage and cost results written."""
    usage_results, cost_results = _write_openai(world.con, world, world.start, world.end)
    return usage_results + cost_results
