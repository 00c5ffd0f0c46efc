"""AWS CUR 2.0 (Data Exports) and legacy CUR: discovery of deliveries by manifest.

Layouts, exactly as AWS delivers them (see README.md beside this file)::

    aws_cur/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet | *.csv.gz
    aws_cur/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json

    aws_cur/<report>/YYYYMMDD-YYYYMMDD/<report>-Manifest.json               (legacy CUR)
    aws_cur/<report>/YYYYMMDD-YYYYMMDD/<assemblyId>/<report>-1.csv.gz

Legacy CUR names its columns ``lineItem/UsageType`` and has one column per tag (``resourceTags/user:team``);
a column map renames them to the CUR 2.0 names and packs the tags into ``resource_tags``.

The manifest decides which data files make up the current delivery of a billing period; data files it
does not list are leftovers of an earlier delivery and are ignored. A new manifest (new execution id)
replaces the whole billing period.

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load`` (``contracts``, ``errors``,
``readers``, ``manifest``); ``pipelines.landing``; ``pipelines.demo.world`` and ``org`` (``demo.py`` only).
No other source, no registry, no ``orchestration``. ``pipelines.sources.aws_focus`` imports ``AwsCurSource``
(the same delivery layout) and the tests import ``demo.write_cur_manifest``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import PurePosixPath

import pyarrow as pa

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError
from pipelines.load.readers import csv_header
from pipelines.sources.aws_cur import demo
from pipelines.sources.aws_cur.schema import LINE_ITEMS
from pipelines.sources.aws_cur.totals import BILLED_TOTALS
from pipelines.sources.base import ColumnMap, LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.files import files_delivery_id, tabular_format

SLUG = "aws_cur"
_PERIOD = re.compile(r"^(?P<export>.+)/(?P<kind>data|metadata)/BILLING_PERIOD=(?P<period>\d{4}-\d{2})/(?P<rest>.+)$")
_LEGACY_PERIOD = re.compile(r"^(?P<export>.+)/(?P<start>\d{6})\d{2}-\d{8}/(?P<rest>.+)$")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Legacy column groups packed into one CUR 2.0 JSON column each (one legacy column per key).
_LEGACY_PACKED = {"resourceTags": "resource_tags", "costCategory": "cost_category"}
# Where CUR 2.0 spells a name differently from the camel-case rule.
_LEGACY_RENAMES = {
    "reservation/ReservationARN": "reservation_reservation_a_r_n",
    "savingsPlan/SavingsPlanARN": "savings_plan_savings_plan_a_r_n",
}


def _snake(name: str) -> str:
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def legacy_column_map(header: list[str]) -> ColumnMap:
    """Maps legacy CUR column names onto the CUR 2.0 contract.

    ``lineItem/UsageAccountId`` becomes ``line_item_usage_account_id`` (the CUR 2.0 name); the one-column-
    per-key groups ``resourceTags/user:team`` and ``costCategory/x`` are packed into ``resource_tags``
    (key ``user_team``, as CUR 2.0 spells it) and ``cost_category``.

    Args:
        header: The legacy file's column names.

    Returns:
        The column map.
    """
    renames: dict[str, str] = {}
    packed: dict[str, dict[str, str]] = {target: {} for target in _LEGACY_PACKED.values()}
    for column in header:
        group, sep, name = column.partition("/")
        if not sep:
            continue
        if group in _LEGACY_PACKED:
            packed[_LEGACY_PACKED[group]][re.sub(r"[^A-Za-z0-9]", "_", name)] = column
        else:
            renames[column] = _LEGACY_RENAMES.get(column, f"{_snake(group)}_{_snake(name)}")
    return ColumnMap(renames=renames, packed=packed)


def _is_legacy_layout(header: list[str]) -> bool:
    return any("/" in column for column in header)


class AwsCurSource:
    """A source delivered by AWS Data Exports (CUR 2.0, legacy CUR, or the FOCUS export).

    Args:
        slug: Source slug (its landing folder).
        table: The raw table every data file loads into.
        legacy_layout: Whether legacy CUR folders and column names are recognised too.
    """

    def __init__(self, slug: str = SLUG, table: RawTable = LINE_ITEMS, legacy_layout: bool = True) -> None:
        self.slug = slug
        self.table = table
        self.tables = (table,)
        self.legacy_layout = legacy_layout

    def plan(self, landing: Landing) -> LoadPlan:
        """Groups CUR files by export and billing period and keeps the manifest's current delivery."""
        plan = LoadPlan()
        data: dict[tuple[str, str], list[LandingFile]] = defaultdict(list)
        manifests: dict[tuple[str, str], list[LandingFile]] = defaultdict(list)
        legacy_keys: set[tuple[str, str]] = set()
        for file in landing.list_files(self.slug):
            rel = file.key.removeprefix(f"{self.slug}/")
            match = _PERIOD.match(rel)
            legacy = _LEGACY_PERIOD.match(rel) if self.legacy_layout else None
            if match:
                key, is_manifest = (match["export"], match["period"]), match["kind"] == "metadata"
            elif legacy:
                period = f"{legacy['start'][:4]}-{legacy['start'][4:]}"
                legacy_keys.add((legacy["export"], period))
                key, is_manifest = (
                    (legacy["export"], period),
                    "/" not in legacy["rest"] and file.name.endswith("Manifest.json"),
                )
            else:
                plan.ignored.append(
                    (
                        file,
                        "not in a CUR layout: <export>/data|metadata/BILLING_PERIOD=YYYY-MM/ (CUR 2.0) "
                        "or <report>/YYYYMMDD-YYYYMMDD/ (legacy CUR)",
                    )
                )
                continue
            if is_manifest or (match and match["kind"] == "metadata"):
                if file.name.endswith("Manifest.json"):
                    manifests[key].append(file)
                continue
            if tabular_format(file.name) is None:
                plan.ignored.append((file, "not a CUR data file (.parquet, .csv.gz or .csv)"))
                continue
            data[key].append(file)

        for key in sorted(set(data) | set(manifests)):
            export, period = key
            files = data.get(key, [])
            partition = f"{export}/{period}"
            if not manifests.get(key):
                # No manifest (files copied by hand): the files present make up the delivery.
                plan.files += [self._planned(f, partition, files_delivery_id(files), period) for f in files]
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
            # Legacy CUR keeps every delivery in its own <assemblyId>/ folder under the period, with the same
            # file names: a listed key matches on the folder too.
            depth = 2 if key in legacy_keys else 1
            by_tail = {_tail(f.key, depth): f for f in files}
            listed_tails = [_tail(n, depth) for n in listed]
            planned = [self._planned(by_tail[t], partition, delivery, period) for t in listed_tails if t in by_tail]
            for tail, f in by_tail.items():
                if tail not in listed_tails:
                    plan.ignored.append((f, f"not part of the current delivery {delivery} of {partition}"))
            missing = [t for t in listed_tails if t not in by_tail]
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

    def _planned(self, file: LandingFile, partition: str, delivery: str, period: str) -> PlannedFile:
        file_format = tabular_format(file.name) or "csv"
        column_map = None
        if self.legacy_layout and file_format == "csv" and delivery != "invalid-manifest":
            try:
                header = csv_header(file)
            except BadFileError:
                header = []  # the loader reports the unreadable header with the file's other problems
            if _is_legacy_layout(header):
                column_map = legacy_column_map(header)
        return PlannedFile(
            file=file,
            table=self.table,
            format=file_format,
            partition=partition,
            delivery=delivery,
            billing_period=period,
            column_map=column_map,
        )

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """CUR files are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: CUR data files are read by DuckDB, not parsed in Python")


def _read_manifest(file: LandingFile) -> tuple[str, list[str]]:
    """Returns the delivery id and the data file names a Data Exports (or legacy CUR) manifest lists."""
    try:
        doc = json.loads(file.local_path.read_text(encoding="utf-8-sig"))
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
    return str(delivery), [str(x) for x in listed]


def _tail(key: str, depth: int) -> str:
    """The last ``depth`` segments of a key (``name``, or ``<assemblyId>/name`` for legacy CUR)."""
    return "/".join(PurePosixPath(key).parts[-depth:])


SOURCE = SourceUnit(
    reader=AwsCurSource(),
    description=(
        "AWS CUR 2.0 line items (and legacy CUR); each billing period's current manifest delivery replaces earlier ones."
    ),
    demo=demo.write,
    bench_reads=(("aws_cur/*/data/*/*.parquet", "read_parquet"), ("aws_cur/*/data/*/*.csv.gz", "read_csv")),
    demo_label="CUR lines",
    billed_totals=BILLED_TOTALS,
)
