"""`aicost pull` against a local HTTP server on loopback serving recorded Admin API pages in the documented
shapes, with a rate limit (429), a truncated page and a transfer cut short on the way."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orchestration.cli import main
from pipelines.landing import LocalLanding
from pipelines.load.loader import load_source
from pipelines.pull.admin_api import PullError, Retry
from pipelines.pull.admin_api import pull_configured as pull
from pipelines.sources.anthropic_usage.pull import API as ANTHROPIC
from pipelines.sources.openai_usage.pull import API as OPENAI
from pipelines.sources.registry import SOURCES
from tests.conftest import FIXTURES

ADMIN_KEY = "sk-admin-test-0123456789"
NOW = datetime(2025, 8, 4, 6, 0, tzinfo=UTC)


def _anthropic_pages() -> dict[tuple[str, str | None], bytes]:
    usage = json.loads((FIXTURES / "anthropic_usage/valid/usage_messages_page.json").read_text())
    first = {**usage, "has_more": True, "next_page": "page_Mg=="}
    second = {
        "data": [
            {
                "starting_at": "2025-08-03T00:00:00Z",
                "ending_at": "2025-08-04T00:00:00Z",
                "results": [dict(usage["data"][0]["results"][0], output_tokens=42)],
            },
            # today's bucket, still open when the pull runs: pulled, but not a resume point
            {"starting_at": "2025-08-04T00:00:00Z", "ending_at": "2025-08-05T00:00:00Z", "results": []},
        ],
        "has_more": False,
        "next_page": None,
    }
    cost = (FIXTURES / "anthropic_usage/valid/cost_report_page.json").read_bytes()
    return {
        ("/v1/organizations/usage_report/messages", None): json.dumps(first, indent=1).encode(),
        ("/v1/organizations/usage_report/messages", "page_Mg=="): json.dumps(second, indent=1).encode(),
        ("/v1/organizations/cost_report", None): cost,
    }


@dataclass
class RecordedApi:
    """Serves recorded pages; the first request of a page can be made to fail in a chosen way."""

    pages: dict[tuple[str, str | None], bytes]
    failures: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    empty_page: bytes = b'{"object": "page", "data": [], "has_more": false, "next_page": null}'


@pytest.fixture
def api() -> Iterator[tuple[RecordedApi, str]]:
    recorded = RecordedApi(pages={})

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            recorded.requests.append((url.path, query))
            recorded.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
            if (
                self.headers.get("x-api-key") != ADMIN_KEY
                and self.headers.get("Authorization") != f"Bearer {ADMIN_KEY}"
            ):
                self._send(401, b'{"error": {"type": "authentication_error"}}')
                return
            key = (url.path, query.get("page", [None])[0])
            body = recorded.pages.get(key, recorded.empty_page)
            failure = recorded.failures.get(key, [])
            mode = failure.pop(0) if failure else None
            if mode == "429":
                self._send(429, b'{"error": {"type": "rate_limit_error"}}', {"Retry-After": "0"})
            elif mode == "truncated":
                self._send(200, body[: len(body) // 2])  # a complete response of half a page
            elif mode == "cut":
                # announces the whole page, sends half, and hangs up
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 3])
                self.wfile.flush()
                self.close_connection = True
            elif mode == "400":
                self._send(400, b'{"error": {"type": "invalid_request_error", "message": "bad group_by"}}')
            else:
                self._send(200, body)

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorded, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _pages_written(landing: Path, slug: str) -> dict[str, bytes]:
    return {str(p.relative_to(landing)): p.read_bytes() for p in sorted((landing / slug).rglob("*.json"))}


def test_anthropic_pull_survives_rate_limits_and_broken_pages_and_writes_pages_as_received(
    api, tmp_path, monkeypatch, con
):
    recorded, base = api
    recorded.pages = _anthropic_pages()
    usage_path = "/v1/organizations/usage_report/messages"
    recorded.failures = {(usage_path, None): ["429"], (usage_path, "page_Mg=="): ["truncated", "cut"]}
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("AICOST_ANTHROPIC_API_BASE", base)
    landing = tmp_path / "landing"

    result = pull(ANTHROPIC, landing, datetime(2025, 8, 1, tzinfo=UTC), retry=Retry(backoff_seconds=0), now=NOW)

    assert (result.pages, result.retries) == (3, 3)
    written = _pages_written(landing, "anthropic_usage")
    # byte for byte what the API sent, in order
    assert sorted(written.values()) == sorted(recorded.pages.values())
    assert [Path(k).name for k in written] == ["page-0001.json", "page-0001.json", "page-0002.json"]
    # the key went in the header only, never into a URL or a file
    assert all(ADMIN_KEY not in urllib.parse.urlencode(q, doseq=True) for _, q in recorded.requests)
    assert all(ADMIN_KEY.encode() not in body for body in written.values())
    assert recorded.headers_seen[-1]["anthropic-version"] == "2023-06-01"
    first_usage = next(q for path, q in recorded.requests if path == usage_path)
    assert first_usage["starting_at"] == ["2025-08-01T00:00:00Z"] and "model" in first_usage["group_by[]"]

    loaded = load_source(con, SOURCES["anthropic_usage"], LocalLanding(landing))
    assert (loaded.files_loaded, loaded.quarantined) == (3, [])
    assert con.execute("SELECT count(*), sum(output_tokens) FROM raw_anthropic_usage.messages_usage").fetchone() == (
        3,
        500 + 7 + 42,
    )


def test_a_second_pull_resumes_after_the_last_complete_bucket(api, tmp_path, monkeypatch):
    recorded, base = api
    recorded.pages = _anthropic_pages()
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("AICOST_ANTHROPIC_API_BASE", base)
    landing = tmp_path / "landing"
    pull(ANTHROPIC, landing, datetime(2025, 8, 1, tzinfo=UTC), retry=Retry(backoff_seconds=0), now=NOW)
    recorded.requests.clear()

    later = datetime(2025, 8, 5, 6, 0, tzinfo=UTC)
    result = pull(ANTHROPIC, landing, datetime(2025, 8, 1, tzinfo=UTC), retry=Retry(backoff_seconds=0), now=later)

    usage = [q for path, q in recorded.requests if path.endswith("/messages")]
    # 2025-08-04 was still open at the first pull: the second starts there, not at --since
    assert usage[0]["starting_at"] == ["2025-08-04T00:00:00Z"]
    assert result.resumed_from["usage_report/messages"] == datetime(2025, 8, 4, tzinfo=UTC)
    cost = [q for path, q in recorded.requests if path.endswith("/cost_report")]
    assert cost[0]["starting_at"] == ["2025-08-02T00:00:00Z"]


def test_openai_pull_reads_every_endpoint_and_the_pages_load(api, tmp_path, monkeypatch, con):
    recorded, base = api
    completions = json.loads((FIXTURES / "openai_usage/valid/usage_completions_page.json").read_text())
    recorded.pages = {
        ("/v1/organization/usage/completions", None): json.dumps(completions).encode(),
        ("/v1/organization/usage/embeddings", None): (
            FIXTURES / "openai_usage/valid/usage_embeddings_page.json"
        ).read_bytes(),
        ("/v1/organization/costs", None): (FIXTURES / "openai_usage/valid/costs_page.json").read_bytes(),
    }
    recorded.failures = {("/v1/organization/costs", None): ["429", "429"]}
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("AICOST_OPENAI_API_BASE", base)
    landing = tmp_path / "landing"

    exit_code = main(["pull", "openai", "--since", "2025-10-01", "--until", "2025-10-03", "--landing", str(landing)])

    assert exit_code == 0
    paths = {path for path, _ in recorded.requests}
    assert len(paths) == 11  # ten usage endpoints and the costs report
    completions_query = next(q for path, q in recorded.requests if path.endswith("/completions"))
    assert completions_query["start_time"] == [str(int(datetime(2025, 10, 1, tzinfo=UTC).timestamp()))]
    assert "service_tier" in completions_query["group_by"]
    loaded = load_source(con, SOURCES["openai_usage"], LocalLanding(landing))
    assert loaded.quarantined == []
    assert con.execute("SELECT count(*) FROM raw_openai_usage.costs").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM raw_openai_usage.other_usage").fetchone() == (1,)


def test_a_refused_request_or_a_missing_key_stops_the_pull_with_a_clear_error(api, tmp_path, monkeypatch):
    recorded, base = api
    recorded.failures = {("/v1/organizations/usage_report/messages", None): ["400"]}
    monkeypatch.setenv("AICOST_ANTHROPIC_API_BASE", base)
    monkeypatch.delenv("ANTHROPIC_ADMIN_KEY", raising=False)
    with pytest.raises(PullError, match="ANTHROPIC_ADMIN_KEY is not set"):
        pull(ANTHROPIC, tmp_path, datetime(2025, 8, 1, tzinfo=UTC), now=NOW)

    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ADMIN_KEY)
    with pytest.raises(PullError, match=r"400 from .*/usage_report/messages: .*bad group_by"):
        pull(ANTHROPIC, tmp_path, datetime(2025, 8, 1, tzinfo=UTC), retry=Retry(backoff_seconds=0), now=NOW)


def test_rate_limits_that_never_end_give_up_after_the_retry_budget(api, tmp_path, monkeypatch):
    recorded, base = api
    recorded.failures = {("/v1/organization/usage/completions", None): ["429"] * 10}
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("AICOST_OPENAI_API_BASE", base)
    waits: list[float] = []

    with pytest.raises(PullError, match="gave up after 3 attempts \\(HTTP 429\\)"):
        pull(
            OPENAI,
            tmp_path,
            datetime(2025, 10, 1, tzinfo=UTC),
            retry=Retry(attempts=3, sleep=waits.append),
            now=datetime(2025, 10, 5, tzinfo=UTC),
        )
    assert waits == [0.0, 0.0]  # Retry-After: 0 is honoured
