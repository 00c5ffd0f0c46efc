"""The simulated company behind `aicost demo`: one table of model calls that every source's demo writer reads.

One table of underlying model calls is generated in DuckDB (set-based, no Python row loops); every source is
then a view of it (``pipelines/sources/<slug>/demo.py``), so the gateway logs, the usage APIs and the invoices
tell one consistent story with realistic gaps: traffic that bypassed the gateway, gateway cache hits and
failures that never reached a provider, batch jobs, tax, credits, GPU instances and non-AI services.

Scale 1 is about 100,000 calls and 40,000 CUR lines; everything grows linearly with ``scale``.

The month also holds known events for the controls to find (``plants``; each dated from the month's first
day): a runaway agent loop on the 18th, a model switch for the search team from the 10th, a cache regression
in legal's contract analyzer from the 22nd, and growth's fixed-cost campaign that crosses its budget. ``calls.plant``
names the plant a planted call belongs to; ``calls.session_no`` numbers the caller's session (the loop's
calls share one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.demo.org import BATCH_DISCOUNT, MODELS, WORKLOADS
from pipelines.demo.plants import PLANTED_WORKLOADS, cache_broken_sql, plant_calls, switch_sql

CALLS_PER_SCALE = 100_000


@dataclass(frozen=True)
class DemoWorld:
    """What every demo writer reads: the scratch database holding the calls, and the month's parameters.

    Attributes:
        con: Scratch DuckDB connection with the ``models``, ``workloads``, ``calls`` and ``billed_calls`` tables.
        landing: Landing folder the writers write ``<slug>/...`` into.
        scale: Volume multiplier (1 = about 100k calls).
        seed: Random seed; the same seed gives the same files.
        month: Billing month ``YYYY-MM``.
        start: First instant of the month (UTC).
        end: First instant of the next month (UTC).
        text_formats: Write text formats (gzip CSV) where a source has a choice, instead of Parquet.
    """

    con: duckdb.DuckDBPyConnection
    landing: Path
    scale: float
    seed: int
    month: str
    start: datetime
    end: datetime
    text_formats: bool


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of a ``YYYY-MM`` month and of the next, in UTC."""
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def build_calls(con: duckdb.DuckDBPyConnection, seed: int, scale: float, start: datetime, end: datetime) -> int:
    """Creates the reference tables and the month's calls in a scratch database; returns the number of calls.

    The calls are ``max(1000, 100,000 x scale)`` drawn ones plus the planted events' (``plants``).
    """
    _reference_tables(con)
    n_calls = max(1000, int(CALLS_PER_SCALE * scale))
    _calls(con, seed, n_calls, scale, start, end)
    return con.execute("SELECT count(*) FROM calls").fetchone()[0]


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    models = pa.Table.from_pylist(
        [
            {
                "model_id": m.model_id,
                "provider": m.provider,
                "litellm_model": m.litellm_model,
                "billing_name": m.billing_name,
                "product_code": m.product_code,
                "price_input": m.input,
                "price_output": m.output,
                "price_cache_read": m.cache_read,
                "price_cache_write": m.cache_write,
                "price_cache_write_1h": m.cache_write_1h,
                "endpoint": m.endpoint,
            }
            for m in MODELS
        ]
    )
    workloads = pa.Table.from_pylist(
        [
            {
                "workload_id": i,
                "team": w.team,
                "application": w.application,
                "environment": w.environment,
                "model_id": w.model_id,
                "weight": w.weight,
                "gateway_share": w.gateway_share,
                "batch_share": w.batch_share,
                "cache_read_share": w.cache_read_share,
                "cache_write_share": w.cache_write_share,
                "avg_input": w.avg_input,
                "avg_output": w.avg_output,
                "workload_key": w.key,
                "account_id": w.account,
                "principal": w.principal,
                "cross_region": w.cross_region,
                "cache_write_1h": w.cache_write_1h,
                "otel_share": w.otel_share,
                "customers": list(w.customers),
                "features": list(w.features),
            }
            for i, w in enumerate(WORKLOADS + PLANTED_WORKLOADS)
        ]
    )
    con.register("_models", models)
    con.register("_workloads", workloads)
    con.execute(
        "CREATE TABLE models AS SELECT * REPLACE (CAST(price_input AS DECIMAL(38, 12)) AS price_input, "
        "CAST(price_output AS DECIMAL(38, 12)) AS price_output, "
        "CAST(price_cache_read AS DECIMAL(38, 12)) AS price_cache_read, "
        "CAST(price_cache_write AS DECIMAL(38, 12)) AS price_cache_write, "
        "CAST(price_cache_write_1h AS DECIMAL(38, 12)) AS price_cache_write_1h) FROM _models"
    )
    con.execute(
        """
        CREATE TABLE workloads AS
        SELECT w.*, m.provider, m.litellm_model, m.billing_name, m.product_code,
               m.price_input, m.price_output, m.price_cache_read,
               CASE WHEN w.cache_write_1h THEN m.price_cache_write_1h ELSE m.price_cache_write END AS price_cache_write,
               m.endpoint,
               sum(w.weight) OVER (ORDER BY w.workload_id) - w.weight AS cum_lo,
               sum(w.weight) OVER (ORDER BY w.workload_id) AS cum_hi,
               -- the gateway's (hashed) virtual key and team of each application
               'sk-hash-' || substr(md5(coalesce(w.application, 'none') || w.model_id), 1, 24) AS litellm_api_key,
               CASE WHEN w.team IS NULL THEN NULL ELSE 'team-' || w.team END AS litellm_team_id,
               'key-' || substr(md5(w.workload_key), 1, 12) AS openai_api_key_id
        FROM _workloads AS w JOIN models AS m USING (model_id)
        """
    )
    con.unregister("_models")
    con.unregister("_workloads")


