"""AWS CUR 2.0 (Data Exports): discovery of deliveries by manifest.

Layout, exactly as AWS delivers it (see README.md beside this file)::

    aws_cur/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet | *.csv.gz
    aws_cur/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json

The manifest decides which data files make up the current delivery of a billing period; data files it
does not list are leftovers of an earlier delivery and are ignored. A new manifest (new execution id)
replaces the whole billing period.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import PurePosixPath

import pyarrow as pa

from pipelines.errors import BadFileError
from pipelines.landing import Landing, LandingFile
from pipelines.sources.aws_cur.schema import LINE_ITEMS
from pipelines.sources.base import FileFormat, LoadPlan, PlannedFile

SLUG = "aws_cur"
_PERIOD = re.compile(r"^(?P<export>.+)/(?P<kind>data|metadata)/BILLING_PERIOD=(?P<period>\d{4}-\d{2})/(?P<rest>.+)$")


def _format_of(name: str) -> FileFormat | None:
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv.gz", ".csv")):
        return "csv"
    return None


class AwsCurSource:
    """The ``aws_cur`` source: CUR 2.0 line items."""

    slug = SLUG
    tables = (LINE_ITEMS,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Groups CUR files by export and billing period and keeps the manifest's current delivery."""
        plan = LoadPlan()
        data: dict[tuple[str, str], list[LandingFile]] = defaultdict(list)
        manifests: dict[tuple[str, str], list[LandingFile]] = defaultdict(list)
        for file in landing.list_files(SLUG):
            rel = file.key.removeprefix(f"{SLUG}/")
            match = _PERIOD.match(rel)
            if not match:
                plan.ignored.append((file, "not in the CUR 2.0 layout <export>/data|metadata/BILLING_PERIOD=YYYY-MM/"))
                continue
            key = (match["export"], match["period"])
            if match["kind"] == "metadata":
                if file.name.endswith("Manifest.json"):
                    manifests[key].append(file)
                continue
            if _format_of(file.name) is None:
                plan.ignored.append((file, "not a CUR data file (.parquet, .csv.gz or .csv)"))
                continue
            data[key].append(file)

        for key in sorted(set(data) | set(manifests)):
            export, period = key
            files = data.get(key, [])
            partition = f"{export}/{period}"
            if not manifests.get(key):
                # No manifest (files copied by hand): the files present make up the delivery.
                digest = hashlib.sha256("\n".join(f"{f.key}:{f.size}" for f in files).encode()).hexdigest()
                plan.files += [self._planned(f, partition, f"files-{digest[:16]}", period) for f in files]
                continue
            manifest_file = max(manifests[key], key=lambda f: f.key)
            try:
                delivery, listed = _read_manifest(manifest_file)
            except BadFileError as error:
                planned = [self._planned(f, partition, "invalid-manifest", period) for f in files]
                plan.rejected.append(
                    ([self._planned(manifest_file, partition, "invalid-manifest", period), *planned], error)
                )
                continue
            by_name = {f.name: f for f in files}
            planned = [self._planned(by_name[n], partition, delivery, period) for n in listed if n in by_name]
            for f in files:
                if f.name not in listed:
                    plan.ignored.append((f, f"not part of the current delivery {delivery} of {partition}"))
            missing = [n for n in listed if n not in by_name]
            if missing:
                error = BadFileError(
                    manifest_file.key,
                    f"the manifest lists {len(missing)} data file(s) not in the landing zone: {', '.join(missing[:3])}",
                )
                # The manifest is recorded too, so the problem is visible even when no listed file exists.
                plan.rejected.append(([self._planned(manifest_file, partition, delivery, period), *planned], error))
                continue
            plan.files += planned
        return plan

    @staticmethod
    def _planned(file: LandingFile, partition: str, delivery: str, period: str) -> PlannedFile:
        return PlannedFile(
            file=file,
            table=LINE_ITEMS,
            format=_format_of(file.name) or "csv",
            partition=partition,
            delivery=delivery,
            billing_period=period,
        )

    def parse(self, planned: PlannedFile) -> pa.Table:
        """CUR files are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: CUR data files are read by DuckDB, not parsed in Python")


def _read_manifest(file: LandingFile) -> tuple[str, list[str]]:
    """Returns the delivery id and the data file names a Data Exports (or legacy CUR) manifest lists."""
    try:
        doc = json.loads(file.local_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise BadFileError(file.key, f"manifest is not valid JSON: {exc}", line=line) from exc
    if not isinstance(doc, dict):
        raise BadFileError(file.key, "manifest is not a JSON object")
    delivery = doc.get("executionId") or doc.get("assemblyId")
    listed = doc.get("dataFiles", doc.get("reportKeys"))
    if not delivery:
        raise BadFileError(file.key, "manifest has no executionId (or assemblyId)", column="executionId")
    if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
        raise BadFileError(file.key, "manifest dataFiles (or reportKeys) is not a list of keys", column="dataFiles")
    return str(delivery), [PurePosixPath(x).name for x in listed]


SOURCE = AwsCurSource()
