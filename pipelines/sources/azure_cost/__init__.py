"""Azure Cost Management exports: cost details (EA and MCA, actual and amortized) and the FOCUS export.

Layout, as Cost Management exports write to a storage account (see README.md beside this file)::

    azure_cost/<export>/<YYYYMMDD-YYYYMMDD>/<run id>/<files>.csv | .csv.gz | .parquet   (+ manifest.json)
    azure_cost/<export>/<YYYYMMDD-YYYYMMDD>/<files>                                      (no run folder)

Each run of an export rewrites the whole period, so the newest run of an export and period is its current
delivery and replaces the previous one. The run's ``manifest.json`` (exports v2) says which files belong
to it and the dataset type (``ActualCost``, ``AmortizedCost``, ``FocusCost``); without a manifest the type
comes from the export's name (``...amortized...``, ``...focus...``, otherwise actual cost).

Imports: ``pipelines.sources.base``, ``files`` and ``focus_contract``; ``pipelines.load`` (``contracts``,
``errors``, ``readers``, ``manifest``); ``pipelines.landing``; ``pipelines.demo.world`` and ``org``
(``demo.py`` only). No other source, no registry, no ``orchestration``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import RawTable
from pipelines.load.errors import BadFileError
from pipelines.load.readers import csv_header
from pipelines.sources.azure_cost import demo
from pipelines.sources.azure_cost.schema import (
    ACTUAL_COST_DETAILS,
    AMORTIZED_COST_DETAILS,
    FOCUS_COSTS,
    MCA_RENAMES,
    OLDER_NAMES,
)
from pipelines.sources.azure_cost.totals import BILLED_TOTALS
from pipelines.sources.base import ColumnMap, FileFormat, LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.files import files_delivery_id, tabular_format

SLUG = "azure_cost"
_LAYOUT = re.compile(r"^(?P<export>[^/]+)/(?P<start>\d{6})\d{2}-\d{8}/(?P<rest>.+)$")
_DATASETS: dict[str, RawTable] = {
    "ActualCost": ACTUAL_COST_DETAILS,
    "AmortizedCost": AMORTIZED_COST_DETAILS,
    "FocusCost": FOCUS_COSTS,
}


def dataset_from_name(export: str) -> str:
    """The dataset type of an export without a manifest, from its name."""
    lowered = export.lower()
    if "focus" in lowered:
        return "FocusCost"
    if "amortized" in lowered or "amortised" in lowered:
        return "AmortizedCost"
    return "ActualCost"


def cost_details_column_map(columns: list[str]) -> ColumnMap:
    """Maps a cost-details file's column names (EA, MCA or an older generation) onto the EA-named contract.

    Each contract column takes the best-matching file column: its own name in any case first, then MCA's
    name for it, then an older generation's (``Cost`` only when the file has no ``CostInBillingCurrency``).
    File columns that lose (an MCA file with both ``resourceLocation`` and ``ResourceLocationNormalized``)
    are not read.
    """
    canonical = {c.name.lower(): c.name for c in ACTUAL_COST_DETAILS.columns}
    best: dict[str, tuple[int, str]] = {}
    for name in columns:
        key = name.strip().lower()
        for rank, target in enumerate((canonical.get(key), MCA_RENAMES.get(key), OLDER_NAMES.get(key))):
            if target and (target not in best or rank < best[target][0]):
                best[target] = (rank, name)
                break
    renames = {name: target for target, (_, name) in best.items() if name != target}
    chosen = {name for _, name in best.values()}
    # A file column that maps onto a contract name but lost to a better match must not be read as it.
    for name in columns:
        if name not in chosen and name.strip() in canonical.values():
            renames[name] = f"{name} (not read: another column is {name.strip()})"
    return ColumnMap(renames=renames)


class AzureCostSource:
    """The ``azure_cost`` source: actual and amortized cost details, and the FOCUS export."""

    slug = SLUG
    tables = (ACTUAL_COST_DETAILS, AMORTIZED_COST_DETAILS, FOCUS_COSTS)

    def plan(self, landing: Landing) -> LoadPlan:
        """Groups files by export and period and keeps the newest run of each."""
        plan = LoadPlan()
        runs: dict[tuple[str, str], dict[str, list[LandingFile]]] = defaultdict(lambda: defaultdict(list))
        for file in landing.list_files(SLUG):
            match = _LAYOUT.match(file.key.removeprefix(f"{SLUG}/"))
            if not match:
                plan.ignored.append((file, "not in the export layout <export>/<YYYYMMDD-YYYYMMDD>/[<run>/]<file>"))
                continue
            rest = PurePosixPath(match["rest"])
            run = rest.parts[0] if len(rest.parts) > 1 else ""
            period = f"{match['start'][:4]}-{match['start'][4:]}"
            runs[(match["export"], period)][run].append(file)

        for (export, period), by_run in sorted(runs.items()):
            partition = f"{export}/{period}"
            manifests = {run: _read_manifest(files) for run, files in by_run.items()}
            current = max(by_run, key=lambda run: (manifests[run][0] if manifests[run] else "", run))
            for run, files in by_run.items():
                if run != current:
                    plan.ignored += [(f, f"superseded by run {current or '(top level)'} of {partition}") for f in files]
            files = by_run[current]
            manifest = manifests[current]
            dataset = dataset_from_name(export)
            delivery = current or files_delivery_id(files)
            data = [f for f in files if f.name != "manifest.json" and tabular_format(f.name)]
            plan.ignored += [
                (f, "not a data file of the export") for f in files if f.name != "manifest.json" and f not in data
            ]
            if manifest:
                _submitted, dataset_type, blobs, manifest_file, error = manifest
                if error:
                    planned = [self._planned(f, FOCUS_COSTS, partition, delivery, period) for f in data]
                    plan.rejected.append(
                        ([self._planned(manifest_file, FOCUS_COSTS, partition, delivery, period), *planned], error)
                    )
                    continue
                dataset = dataset_type or dataset
                listed = {PurePosixPath(b.name).name: b for b in blobs}
                plan.ignored += [
                    (f, f"not listed in the manifest of run {current}") for f in data if f.name not in listed
                ]
                data = [f for f in data if f.name in listed]
                missing = set(listed) - {f.name for f in data}
                if missing:
                    table = _DATASETS.get(dataset, ACTUAL_COST_DETAILS)
                    error = BadFileError(
                        manifest_file.key,
                        f"the manifest lists {len(missing)} file(s) not delivered: {', '.join(sorted(missing)[:3])}",
                    )
                    planned = [self._planned(f, table, partition, delivery, period) for f in data]
                    plan.rejected.append(
                        ([self._planned(manifest_file, table, partition, delivery, period), *planned], error)
                    )
                    continue
            table = _DATASETS.get(dataset)
            if table is None:
                plan.ignored += [(f, f"export type {dataset!r} is not a cost dataset") for f in data]
                continue
            rows = {name: blob.rows for name, blob in listed.items()} if manifest else {}
            plan.files += [
                replace(self._planned(f, table, partition, delivery, period), expected_rows=rows.get(f.name))
                for f in data
            ]
        return plan

    @staticmethod
    def _planned(file: LandingFile, table: RawTable, partition: str, delivery: str, period: str) -> PlannedFile:
        file_format = tabular_format(file.name) or "csv"
        column_map = None
        if table is not FOCUS_COSTS and file.name != "manifest.json":
            columns = _columns_of(file, file_format)
            column_map = cost_details_column_map(columns) if columns else None
            if column_map is not None and not column_map.renames:
                column_map = None
        return PlannedFile(
            file=file,
            table=table,
            format=file_format,
            partition=partition,
            delivery=delivery,
            billing_period=period,
            column_map=column_map,
        )

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Cost exports are read by DuckDB directly; there is no Python parser."""
        raise TypeError(f"{planned.file.key}: Azure cost exports are read by DuckDB, not parsed in Python")


