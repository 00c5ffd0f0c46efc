"""Pulling ``LiteLLM_SpendLogs`` straight from a LiteLLM Postgres database, read-only and incrementally.

Each pull reads the rows whose ``"startTime"`` lies in ``[watermark, now - settle)`` and writes them as one
Parquet file named after that window into a local folder, laid out as a landing zone
(``litellm/postgres/spend_logs_<from>_<to>.parquet``). The next pull starts where the newest file ends, so
every row is read once. ``settle`` leaves LiteLLM time to write its (batched, asynchronous) spend logs: a
row committed more than ``settle`` after its start time would be missed, so keep it above LiteLLM's
flush interval.

Only the contract columns are selected: the body columns (``messages``, ``response``,
``proxy_server_request``) never leave the database. The connection string comes only from the
environment (``AICOST_LITELLM_DATABASE_URL``, read by ``pipelines.config.Secrets``); it is never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.config import Secrets, Settings, env_name
from pipelines.landing import LocalLanding, Pulled
from pipelines.load.readers import contract_arrow_schema
from pipelines.sources.litellm.schema import SPEND_LOGS

log = logging.getLogger(__name__)

DATABASE_URL_ENV = env_name("litellm_database_url")
SETTLE = timedelta(minutes=10)
FOLDER = Path("litellm") / "postgres"
_FILE = re.compile(r"spend_logs_(\d{8}T\d{12})_(\d{8}T\d{12})\.parquet$")
_STAMP = "%Y%m%dT%H%M%S%f"
# LiteLLM's first spend log cannot be older than this; the first pull starts here.
_BEGINNING = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PullResult:
    """What one pull read."""

    window_start: datetime
    window_end: datetime
    rows: int
    path: Path | None


def _watermark(folder: Path) -> datetime:
    ends = [
        datetime.strptime(m.group(2), _STAMP).replace(tzinfo=UTC)
        for f in folder.glob("*.parquet")
        if (m := _FILE.search(f.name))
    ]
    return max(ends, default=_BEGINNING)


def pull_spend_logs(
    database_url: str, target: Path, now: datetime | None = None, settle: timedelta = SETTLE
) -> PullResult:
    """Reads the spend logs started since the last pull and writes them as one Parquet file.

    Args:
        database_url: libpq connection string of the LiteLLM database (read-only use).
        target: Landing folder the file is written under (``litellm/postgres/``).
        now: The pull's clock (tests pass a fixed one).
        settle: How long after a request's start its spend log is assumed written.

    Returns:
        The window read and the rows written (no file when the window is empty or has no rows).
    """
    import psycopg

    folder = target / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    start = _watermark(folder)
    end = (now or datetime.now(tz=UTC)) - settle
    if end <= start:
        return PullResult(start, start, 0, None)
    # Only contract columns, never the bodies; JSON columns as their text.
    select = ", ".join(
        f'"{c.name}"::text AS "{c.name}"' if c.type == "JSON" else f'"{c.name}"' for c in SPEND_LOGS.columns
    )
    with (
        psycopg.connect(database_url, options="-c default_transaction_read_only=on -c TimeZone=UTC") as con,
        con.cursor() as cur,
    ):
        cur.execute(
            f'SELECT {select} FROM "LiteLLM_SpendLogs" '
            'WHERE "startTime" >= %s AND "startTime" < %s ORDER BY "startTime", request_id',
            (start.replace(tzinfo=None), end.replace(tzinfo=None)),
        )
        names = [d.name for d in cur.description]
        rows = [_typed(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
    if not rows:
        # No file: the next pull reads this window again (with anything committed late) and more.
        return PullResult(start, end, 0, None)
    path = folder / f"spend_logs_{start.strftime(_STAMP)}_{end.strftime(_STAMP)}.parquet"
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=_schema()), tmp)
    tmp.rename(path)
    return PullResult(start, end, len(rows), path)


def _schema() -> pa.Schema:
    return contract_arrow_schema(SPEND_LOGS).remove(contract_arrow_schema(SPEND_LOGS).get_field_index("_source_row"))


def _typed(row: dict) -> dict:
    for name in ("startTime", "endTime", "completionStartTime"):
        value = row.get(name)
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)  # LiteLLM writes UTC wall-clock times
    if isinstance(row.get("spend"), float):
        # a double precision column: its shortest repr is the decimal LiteLLM computed
        row["spend"] = Decimal(repr(row["spend"])).quantize(Decimal("1e-12"))
    return row


def _redacted(text: str, database_url: str) -> str:
    """An error message with every part of the connection string that could be a secret taken out."""
    secrets = {database_url}
    try:
        parts = urlsplit(database_url)
        if parts.password:
            secrets |= {parts.password, unquote(parts.password)}
        if parts.netloc:
            secrets.add(parts.netloc)
    except ValueError:
        pass
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)


def check_database_url(database_url: str) -> None:
    """Refuses a connection string that is not a ``postgresql://`` URL, without ever showing it.

    Raises:
        ValueError: With a message that names the variable, never its value.
    """
    scheme = database_url.split("://", 1)[0].lower() if "://" in database_url else ""
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(
            f"{DATABASE_URL_ENV} is not a postgresql://user:password@host:port/database URL (its value is not shown)"
        )


def pulled_landing(settings: Settings, secrets: Secrets | None = None) -> Pulled | None:
    """Pulls the configured LiteLLM database (``AICOST_LITELLM_DATABASE_URL``) and returns its folder.

    A database that cannot be reached fails this source's pull only: the spend logs pulled by earlier runs
    and the exported files still load, and the error (credentials never shown) fails the source's check.

    Args:
        settings: Run settings (the download folder).
        secrets: The database URL (the environment's when not given).

    Returns:
        The folder of pulled files over ``<downloads>/litellm_postgres`` with the pull's error, if any; None
        when no database is configured and nothing was pulled before.
    """
    database_url = (secrets or Secrets.from_env()).litellm_database_url
    target = settings.downloads / "litellm_postgres"
    if not database_url:
        # Spend logs pulled by earlier runs keep counting when the database is no longer configured.
        return Pulled(LocalLanding(target)) if target.is_dir() else None
    target.mkdir(parents=True, exist_ok=True)
    try:
        check_database_url(database_url)
        result = pull_spend_logs(database_url, target)
    except Exception as exc:  # a database we cannot read must not stop the other sources
        message = _redacted(f"LiteLLM database pull failed: {type(exc).__name__}: {exc}".strip(), database_url)
        log.warning("%s", message)
        return Pulled(LocalLanding(target), error=message)
    log.info(
        "LiteLLM database: %d spend log(s) started in [%s, %s)",
        result.rows,
        result.window_start.isoformat(),
        result.window_end.isoformat(),
    )
    return Pulled(LocalLanding(target))
