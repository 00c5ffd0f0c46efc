"""Demo business outcomes, consistent with the generated calls.

- Support resolves about 70% of the ticket-triage sessions that went through the gateway: `ticket_resolved`
  events (value 4.50 USD) linked by the gateway's session id.
- Document extraction processes one document per two calls: `document_processed` events (value 0.80 USD)
  linked by team, application and feature on their day.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.demo.world import DemoWorld

TICKET_VALUE = "4.50"

DOCUMENT_VALUE = "0.80"


def write_outcomes(con: duckdb.DuckDBPyConnection, landing: Path, seed: int, text: bool) -> int:
    """Writes one outcome file per day under ``outcomes/events/``; returns the number of events."""
    con.execute(
        f"""
        CREATE TABLE outcome_events AS
        WITH sessions AS (
            -- the gateway's session id of each call, as the spend logs write it (session_no is call_id // 8
            -- for every ticket-triage call: only the planted agent loop shares one session across more calls)
            SELECT 'session-' || printf('%08x', hash(session_no, 13)) AS session_id,
                   max(started_at) + INTERVAL 5 MINUTE AS occurred_at
            FROM calls WHERE via_gateway AND application = 'ticket-triage'
            GROUP BY ALL
        ), tickets AS (
            SELECT occurred_at, 'ticket_resolved' AS outcome_type,
                   'T-' || printf('%08x', hash({seed}, session_id)) AS outcome_id,
                   {TICKET_VALUE}::DECIMAL(38, 12) AS value, 'USD' AS currency, NULL::VARCHAR AS trace_id, session_id,
                   NULL::VARCHAR AS conversation_id, 'support' AS team, 'ticket-triage' AS application,
                   NULL::VARCHAR AS feature
            FROM sessions WHERE hash({seed}, session_id, 1) % 10 < 7
        ), documents_per_day AS (
            SELECT started_at::DATE AS day, count(*) // 2 AS documents
            FROM calls WHERE application = 'doc-extraction' GROUP BY ALL
        ), documents AS (
            SELECT d.day::TIMESTAMPTZ + to_seconds((hash({seed}, d.day, r.range) % 86400)::BIGINT) AS occurred_at,
                   'document_processed', 'D-' || strftime(d.day, '%Y%m%d') || '-' || r.range::VARCHAR,
                   {DOCUMENT_VALUE}::DECIMAL(38, 12), 'USD', NULL, NULL, NULL, 'data-science', 'doc-extraction',
                   'invoices'
            FROM documents_per_day AS d, range(d.documents) AS r
        )
        SELECT * FROM tickets UNION ALL SELECT * FROM documents
        """
    )
    out = landing / "outcomes" / "events"
    out.mkdir(parents=True, exist_ok=True)
    days = [r[0] for r in con.execute("SELECT DISTINCT occurred_at::DATE FROM outcome_events ORDER BY 1").fetchall()]
    ts = "strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ')" if text else "occurred_at"
    value = "CAST(value AS VARCHAR)" if text else "value"
    for day in days:
        ext, fmt = ("csv", "(FORMAT csv, HEADER)") if text else ("parquet", "(FORMAT parquet)")
        con.execute(
            f"COPY (SELECT {ts} AS occurred_at, outcome_type, outcome_id, {value} AS value, currency, trace_id, "
            "session_id, conversation_id, team, application, feature FROM outcome_events "
            f"WHERE occurred_at::DATE = DATE '{day.isoformat()}' ORDER BY occurred_at, outcome_id) "
            f"TO '{out / f'outcomes_{day.isoformat()}.{ext}'}' {fmt}"
        )
    return con.execute("SELECT count(*) FROM outcome_events").fetchone()[0]


def write(world: DemoWorld) -> int:
    """Writes one outcome file per day under ``outcomes/events/``; returns the events."""
    return write_outcomes(world.con, world.landing, world.seed, world.text_formats)