def _columns_of(file: LandingFile, file_format: FileFormat) -> list[str]:
    try:
        if file_format == "parquet":
            return list(pq.read_schema(file.local_path).names)
        return csv_header(file)
    except (BadFileError, OSError, pa.ArrowInvalid):
        return []  # the loader reports the unreadable file with its line and reason


@dataclass(frozen=True)
class _Blob:
    """A file a run's manifest lists, with the row count it states (when it states one)."""

    name: str
    rows: int | None


def _read_manifest(
    files: list[LandingFile],
) -> tuple[str, str | None, list[_Blob], LandingFile, BadFileError | None] | None:
    """A run's manifest: (submitted time, dataset type, blobs, file, error), or None without one."""
    manifest_file = next((f for f in files if f.name == "manifest.json"), None)
    if manifest_file is None:
        return None
    try:
        doc = json.loads(manifest_file.local_path.read_text(encoding="utf-8-sig"))
        blobs = [_Blob(str(b["blobName"]), _count(b.get("dataRowCount"))) for b in doc["blobs"]]
        config = doc.get("exportConfig", {})
        submitted = str(doc.get("runInfo", {}).get("submittedTime", ""))
        return submitted, config.get("type"), blobs, manifest_file, None
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        error = BadFileError(manifest_file.key, f"manifest is not a Cost Management export manifest: {exc}")
        return "", None, [], manifest_file, error


def _count(value: object) -> int | None:
    """A count a manifest states, or ``None`` when it states none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise TypeError(f"expected a count, got {value!r}")
    return int(value)


SOURCE = SourceUnit(
    reader=AzureCostSource(),
    description=("Azure Cost Management exports (EA and MCA cost details, actual and amortized, and FOCUS)."),
    demo=demo.write,
    bench_reads=(("azure_cost/**/*.csv.gz", "read_csv"), ("azure_cost/**/*.parquet", "read_parquet")),
    demo_label="Azure actual-cost rows",
    billed_totals=BILLED_TOTALS,
)
