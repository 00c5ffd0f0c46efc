"""The close store: where versions live, reading their manifests, and publishing a version read-only.

Owns the store's layout (``<store>/<YYYY-MM>/v<N>/``, described in ``pipelines.close``), the version
numbering, the manifest's money strings and totals, and the atomic publication of a version's files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pipelines.export import ChargebackLine

STORE_FOLDER = "closed"
MANIFEST_NAME = "manifest.json"
READ_ONLY = 0o444
# The figures of a totals entry in the manifest, in the order totals adds them up.
_TOTAL_NAMES = (
    "billed_cost",
    "billed_cost_rounded",
    "effective_cost",
    "effective_cost_rounded",
    "amount",
    "amount_rounded",
)
_VERSION_DIR = re.compile(r"v([1-9][0-9]*)")


class VersionNotFound(LookupError):
    """The month has no closed version of that number."""


def store_root(exports_dir: Path) -> Path:
    """The close store under the exports folder."""
    return Path(exports_dir) / STORE_FOLDER


def version_folder(store: Path, month: str, version: int) -> Path:
    """``<store>/<month>/v<version>``."""
    return store / month / f"v{version}"


def file_names(month: str, version: int) -> dict[str, str]:
    """Names of a version's chargeback files by format."""
    return {fmt: f"chargeback_{month}_v{version}.{fmt}" for fmt in ("csv", "parquet")}


def versions(store: Path, month: str) -> list[int]:
    """The closed versions of a month, ascending (folders ``v<N>`` holding a manifest)."""
    folder = store / month
    if not folder.is_dir():
        return []
    found = []
    for child in folder.iterdir():
        match = _VERSION_DIR.fullmatch(child.name)
        if match and (child / MANIFEST_NAME).is_file():
            found.append(int(match.group(1)))
    return sorted(found)


def read_manifest(store: Path, month: str, version: int) -> dict:
    """A version's manifest.

    Raises:
        VersionNotFound: When the month has no such version.
    """
    path = version_folder(store, month, version) / MANIFEST_NAME
    if not path.is_file():
        closed = versions(store, month)
        listed = ", ".join(f"v{v}" for v in closed) if closed else "none"
        raise VersionNotFound(f"{month} has no closed version v{version} (closed versions: {listed})")
    return json.loads(path.read_text(encoding="utf-8"))


def closed_file(store: Path, month: str, version: int, fmt: str = "csv") -> Path:
    """The published chargeback file of a closed version.

    Raises:
        VersionNotFound: When the month has no such version.
    """
    manifest = read_manifest(store, month, version)
    return version_folder(store, month, version) / manifest["files"][fmt]["name"]


def list_closed(store: Path, month: str | None = None) -> list[dict]:
    """Manifests of the closed versions of one month (or of every month), by month then version."""
    if month is not None:
        months = [month]
    elif store.is_dir():
        months = sorted(p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith("."))
    else:
        months = []
    return [read_manifest(store, m, v) for m in months for v in versions(store, m)]


def money(value: Decimal | None, places: int = 12) -> str | None:
    """An amount as the store writes it: rounded half-up to ``places`` decimals, fixed-point; ``None`` stays."""
    if value is None:
        return None
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def totals(lines: Sequence[ChargebackLine], basis: str) -> dict:
    """The manifest's totals: exact and rounded billed, effective and ``basis`` amounts per currency and provider."""

    def zero() -> list[Decimal]:
        return [Decimal(0)] * len(_TOTAL_NAMES)

    by_currency: dict[str, list[Decimal]] = defaultdict(zero)
    by_provider: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(zero))
    for line in lines:
        values = (
            line.billed_cost,
            line.billed_cost_rounded,
            line.effective_cost,
            line.effective_cost_rounded,
            line.amount(basis),
            line.amount_rounded(basis),
        )
        for sums in (by_currency[line.currency], by_provider[str(line.provider)][line.currency]):
            for i, value in enumerate(values):
                sums[i] += value

    def render(sums: list[Decimal]) -> dict[str, str | None]:
        return {
            name: money(value, 2 if name.endswith("_rounded") else 12)
            for name, value in zip(_TOTAL_NAMES, sums, strict=True)
        }

    return {
        "by_currency": {c: render(s) for c, s in sorted(by_currency.items())},
        "by_provider": {p: {c: render(s) for c, s in sorted(per.items())} for p, per in sorted(by_provider.items())},
    }


def publish(store: Path, month: str, version: int, files: dict[str, bytes]) -> Path:
    """Writes a version's files read-only into a hidden folder, then renames it into place (never over one)."""
    final = version_folder(store, month, version)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"{final} already exists: closed versions are never overwritten")
    # A plain mkdir (not mkdtemp, whose folder is private): the version gets the umask's usual mode.
    staging = final.parent / f".v{version}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, content in files.items():
            path = staging / name
            with path.open("xb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, READ_ONLY)
        if final.exists():
            raise FileExistsError(f"{final} was written by another close meanwhile; run the close again")
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final
