"""LiteLLM spend logs pulled from a real PostgreSQL server (started by the test), read-only and incrementally."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from orchestration.run import run_pipeline
from pipelines.config import Settings
from pipelines.landing import LocalLanding
from pipelines.load.loader import load_source
from pipelines.sources.litellm import SOURCE
from pipelines.sources.litellm.postgres import DATABASE_URL_ENV, pull_spend_logs
from pipelines.warehouse import connect
from tests.conftest import FIXTURES
from tests.postgres_server import postgres_server

NOW = datetime(2026, 10, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def database():
    with postgres_server() as url:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute((FIXTURES / "litellm" / "postgres" / "spend_logs_table.sql").read_text())
        yield url


def _insert(url: str, request_id: str, start: datetime, spend: float, end_user: str | None = "customer-1") -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(
            'INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, '
            'completion_tokens, "startTime", "endTime", model, custom_llm_provider, metadata, cache_hit, '
            "request_tags, team_id, end_user, messages, response, proxy_server_request, session_id, status) "
            "VALUES (%s, 'acompletion', 'sk-hash', %s, 1100, 1000, 100, %s, %s, 'gpt-4o-mini', 'openai', %s, "
            "'False', %s, 'team-support', %s, %s, %s, %s, 's-1', 'success')",
            (
                request_id,
                spend,
                start.replace(tzinfo=None),
                (start + timedelta(seconds=2)).replace(tzinfo=None),
                json.dumps({"usage_object": {"prompt_tokens_details": {"cached_tokens": 400}}}),
                json.dumps(["app:ticket-triage", "env:prod"]),
                end_user,
                json.dumps([{"role": "user", "content": "SECRET PROMPT"}]),
                json.dumps({"content": "SECRET ANSWER"}),
                json.dumps({"body": "SECRET REQUEST"}),
            ),
        )


def test_pulls_are_incremental_read_only_and_never_read_bodies(database, tmp_path, con):
    target = tmp_path / "pulled"
    _insert(database, "r1", NOW - timedelta(hours=3), 0.0105)
    _insert(database, "r2", NOW - timedelta(hours=2), 0.000126, end_user=None)
    _insert(database, "r3", NOW - timedelta(minutes=2), 0.5)  # still settling: left for the next pull

    first = pull_spend_logs(database, target, now=NOW)
    result = load_source(con, SOURCE, LocalLanding(target))

    assert first.rows == 2 and first.window_end == NOW - timedelta(minutes=10)
    assert (result.files_loaded, result.rows_loaded, result.quarantined) == (1, 2, [])
    rows = con.execute(
        "SELECT request_id, spend, \"startTime\", metadata->>'$.usage_object.prompt_tokens_details.cached_tokens', "
        "request_tags->>'$[0]' FROM raw_litellm.spend_logs ORDER BY request_id"
    ).fetchall()
    assert rows == [
        ("r1", Decimal("0.0105"), NOW - timedelta(hours=3), "400", "app:ticket-triage"),
        ("r2", Decimal("0.000126"), NOW - timedelta(hours=2), "400", "app:ticket-triage"),
    ]
    assert "SECRET" not in str(con.execute("SELECT * FROM raw_litellm.spend_logs").fetchall())

    # Nothing new and nothing settled: no file, nothing loaded twice.
    again = pull_spend_logs(database, target, now=NOW)
    assert (again.rows, again.path) == (0, None)

    # An hour later r3 has settled and r4 arrived; only they are read.
    _insert(database, "r4", NOW + timedelta(minutes=30), 0.25)
    later = pull_spend_logs(database, target, now=NOW + timedelta(hours=1))
    result = load_source(con, SOURCE, LocalLanding(target))
    assert later.rows == 2 and later.window_start == first.window_end
    assert (result.files_loaded, result.rows_loaded, result.files_unchanged) == (1, 2, 1)
    assert con.execute("SELECT count(*), count(DISTINCT request_id) FROM raw_litellm.spend_logs").fetchone() == (4, 4)


def test_the_nightly_run_pulls_the_database_when_configured(database, tmp_path, monkeypatch):
    _insert(database, "nightly-1", datetime(2026, 10, 1, 8, 0, tzinfo=UTC), 0.002)
    monkeypatch.setenv(DATABASE_URL_ENV, database)
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = Settings(landing=str(landing), warehouse=tmp_path / "w.duckdb", exports_dir=tmp_path / "exports")

    outcome = run_pipeline(settings)

    assert outcome.success
    with connect(settings, read_only=True) as con:
        requests = con.execute(
            "SELECT request_id, team, list_cost > 0 FROM fct_llm_requests WHERE request_id = 'nightly-1'"
        ).fetchall()
    assert requests == [("nightly-1", "support", True)]
