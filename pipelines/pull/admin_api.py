"""``aicost pull openai|anthropic``: Admin API usage and cost pages written into the landing zone as received.

Each endpoint is read from ``--since`` (or, when a previous pull got further, from the end of the last
complete bucket it wrote) to ``--until``, following ``next_page`` cursors. Every page is written byte for
byte as the API sent it, under ``<slug>/<endpoint>/pulled-<UTC time>/page-NNNN.json``, so a reload is
reproducible and the loader sees exactly what the provider said. A bucket pulled twice (today's partial
bucket, an interrupted pull) counts once downstream: staging keeps the newest page of each bucket.

Rate limits: a 429 (or a 5xx) is retried after ``Retry-After`` seconds, else after an exponential backoff.
A page that is not complete JSON (a truncated transfer) is fetched again, never written. The admin key
comes only from the environment (``OPENAI_ADMIN_KEY``, ``ANTHROPIC_ADMIN_KEY``, read by
``pipelines.config.Secrets`` and passed in) and is never logged. The providers themselves (endpoints, auth
headers, window parameters) are defined by their sources (``pipelines/sources/<slug>/pull.py``).
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.config import env_name

log = logging.getLogger(__name__)


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
    """How one provider's Admin API is called (each source that has one defines it in its ``pull.py``).

    Attributes:
        name: The name `aicost pull <name>` takes.
        slug: The source the pages land under.
        base_setting: The ``Settings`` field holding the API base URL.
        credential_field: The ``Secrets`` field holding the admin key.
        endpoints: The reports to pull.
        auth_headers: Headers carrying the key.
        window_params: Query parameters of a time window.
        bucket_end: When a bucket of a page ends.
    """

    name: str
    slug: str
    base_setting: str
    credential_field: str
    endpoints: tuple[Endpoint, ...]
    auth_headers: Callable[[str], dict[str, str]]
    window_params: Callable[[datetime, datetime], dict[str, str]]
    bucket_end: Callable[[dict], datetime]


def unix_seconds(moment: datetime) -> str:
    """A time as unix seconds (OpenAI's window parameters)."""
    return str(int(moment.timestamp()))


def rfc3339(moment: datetime) -> str:
    """A time as RFC 3339 UTC (Anthropic's window parameters)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    *,
    key: str | None,
    base: str,
    retry: Retry | None = None,
    now: datetime | None = None,
) -> PullResult:
    """Pulls every report of a provider from ``since`` (or where the last pull's complete buckets end).

    Args:
        provider: A source's Admin API (``SourceUnit.api``).
        landing: Local landing folder; pages go under ``<slug>/<endpoint>/pulled-<time>/``.
        since: First day to pull (UTC midnight).
        until: End of the window (exclusive); defaults to now.
        key: The admin key (``Secrets``, from the environment only).
        base: The API base URL (``Settings``).
        retry: Retry policy.
        now: The pull's clock (tests pass a fixed one).

    Returns:
        Pages and buckets written, retries made, and where each endpoint resumed.

    Raises:
        PullError: No admin key, a refused request, or retries exhausted.
    """
    if not key:
        secret = env_name(provider.credential_field)
        raise PullError(f"{secret} is not set: the admin key comes from the environment only")
    retry = retry or Retry()
    now = now or datetime.now(tz=UTC)
    until = min(until or now, now)
    base = base.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise PullError(f"the {provider.base_setting} setting must be an http(s) URL")
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


def pull_configured(
    provider: Provider,
    landing: Path,
    since: datetime,
    until: datetime | None = None,
    *,
    retry: Retry | None = None,
    now: datetime | None = None,
) -> PullResult:
    """``pull`` with the admin key and API base of the current configuration (environment, ``aicost.toml``)."""
    from pipelines.config import Secrets, Settings

    return pull(
        provider,
        landing,
        since,
        until,
        key=getattr(Secrets.from_env(), provider.credential_field),
        base=getattr(Settings.load(), provider.base_setting),
        retry=retry,
        now=now,
    )
