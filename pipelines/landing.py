"""Where files come from: a landing location laid out as ``<slug>/...``.

A landing location is a local folder or an S3 prefix (``s3://bucket/prefix``, any S3-compatible store with
an endpoint override). Sources never touch paths or clients themselves: they list ``LandingFile`` objects
whose ``local_path`` is readable. Remote objects are downloaded once into a download area and fetched
again only when their ETag or size changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
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
    """

    key: str
    local_path: Path
    size: int
    version: str = ""

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


class LocalLanding:
    """A landing zone on the local file system."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.uri = str(self.root)

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the files under ``<root>/<prefix>`` in key order, skipping hidden files (``fetch`` is moot)."""
        base = self.root / prefix
        if not base.is_dir():
            return
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            rel = path.relative_to(self.root).as_posix()
            if any(part.startswith(".") for part in PurePosixPath(rel).parts):
                continue
            stat = path.stat()
            yield LandingFile(key=rel, local_path=path, size=stat.st_size, version=str(stat.st_mtime_ns))


class CombinedLanding:
    """Several landing zones seen as one (the landing location plus a folder a pull wrote to).

    Args:
        landings: The zones; a key present in several is taken from the first.
    """

    def __init__(self, landings: list[Landing]) -> None:
        self.landings = landings
        self.uri = " + ".join(landing.uri for landing in landings)

    def list_files(self, prefix: str, fetch: bool = True) -> Iterator[LandingFile]:
        """Yields the files of every zone under ``prefix/``, in key order."""
        files: dict[str, LandingFile] = {}
        for landing in self.landings:
            for file in landing.list_files(prefix, fetch=fetch):
                files.setdefault(file.key, file)
        yield from (files[key] for key in sorted(files))


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
        from pipelines.landing_s3 import S3Landing

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
