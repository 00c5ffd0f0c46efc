"""Where files come from: a landing location laid out as ``<slug>/...``.

A landing location is a local folder or an S3 prefix (``s3://bucket/prefix``, any S3-compatible store with
an endpoint override). Sources never touch paths or clients themselves: they list ``LandingFile`` objects
whose ``local_path`` is readable. Remote objects are downloaded once into a download area and fetched
again only when their ETag or size changes.

Imports: nothing of ``pipelines`` but ``pipelines.config`` (for type hints only: settings are passed in);
``s3`` (boto3) is imported only when a location is an ``s3://`` prefix. The loader, the sources and the
orchestration import this package, never the other way round.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pipelines.config import Settings

_HASH_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class LandingFile:
    """One file in the landing zone.

    Attributes:
        key: Path relative to the landing root, ``/``-separated (``aws_cur/<export>/data/...``).
        local_path: A local, readable copy of the file.
        size: Size in bytes.
        version: Changes when the file is rewritten (modification time for local files; an object
            store's ETag or last-modified time).
        modified_at: When the file was written (modification time, an object's last-modified time), if
            known: the delivery time that decides which of two overlapping bill deliveries is newer.
    """

    key: str
    local_path: Path
    size: int
    version: str = ""
    modified_at: datetime | None = None

    @property
    def name(self) -> str:
        """The file name without folders."""
        return PurePosixPath(self.key).name

    def sha256(self) -> str:
        """Returns the hex SHA-256 of the file contents, read in chunks."""
        digest = hashlib.sha256()
        with self.local_path.open("rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


@dataclass(frozen=True)
class RefusedFile:
    """An entry of the landing zone that is never read, and why (a symlink leading outside it, say).

    Attributes:
        key: Path relative to the landing root.
        reason: Why it is refused.
    """

    key: str
    reason: str


class Landing(Protocol):
    """A place files are delivered to."""

    uri: str

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the files whose key starts with ``prefix/``, in key order.

        Args:
            prefix: A source slug.
            fetch: Whether remote files must be downloaded (a sensor only needs the listing).
        """
        ...

    def refused(self, prefix: str) -> list[RefusedFile]:
        """Entries under ``prefix/`` that were refused by the last listing (never read)."""
        ...

    def exists(self, prefix: str) -> bool:
        """Whether the zone has a ``prefix/`` at all (a missing folder is not the same as an emptied one)."""
        ...


def _raise(error: OSError) -> None:
    raise error


class LocalLanding:
    """A landing zone on the local file system.

    Symbolic links are followed only when they lead to a file inside the landing root: a link to anything
    outside it (``/etc/passwd``, another team's folder) is refused and reported, never read. Links to
    folders are not descended into (their targets inside the root are listed where they are).
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = str(self.root)
        self._refused: dict[str, list[RefusedFile]] = {}

    def refused(self, prefix: str) -> list[RefusedFile]:
        """Entries under ``prefix/`` that the last listing refused."""
        return list(self._refused.get(prefix, []))

    def exists(self, prefix: str) -> bool:
        """Whether ``<root>/<prefix>`` is a folder (a symlinked one leading outside is refused, not absent)."""
        return (self.root / prefix).is_dir()

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the files under ``<root>/<prefix>`` in key order, skipping hidden files (``fetch`` is moot).

        Raises:
            OSError: A folder that cannot be read: its files must not look as if they had vanished.
        """
        refused: list[RefusedFile] = []
        self._refused[prefix] = refused
        base = self.root / prefix
        if not base.is_dir():
            return
        if base.is_symlink():
            problem = self._link_problem(base)
            if problem:
                refused.append(RefusedFile(prefix, problem))
                return
        found: list[Path] = []
        for folder, dirs, names in os.walk(base, followlinks=False, onerror=_raise):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            here = Path(folder)
            for name in [*dirs, *names]:
                path = here / name
                if name.startswith(".") or not path.is_symlink():
                    if name in names and not name.startswith(".") and path.is_file():
                        found.append(path)
                    continue
                problem = self._link_problem(path)
                if problem:
                    refused.append(RefusedFile(path.relative_to(self.root).as_posix(), problem))
                elif name in names and path.is_file():
                    found.append(path)
        for path in sorted(found):
            rel = path.relative_to(self.root).as_posix()
            stat = path.stat()
            yield LandingFile(
                key=rel,
                local_path=path,
                size=stat.st_size,
                version=str(stat.st_mtime_ns),
                modified_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
            )

    def _link_problem(self, link: Path) -> str | None:
        """Why a symbolic link must not be followed, or ``None`` when it leads inside the landing root."""
        target = link.resolve()
        if not target.is_relative_to(self.root):
            return "a symbolic link to a location outside the landing zone: never read"
        if not target.exists():
            return "a broken symbolic link"
        return None


class CombinedLanding:
    """Several landing zones seen as one (the landing location plus a folder a pull wrote to).

    Args:
        landings: The zones; a key present in several is taken from the first.
    """

    def __init__(self, landings: list[Landing]) -> None:
        self.landings = landings
        self.uri = " + ".join(landing.uri for landing in landings)

    def refused(self, prefix: str) -> list[RefusedFile]:
        """What any of the zones refused under ``prefix/``."""
        return [r for landing in self.landings for r in landing.refused(prefix)]

    def exists(self, prefix: str) -> bool:
        """Whether any of the zones has ``prefix/``."""
        return any(landing.exists(prefix) for landing in self.landings)

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the files of every zone under ``prefix/``, in key order."""
        files: dict[str, LandingFile] = {}
        for landing in self.landings:
            for file in landing.list_files(prefix, fetch=fetch):
                files.setdefault(file.key, file)
        yield from (files[key] for key in sorted(files))


@dataclass(frozen=True)
class Pulled:
    """What a source's pull (an API, a database, BigQuery) left in its local folder.

    Attributes:
        landing: The local folder, laid out as a landing zone: every file pulled so far, so that files pulled
            by earlier runs keep counting even when this run's pull failed.
        error: Why this run's pull failed (credentials never shown), or ``None``.
    """

    landing: Landing
    error: str | None = None


def fingerprint(files: list[LandingFile]) -> str:
    """A short digest of a listing (keys, sizes, versions): it changes when any file is added or rewritten."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.key):
        digest.update(f"{file.key}\0{file.size}\0{file.version}\n".encode())
    return digest.hexdigest()[:32]


def open_landing(location: str, *, s3_endpoint_url: str = "", download_dir: Path | None = None) -> Landing:
    """Opens a landing location given as a folder or URI.

    Args:
        location: A local folder (``landing``, ``/data/landing``, ``file:///data/landing``) or an S3 prefix
            (``s3://bucket/prefix``).
        s3_endpoint_url: Endpoint of an S3-compatible store; empty for AWS.
        download_dir: Download area for remote objects (required for ``s3://``).

    Returns:
        The landing zone.

    Raises:
        ValueError: For a URI scheme this version cannot read, or a folder that does not exist.
    """
    if location.startswith("s3://"):
        from pipelines.landing.s3 import S3Landing

        if download_dir is None:
            raise ValueError(f"landing location {location!r}: an s3:// location needs a download folder")
        return S3Landing(location, download_dir=download_dir, endpoint_url=s3_endpoint_url or None)
    if location.startswith("file://"):
        location = location.removeprefix("file://")
    if "://" in location:
        scheme = location.split("://", 1)[0]
        raise ValueError(
            f"landing location {location!r}: the {scheme}:// scheme is not supported; "
            "use a local folder or s3://bucket/prefix laid out as <slug>/..."
        )
    root = Path(location)
    if not root.is_dir():
        raise ValueError(f"landing location {location!r} is not a folder")
    return LocalLanding(root)


def landing_for(settings: Settings) -> Landing:
    """Opens the landing location of run settings (with their S3 endpoint and download folder)."""
    return open_landing(settings.landing, s3_endpoint_url=settings.s3_endpoint_url, download_dir=settings.downloads)
