"""The raw layer as a Parquet lake that any engine reads (issue 14): DuckDB's raw tables mirrored by load.

The loader keeps its rules in one place, the DuckDB warehouse: the manifest (``raw._loads``), idempotency,
replace-by-period, supersession and quarantine. This module mirrors the result, the raw tables exactly as the
loader left them, into a lake that Spark (or any Parquet reader) reads::

    <lake>/<slug>/<table>/_load_id=<load id>/part-0.parquet    one folder per live load (Hive-style)
    <lake>/<slug>/<table>/_load_id=_schema/part-0.parquet       no rows: the table's columns, always present
    <lake>/raw/_loads/part-0.parquet                            the manifest (rewritten whenever it changes)
    <lake>/prices/genai_prices/part-0.parquet                   a raw table without loads (the same)
    <lake>/_aicost/lake_state.json                              what each folder holds (the next sync's diff)

``<slug>`` is the raw schema without its ``raw_`` prefix (``raw_litellm`` -> ``litellm``). A load's folder is
written when the load is new or its rows changed (superseded by a newer delivery, a contract column added and
re-read), deleted when the load stops counting (replaced, removed), and left alone otherwise, so a nightly
sync writes the day's loads only. Every file is written beside its place and renamed into it. JSON columns are
written as text (every engine reads text; Parquet's JSON annotation is not). Money stays DECIMAL(38, 12).

The lake can be a local folder or ``s3://bucket/prefix`` (written through boto3; the endpoint from
``Settings.s3_endpoint_url``, credentials from boto3's chain).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

LOAD_COLUMN = "_load_id"
SCHEMA_PARTITION = "_schema"
STATE_KEY = "_aicost/lake_state.json"
# The manifest models read (source 'loader'); the other bookkeeping tables stay with the loader.
BOOKKEEPING_TABLES = (("raw", "_loads"),)


@dataclass
class LakeSyncResult:
    """What one sync changed.

    Attributes:
        written: ``<slug>/<table>/<load id>`` folders written (new or changed loads).
        deleted: Folders deleted (loads that stopped counting, tables whose columns changed or that are gone).
        tables: Raw tables mirrored.
    """

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    tables: int = 0


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """Every table of a ``raw_<slug>`` schema, and whether it is kept by load (has ``_load_id``)."""
    rows = con.execute(
        """
        select table_schema, table_name, bool_or(column_name = ?) from information_schema.columns
        where table_schema like 'raw\\_%' escape '\\'
        group by all order by 1, 2
        """,
        [LOAD_COLUMN],
    ).fetchall()
    return [(schema, table, by_load) for schema, table, by_load in rows]


def lake_folder(schema: str, table: str) -> str:
    """The lake folder of a raw table: ``<slug>/<table>`` (``raw._loads`` -> ``raw/_loads``)."""
    slug = schema.removeprefix("raw_") if schema != "raw" else "raw"
    return f"{slug}/{table}"


def _select_list(con: duckdb.DuckDBPyConnection, schema: str, table: str, drop: tuple[str, ...] = ()) -> str:
    """The table's columns for a Parquet file: JSON as text, the partition column left to the folder name."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    parts = []
    for name, data_type in columns:
        if name in drop:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        parts.append(f"cast({quoted} as varchar) as {quoted}" if data_type == "JSON" else quoted)
    return ", ".join(parts)


