"""Shared helpers: fixture files, landing folders laid out like the real deliveries, warehouses."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.config import Settings
from pipelines.landing import open_landing
from pipelines.load.loader import LoadResult, load_source
from pipelines.sources.aws_cur.demo import write_cur_manifest
from pipelines.sources.registry import SOURCES
from pipelines.warehouse import connect

FIXTURES = Path(__file__).parent / "fixtures"
CUR_EXPORT = "test-export"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def place(landing: Path, key: str, source: Path) -> Path:
    """Copies a fixture to ``<landing>/<key>``."""
    target = landing / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def place_cur_delivery(
    landing: Path, period: str, files: dict[str, Path], execution_id: str, export: str = CUR_EXPORT
) -> None:
    """Lays out one CUR 2.0 delivery (data files + manifest) exactly as AWS Data Exports writes it."""
    data = landing / "aws_cur" / export / "data" / f"BILLING_PERIOD={period}"
    meta = landing / "aws_cur" / export / "metadata" / f"BILLING_PERIOD={period}"
    for name, source in files.items():
        place(landing, str((data / name).relative_to(landing)), source)
    meta.mkdir(parents=True, exist_ok=True)
    year, month = (int(x) for x in period.split("-"))
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    write_cur_manifest(meta, period, start, end, execution_id, list(files), text=True)
    # write_cur_manifest names the manifest after the demo export; keep one manifest per period.
    for manifest in meta.glob("*-Manifest.json"):
        manifest.rename(meta / f"{export}-Manifest.json")


def load(con: duckdb.DuckDBPyConnection, slug: str, landing: Path) -> LoadResult:
    """Loads one source from a landing folder."""
    return load_source(con, SOURCES[slug], open_landing(str(landing)))


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def settings(tmp_path: Path, landing: Path) -> Settings:
    return Settings(landing=str(landing), warehouse=tmp_path / "warehouse" / "test.duckdb")


@pytest.fixture
def con(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(settings)
    yield connection
    connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First column of the first row."""
    return con.execute(sql, params or []).fetchone()[0]