def _calls(con: duckdb.DuckDBPyConnection, seed: int, n: int, scale: float, start: datetime, end: datetime) -> None:
    seconds = int((end - start).total_seconds())
    total_weight = con.execute("SELECT sum(weight) FROM workloads").fetchone()[0]
    # u(k): a uniform number in [0, 1) from the seed, the call number and a stream number k.
    con.execute(f"CREATE MACRO u(i, k) AS (hash({int(seed)}, i, k) % 1000003) / 1000003.0")
    plant_calls(con, scale, n, start)
    cache_broken = cache_broken_sql("workload_id", "started_at", start)
    con.execute(
        f"""
        CREATE TABLE calls AS
        WITH drawn AS (
            SELECT range AS call_id, hash({int(seed)}, range, 0) % {int(total_weight)} AS pick,
                   TIMESTAMPTZ '{start.isoformat()}'
                     + to_microseconds((hash({int(seed)}, range, 2) % ({seconds}::BIGINT * 1000000))::BIGINT) AS started_at
            FROM range({int(n)})
        ), base AS (
            -- the drawn calls (served by the switched model once the switch has happened), then the planted ones
            SELECT d.call_id, {switch_sql("w.workload_id", "d.started_at", start)} AS workload_id, d.started_at,
                   NULL::BIGINT AS planted_input, NULL::BIGINT AS planted_output, NULL::BOOLEAN AS planted_failed,
                   NULL::BOOLEAN AS planted_gateway, NULL::BOOLEAN AS planted_batch,
                   NULL::VARCHAR AS planted_feature, d.call_id // 8 AS session_no, NULL::VARCHAR AS plant
            FROM drawn AS d JOIN workloads AS w ON d.pick >= w.cum_lo AND d.pick < w.cum_hi
            UNION ALL
            SELECT * FROM planted_calls
        ), picked AS (
            SELECT b.call_id, b.started_at, b.session_no, b.plant, b.planted_feature, b.planted_failed,
                   b.planted_gateway,
                   w.* EXCLUDE (cache_read_share),
                   -- the cache regression: the broken workload's prompts no longer share a cacheable prefix
                   CASE WHEN {cache_broken} THEN 0 ELSE w.cache_read_share END AS cache_read_share,
                   {cache_broken} AS is_cache_broken,
                   coalesce(b.planted_input,
                            greatest(1, round(w.avg_input * (0.25 + 1.5 * u(b.call_id, 3))))::BIGINT) AS input_total,
                   coalesce(b.planted_output, CASE WHEN w.endpoint = 'embeddings' THEN 0
                        ELSE greatest(1, round(w.avg_output * (0.25 + 1.5 * u(b.call_id, 4)))) END::BIGINT)
                     AS output_tokens,
                   u(b.call_id, 14) < w.otel_share AS is_traced,
                   u(b.call_id, 5) AS u_cache_read, u(b.call_id, 6) AS u_cache_write,
                   coalesce(b.planted_batch, u(b.call_id, 7) < w.batch_share) AS is_batch,
                   u(b.call_id, 8) AS u_gateway, u(b.call_id, 9) AS u_hit, u(b.call_id, 10) AS u_fail,
                   (200 + u(b.call_id, 11) * 8000)::BIGINT AS duration_ms
            FROM base AS b JOIN workloads AS w USING (workload_id)
        ), tokens AS (
            SELECT *,
                   least(input_total, round(input_total * cache_read_share * (0.5 + u_cache_read)))::BIGINT
                       AS cache_read_tokens
            FROM picked
        ), split AS (
            SELECT *,
                   least(input_total - cache_read_tokens,
                         round(input_total * cache_write_share * (0.5 + u_cache_write)))::BIGINT AS cache_write_tokens,
                   NOT is_batch AND coalesce(planted_gateway, u_gateway < gateway_share) AS via_gateway
            FROM tokens
        )
        SELECT * EXCLUDE (customers, features, planted_feature, planted_failed, planted_gateway, is_cache_broken),
               input_total - cache_read_tokens - cache_write_tokens AS input_tokens,
               via_gateway AND u_hit < 0.03 AND NOT is_cache_broken AS is_gateway_cache_hit,
               -- the id AWS gives a Bedrock call (x-amzn-requestid): the gateway's spend log, the caller's
               -- span and Bedrock's invocation log all carry it
               CASE WHEN provider = 'bedrock' THEN regexp_replace(
                   md5('{int(seed)}:' || call_id), '^(.{{8}})(.{{4}})(.{{4}})(.{{4}})(.{{12}})$', '\\1-\\2-\\3-\\4-\\5')
               END AS aws_request_id,
               via_gateway AND u_hit >= 0.03 AND coalesce(planted_failed, u_fail < 0.005) AS is_failed,
               -- list cost of the call, exact: tokens x price per million tokens
               (
                 (input_total - cache_read_tokens - cache_write_tokens) * price_input
                 + cache_read_tokens * price_cache_read + cache_write_tokens * price_cache_write
                 + output_tokens * price_output
               ) / 1000000 * CASE WHEN is_batch THEN {BATCH_DISCOUNT} ELSE 1 END AS list_cost,
               -- the customer a customer-facing call served (the first of its application's most often) and
               -- the product feature it came from: metadata only, from streams no other column draws on
               CASE WHEN len(customers) > 0
                    THEN customers[1 + floor(len(customers) * u(call_id, 15) * u(call_id, 15))::BIGINT] END
                 AS customer_id,
               coalesce(planted_feature, CASE WHEN len(features) > 0
                    THEN features[1 + floor(len(features) * u(call_id, 16))::BIGINT] END)
                 AS feature
        FROM split
        ORDER BY call_id
        """
    )
    # Calls a provider served (and billed): not gateway cache hits, not failures.
    con.execute("CREATE VIEW billed_calls AS SELECT * FROM calls WHERE NOT is_gateway_cache_hit AND NOT is_failed")