def _schema_hash(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return hashlib.sha256(json.dumps(columns).encode()).hexdigest()[:16]


def _load_fingerprints(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """Per live load, a digest of its rows: rows written again by the loader change it.

    The digest covers every row's columns (DuckDB's ``hash`` of the row, summed), so supersession, a
    re-read filling a new column or a corrected row all mark the load's folder for rewriting.
    """
    relation = f'"{schema}"."{table}"'
    rows = con.execute(
        f"select {LOAD_COLUMN}, count(*), sum(hash(t)::hugeint) from {relation} as t group by all"
    ).fetchall()
    return {str(load_id): f"{count}:{digest}" for load_id, count, digest in rows}


class _Store:
    """Where lake files go: a local folder, or an S3 prefix written through boto3."""

    def __init__(self, lake: str, s3_endpoint_url: str = "") -> None:
        self.lake = lake.rstrip("/")
        self.remote = self.lake.startswith("s3://")
        if self.remote:
            import boto3

            bucket_and_prefix = self.lake.removeprefix("s3://")
            self.bucket, _, self.prefix = bucket_and_prefix.partition("/")
            self.s3 = boto3.client("s3", endpoint_url=s3_endpoint_url or None)
        else:
            Path(self.lake).mkdir(parents=True, exist_ok=True)

    def _key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def read_text(self, relative: str) -> str | None:
        if self.remote:
            try:
                return self.s3.get_object(Bucket=self.bucket, Key=self._key(relative))["Body"].read().decode()
            except self.s3.exceptions.NoSuchKey:
                return None
        path = Path(self.lake) / relative
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def write_text(self, relative: str, text: str) -> None:
        if self.remote:
            self.s3.put_object(Bucket=self.bucket, Key=self._key(relative), Body=text.encode())
            return
        path = Path(self.lake) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(path)

    def put_folder(self, relative: str, local: Path) -> None:
        """Puts a locally written folder in place of ``relative`` (replacing what was there)."""
        if self.remote:
            self.delete_folder(relative)
            for file in sorted(local.rglob("*")):
                if file.is_file():
                    key = self._key(f"{relative}/{file.relative_to(local).as_posix()}")
                    self.s3.upload_file(str(file), self.bucket, key)
            return
        target = Path(self.lake) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            # the old folder is renamed away first, so a reader sees the old or the new folder, never half
            retired = target.with_name(f".{target.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            target.rename(retired)
            local.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            local.rename(target)

    def delete_folder(self, relative: str) -> None:
        if self.remote:
            paginator = self.s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(relative) + "/"):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
            return
        shutil.rmtree(Path(self.lake) / relative, ignore_errors=True)

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A local folder to write files in before they are put in place (inside the lake when local)."""
        base = None if self.remote else Path(self.lake)
        folder = Path(tempfile.mkdtemp(prefix=".sync-", dir=base))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({select}) to '{target.as_posix()}' (format parquet, compression zstd)")


def sync_lake(con: duckdb.DuckDBPyConnection, lake: str, s3_endpoint_url: str = "") -> LakeSyncResult:
    """Mirrors the warehouse's raw tables into the lake, writing only the loads that changed.

    Args:
        con: Connection to the warehouse (read only is enough).
        lake: Local folder or ``s3://bucket/prefix``.
        s3_endpoint_url: Endpoint of an S3-compatible store; empty means AWS.

    Returns:
        What was written and deleted.
    """
    store = _Store(lake, s3_endpoint_url)
    previous: dict[str, Any] = json.loads(store.read_text(STATE_KEY) or "{}")
    state: dict[str, Any] = {}
    result = LakeSyncResult()
    with store.scratch() as scratch:
        whole_tables = list(BOOKKEEPING_TABLES)
        for schema, table, by_load in raw_tables(con):
            if not by_load:
                whole_tables.append((schema, table))
                continue
            folder = lake_folder(schema, table)
            relation = f'"{schema}"."{table}"'
            schema_hash = _schema_hash(con, schema, table)
            before = previous.get(folder, {})
            if before.get("schema") != schema_hash:
                # new columns: every folder is written again so all files share one schema
                if before:
                    store.delete_folder(folder)
                    result.deleted.append(folder)
                before = {"loads": {}}
            loads = _load_fingerprints(con, schema, table)
            columns = _select_list(con, schema, table, drop=(LOAD_COLUMN,))
            if not before.get("loads") and SCHEMA_PARTITION not in before:
                local = scratch / folder / f"{LOAD_COLUMN}={SCHEMA_PARTITION}"
                _copy(con, f"select {columns} from {relation} limit 0", local / "part-0.parquet")
                store.put_folder(f"{folder}/{LOAD_COLUMN}={SCHEMA_PARTITION}", local)
            for load_id, fingerprint in sorted(loads.items()):
                if before.get("loads", {}).get(load_id) == fingerprint:
                    continue
                local = scratch / folder / f"{LOAD_COLUMN}={load_id}"
                literal = load_id.replace("'", "''")
                _copy(
                    con, f"select {columns} from {relation} where {LOAD_COLUMN} = '{literal}'", local / "part-0.parquet"
                )
                store.put_folder(f"{folder}/{LOAD_COLUMN}={load_id}", local)
                result.written.append(f"{folder}/{load_id}")
            for load_id in sorted(set(before.get("loads", {})) - set(loads)):
                store.delete_folder(f"{folder}/{LOAD_COLUMN}={load_id}")
                result.deleted.append(f"{folder}/{load_id}")
            state[folder] = {"schema": schema_hash, "loads": loads, SCHEMA_PARTITION: True}
            result.tables += 1
        for schema, table in whole_tables:
            # small tables without loads (the manifest, the price catalogue): one file, written when changed
            folder = lake_folder(schema, table)
            relation = f'"{schema}"."{table}"'
            digest = con.execute(f"select count(*), sum(hash(t)::hugeint) from {relation} as t").fetchone()
            fingerprint = f"{_schema_hash(con, schema, table)}:{digest[0]}:{digest[1]}"
            if previous.get(folder, {}).get("table") != fingerprint:
                local = scratch / folder
                _copy(con, f"select {_select_list(con, schema, table)} from {relation}", local / "part-0.parquet")
                store.put_folder(folder, local)
                result.written.append(folder)
            state[folder] = {"table": fingerprint}
            result.tables += 1
        for folder in sorted(set(previous) - set(state)):
            # a raw table gone from the warehouse: its loads stopped counting too (and, forgotten by the
            # state, its folders would otherwise stay, and come back beside the loads of a re-created table)
            store.delete_folder(folder)
            result.deleted.append(folder)
    store.write_text(STATE_KEY, json.dumps(state, sort_keys=True, indent=1))
    return result
