"""``aicost pull openai|anthropic``: Admin API usage and cost pages written into the landing zone as received.

Each endpoint is read from ``--since`` (or, when a previous pull got further, from the end of the last
complete bucket it wrote) to ``--until``, following ``next_page`` cursors. Every page is written byte for
byte as the API sent it, under ``<slug>/<endpoint>/pulled-<UTC time>/page-NNNN.json``, so a reload is
reproducible and the loader sees exactly what the provider said. A bucket pulled twice (today's partial
bucket, an interrupted pull) counts once downstream: staging keeps the newest page of each bucket.

Rate limits: a 429 (or a 5xx) is retried after ``Retry-After`` seconds, else after an exponential backoff.
A page that is not complete JSON (a truncated transfer) is fetched again, never written. The admin key
comes only from the environment (``OPENAI_ADMIN_KEY``, ``ANTHROPIC_ADMIN_KEY``) and is never logged.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)

_OPENAI_GROUPS = ("project_id", "user_id", "api_key_id", "model")


@dataclass(frozen=True)
class Endpoint:
    """One paged report of an Admin API.

    Attributes:
        path: URL path under the API base.
        folder: Landing folder under the source slug (the source's layout).
        params: Fixed query parameters (bucket width, page size, group-bys).
    """

    path: str
    folder: str
    params: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Provider:
    """How one provider's Admin API is called."""

    name: str
    slug: str
    default_base: str
    base_env: str
    key_env: str
    endpoints: tuple[Endpoint, ...]
    auth_headers: Callable[[str], dict[str, str]]
    window_params: Callable[[datetime, datetime], dict[str, str]]
    bucket_end: Callable[[dict], datetime]


def _unix(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _openai_usage(endpoint: str, groups: tuple[str, ...]) -> Endpoint:
    return Endpoint(
        f"/organization/usage/{endpoint}",
        f"usage/{endpoint}",
        (("bucket_width", "1d"), ("limit", "31"), *(("group_by", g) for g in groups)),
    )


OPENAI = Provider(
    name="openai",
    slug="openai_usage",
    default_base="https://api.openai.com/v1",
    base_env="AICOST_OPENAI_API_BASE",
    key_env="OPENAI_ADMIN_KEY",
    endpoints=(
        _openai_usage("completions", (*_OPENAI_GROUPS, "batch", "service_tier")),
        _openai_usage("embeddings", _OPENAI_GROUPS),
        _openai_usage("moderations", _OPENAI_GROUPS),
        _openai_usage("images", (*_OPENAI_GROUPS, "size", "source")),
        _openai_usage("audio_speeches", _OPENAI_GROUPS),
        _openai_usage("audio_transcriptions", _OPENAI_GROUPS),
        _openai_usage("vector_stores", ("project_id",)),
        _openai_usage("code_interpreter_sessions", ("project_id",)),
        _openai_usage("file_search_calls", ("project_id",)),
        _openai_usage("web_search_calls", _OPENAI_GROUPS),
        Endpoint(
            "/organization/costs",
            "costs",
            (("bucket_width", "1d"), ("limit", "180"), ("group_by", "project_id"), ("group_by", "line_item")),
        ),
    ),
    auth_headers=lambda key: {"Authorization": f"Bearer {key}"},
    window_params=lambda start, end: {"start_time": _unix(start), "end_time": _unix(end)},
    bucket_end=lambda bucket: datetime.fromtimestamp(bucket["end_time"], tz=UTC),
)

ANTHROPIC = Provider(
    name="anthropic",
    slug="anthropic_usage",
    default_base="https://api.anthropic.com/v1",
    base_env="AICOST_ANTHROPIC_API_BASE",
    key_env="ANTHROPIC_ADMIN_KEY",
    endpoints=(
        Endpoint(
            "/organizations/usage_report/messages",
            "usage_report/messages",
            (
                ("bucket_width", "1d"),
                ("limit", "31"),
                *(
                    ("group_by[]", g)
                    for g in ("model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo")
                ),
            ),
        ),
        Endpoint(
            "/organizations/cost_report",
            "cost_report",
            (("bucket_width", "1d"), ("limit", "31"), ("group_by[]", "workspace_id"), ("group_by[]", "description")),
        ),
    ),
    auth_headers=lambda key: {"x-api-key": key, "anthropic-version": "2023-06-01"},
    window_params=lambda start, end: {"starting_at": _rfc3339(start), "ending_at": _rfc3339(end)},
    bucket_end=lambda bucket: datetime.fromisoformat(bucket["ending_at"].replace("Z", "+00:00")),
)
PROVIDERS = {p.name: p for p in (OPENAI, ANTHROPIC)}


class PullError(Exception):
    """A pull that could not complete (the pages written so far stay; the next pull resumes after them)."""


@dataclass
class PullResult:
    """What a pull wrote."""

    pages: int = 0
    buckets: int = 0
    retries: int = 0
    resumed_from: dict[str, datetime] = field(default_factory=dict)


@dataclass
class Retry:
    """Retry policy for rate limits, server errors and truncated pages."""

    attempts: int = 8
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep


def _state_path(landing: Path, provider: Provider) -> Path:
    # Beside the source folders, not inside one: the source would take a .json file there for a page.
    return landing / "_pull_state" / f"{provider.slug}.json"


def _read_state(landing: Path, provider: Provider) -> dict[str, str]:
    path = _state_path(landing, provider)
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_state(landing: Path, provider: Provider, state: dict[str, str]) -> None:
    path = _state_path(landing, provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def _fetch(url: str, headers: dict[str, str], retry: Retry, result: PullResult) -> bytes:
    """GETs one page, retrying 429/5xx and truncated bodies; returns the body once it is complete JSON."""
    for attempt in range(1, retry.attempts + 1):
        wait = retry.backoff_seconds * 2 ** (attempt - 1)
        try:
            # the base URL's scheme is checked to be http(s) before any request (see pull)
            request = urllib.request.Request(url, headers=headers)  # noqa: S310
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = response.read()
            json.loads(body)
            return body
        except urllib.error.HTTPError as exc:
            if exc.code != 429 and exc.code < 500:
                detail = exc.read()[:300].decode("utf-8", "replace")
                raise PullError(f"{exc.code} from {url.split('?')[0]}: {detail}") from None
            retry_after = exc.headers.get("Retry-After")
            if retry_after and retry_after.replace(".", "", 1).isdigit():
                wait = float(retry_after)
            reason = f"HTTP {exc.code}"
        except (
            json.JSONDecodeError,
            UnicodeDecodeError,
            http.client.HTTPException,
            urllib.error.URLError,
            ConnectionError,
            TimeoutError,
        ) as exc:
            # a body cut short (IncompleteRead surfaces as a ConnectionError subclass or bad JSON)
            reason = f"incomplete page ({type(exc).__name__})"
        except OSError as exc:
            reason = f"transfer failed ({type(exc).__name__})"
        if attempt == retry.attempts:
            raise PullError(f"{url.split('?')[0]}: gave up after {attempt} attempts ({reason})")
        result.retries += 1
        log.warning("%s: %s, retrying in %.1f s", url.split("?")[0], reason, wait)
        retry.sleep(wait)
    raise AssertionError("unreachable")


def pull(
    provider: Provider,
    landing: Path,
    since: datetime,
    until: datetime | None = None,
    retry: Retry | None = None,
    now: datetime | None = None,
) -> PullResult:
    """Pulls every report of a provider from ``since`` (or where the last pull's complete buckets end).

    Args:
        provider: OPENAI or ANTHROPIC.
        landing: Local landing folder; pages go under ``<slug>/<endpoint>/pulled-<time>/``.
        since: First day to pull (UTC midnight).
        until: End of the window (exclusive); defaults to now.
        retry: Retry policy.
        now: The pull's clock (tests pass a fixed one).

    Returns:
        Pages and buckets written, retries made, and where each endpoint resumed.

    Raises:
        PullError: No admin key, a refused request, or retries exhausted.
    """
    key = os.environ.get(provider.key_env)
    if not key:
        raise PullError(f"{provider.key_env} is not set: the admin key comes from the environment only")
    retry = retry or Retry()
    now = now or datetime.now(tz=UTC)
    until = min(until or now, now)
    base = os.environ.get(provider.base_env, provider.default_base).rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise PullError(f"{provider.base_env} must be an http(s) URL")
    headers = {**provider.auth_headers(key), "Accept": "application/json", "User-Agent": "aicost-pull"}
    state = _read_state(landing, provider)
    result = PullResult()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    for endpoint in provider.endpoints:
        complete = state.get(endpoint.folder)
        start = max(since, datetime.fromisoformat(complete)) if complete else since
        result.resumed_from[endpoint.folder] = start
        if start >= until:
            continue
        folder = landing / provider.slug / endpoint.folder / f"pulled-{stamp}"
        params = [*endpoint.params, *provider.window_params(start, until).items()]
        page_cursor: str | None = None
        number = 0
        while True:
            query = params + ([("page", page_cursor)] if page_cursor else [])
            body = _fetch(f"{base}{endpoint.path}?{urllib.parse.urlencode(query)}", headers, retry, result)
            page = json.loads(body)
            number += 1
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"page-{number:04d}.json").write_bytes(body)
            result.pages += 1
            buckets = page.get("data") or []
            result.buckets += len(buckets)
            # Resume point: the end of the last bucket that is complete (ended before this pull began).
            ends = [provider.bucket_end(b) for b in buckets]
            done = [e for e in ends if e <= now]
            if done:
                state[endpoint.folder] = max(done).isoformat()
                _write_state(landing, provider, state)
            page_cursor = page.get("next_page") if page.get("has_more") else None
            if not page_cursor:
                break
    return result


def parse_day(text: str) -> datetime:
    """``YYYY-MM-DD`` as UTC midnight."""
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def day_after(moment: datetime) -> datetime:
    """The next UTC midnight."""
    return (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
