"""An S3 (or S3-compatible) landing location, read with boto3 and the standard credential chain.

Objects are listed under ``s3://bucket/prefix/<slug>/`` and downloaded into a local download area that
mirrors their keys, so DuckDB reads them like local files. An object is fetched again only when its ETag
or size changes. Keys are never trusted as paths: a key that would resolve outside the download area
(``..``, absolute, backslashes, empty segments) is refused and logged, never written.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import boto3
from botocore.config import Config

from pipelines.landing import LandingFile, RefusedFile

log = logging.getLogger(__name__)

_STATE_FILE = ".aicost-downloads.json"


def safe_relative_key(key: str) -> PurePosixPath | None:
    """The key as a relative path when it is safe to mirror locally, else ``None``.

    Args:
        key: Object key relative to the landing prefix.

    Returns:
        A relative POSIX path with no ``..``, ``.`` or empty segments and no backslashes or NULs.
    """
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        return None
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return PurePosixPath(*parts)


def _shown_key(key: str) -> str:
    """An unsafe key as the manifest records it: printable, no NULs."""
    return key.replace("\x00", "\\0")


class S3Landing:
    """A landing zone at ``s3://bucket/prefix``.

    Args:
        uri: ``s3://bucket`` or ``s3://bucket/prefix``.
        download_dir: Local download area; objects land in ``<download_dir>/s3/<bucket>/<prefix>/``.
        endpoint_url: Endpoint override for S3-compatible stores (MinIO, R2, a local test server).
    """

    def __init__(self, uri: str, download_dir: Path, endpoint_url: str | None = None) -> None:
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"landing location {uri!r}: no bucket name")
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.root = (download_dir / "s3" / bucket / self.prefix).resolve()
        # Credentials and region come from boto3's standard chain (environment, profile, instance role).
        self._client = boto3.client(
            "s3", endpoint_url=endpoint_url, config=Config(retries={"max_attempts": 5, "mode": "standard"})
        )
        self._state_path = self.root / _STATE_FILE
        self._state: dict[str, dict[str, object]] | None = None
        self._refused: dict[str, list[RefusedFile]] = {}

    def refused(self, prefix: str) -> list[RefusedFile]:
        """Objects under ``prefix/`` that the last listing refused (unsafe keys)."""
        return list(self._refused.get(prefix, []))

    def exists(self, prefix: str) -> bool:
        """Whether any object lies under ``prefix/`` (object stores have no empty folders)."""
        return next(iter(self._objects(prefix)), None) is not None

    def _load_state(self) -> dict[str, dict[str, object]]:
        if self._state is None:
            try:
                self._state = json.loads(self._state_path.read_text(encoding="utf-8"))
            except (FileNotFoundError, json.JSONDecodeError):
                self._state = {}
        return self._state

    def _save_state(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._load_state(), sort_keys=True), encoding="utf-8")
        tmp.replace(self._state_path)

    def _objects(self, slug: str) -> Iterator[dict]:
        full_prefix = f"{self.prefix}/{slug}/" if self.prefix else f"{slug}/"
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
            yield from page.get("Contents", [])

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the objects under ``<prefix>/`` in key order, downloading new or changed ones.

        Args:
            prefix: A source slug.
            fetch: Download objects whose local copy is missing or stale (a sensor passes ``False``).
        """
        state = self._load_state()
        refused: list[RefusedFile] = []
        self._refused[prefix] = refused
        files: list[LandingFile] = []
        changed = False
        strip = f"{self.prefix}/" if self.prefix else ""
        for obj in self._objects(prefix):
            if obj["Key"].endswith("/"):
                continue  # a "folder" placeholder object
            rel = safe_relative_key(obj["Key"][len(strip) :])
            if rel is None:
                log.warning("s3://%s/%s: key is not a safe relative path; not downloaded", self.bucket, obj["Key"])
                refused.append(RefusedFile(_shown_key(obj["Key"][len(strip) :]), "an unsafe object key: never read"))
                continue
            if any(part.startswith(".") for part in rel.parts):
                continue  # hidden objects (tool state, partial uploads) are not deliveries
            local = self.root.joinpath(*rel.parts)
            if not local.resolve().is_relative_to(self.root):
                log.warning("s3://%s/%s: resolves outside the download area; not downloaded", self.bucket, obj["Key"])
                refused.append(RefusedFile(str(rel), "resolves outside the download area: never read"))
                continue
            etag = str(obj.get("ETag", "")).strip('"')
            known = state.get(str(rel))
            fresh = known == {"etag": etag, "size": obj["Size"]} and local.is_file()
            if fetch and not fresh:
                self._download(obj["Key"], local)
                state[str(rel)] = {"etag": etag, "size": obj["Size"]}
                changed = True
            files.append(
                LandingFile(
                    key=str(rel), local_path=local, size=obj["Size"], version=etag, modified_at=obj.get("LastModified")
                )
            )
        if changed:
            self._save_state()
        yield from sorted(files, key=lambda f: f.key)

    def _download(self, key: str, local: Path) -> None:
        """Downloads to a temporary name, then renames: a crash never leaves a half file under the real name."""
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.{os.getpid()}.part")
        try:
            self._client.download_file(self.bucket, key, str(tmp))
            tmp.replace(local)
        finally:
            tmp.unlink(missing_ok=True)
