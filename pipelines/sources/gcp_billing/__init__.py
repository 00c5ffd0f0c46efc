"""GCP Cloud Billing export (standard or detailed usage cost), from exported files or pulled from BigQuery.

Layouts (see README.md beside this file)::

    gcp_billing/<export>/invoice_month=YYYYMM/<run>/*.jsonl | *.json | *.parquet   (a run replaces the month)
    gcp_billing/<export>/invoice_month=YYYYMM/*.jsonl | *.parquet                 (the files are one delivery)
    gcp_billing/**/*.jsonl | *.parquet                                             (a folder's files: one delivery)

GCP restates rows late, so an invoice month is replaced as a whole: the newest run folder of a month (run
folders are named so that they sort by time, e.g. the export time of a BigQuery pull) is its delivery. Rows
are newline-delimited JSON as BigQuery exports them (nested records, repeated ``labels`` and ``credits``) or
Parquet with the same nesting; both are parsed in Python so that every amount is an exact decimal.

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load`` (``contracts``, ``errors``,
``readers``, ``manifest``); ``pipelines.landing``; ``pipelines.config`` (``pull.py``: the BigQuery pull's
settings and credentials); ``pipelines.demo.world`` and ``org`` (``demo.py`` only). ``google.cloud.bigquery``
is imported only when a pull runs (``bigquery.py``). No other source, no registry, no ``orchestration``.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.landing import Landing, LandingFile
from pipelines.load.contracts import EXTRA_FIELDS, MAX_DECIMAL
from pipelines.load.errors import BadFileError
from pipelines.load.readers import contract_arrow_schema, locate_invalid_utf8
from pipelines.sources.base import LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.files import files_delivery_id
from pipelines.sources.gcp_billing import demo
from pipelines.sources.gcp_billing.pull import pulled_landing
from pipelines.sources.gcp_billing.schema import COST_LINES, JSON_FIELDS, SCALAR_FIELDS
from pipelines.sources.gcp_billing.totals import BILLED_TOTALS

SLUG = "gcp_billing"
_MONTH = re.compile(r"^(?P<export>.+)/invoice_month=(?P<month>\d{6})/(?P<rest>.+)$")
_REQUIRED = {c.name for c in COST_LINES.columns if c.required and c.name != "credits_amount"}
_TYPES = {c.name: c.type for c in COST_LINES.columns}
_TWELVE_PLACES = Decimal("1e-12")
_LIMIT = Decimal(MAX_DECIMAL)


def _is_data_file(name: str) -> bool:
    return name.endswith((".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".parquet"))


class GcpBillingSource:
    """The ``gcp_billing`` source: one raw row per billing export row."""

    slug = SLUG
    tables = (COST_LINES,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Plans invoice months (newest run of each) and loose export files."""
        plan = LoadPlan()
        months: dict[tuple[str, str], dict[str, list[LandingFile]]] = defaultdict(lambda: defaultdict(list))
        loose: dict[str, list[LandingFile]] = defaultdict(list)
        for file in landing.list_files(SLUG):
            if not _is_data_file(file.name):
                plan.ignored.append((file, "not a billing export file (.jsonl, .json, .ndjson, .parquet)"))
                continue
            match = _MONTH.match(file.key.removeprefix(f"{SLUG}/"))
            if not match:
                loose[str(PurePosixPath(file.key).parent)].append(file)
                continue
            rest = PurePosixPath(match["rest"])
            run = rest.parts[0] if len(rest.parts) > 1 else ""
            months[(match["export"], match["month"])][run].append(file)
        # Files outside an invoice_month= folder: the files of one folder are one delivery (one export's
        # shards), so two shards of a month never compete as if they were two exports.
        for folder, files in sorted(loose.items()):
            delivery = files_delivery_id(files)
            plan.files += [
                PlannedFile(file=f, table=COST_LINES, format="python", partition=folder, delivery=delivery)
                for f in files
            ]
        for (export, month), runs in sorted(months.items()):
            current = max(runs)
            for run, files in runs.items():
                if run != current:
                    plan.ignored += [(f, f"superseded by run {current} of invoice month {month}") for f in files]
            files = runs[current]
            delivery = current or files_delivery_id(files)
            plan.files += [
                PlannedFile(
                    file=f,
                    table=COST_LINES,
                    format="python",
                    partition=f"{export}/{month}",
                    delivery=delivery,
                    billing_period=f"{month[:4]}-{month[4:]}",
                )
                for f in files
            ]
        return plan

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Parses a JSON-lines or Parquet export file into the contract's Arrow shape, amounts exact."""
        rows = [
            {**convert_row(planned.file.key, number, record), "_source_row": number}
            for number, record in _records(planned.file)
        ]
        return pa.Table.from_pylist(rows, schema=contract_arrow_schema(COST_LINES))


def _records(file: LandingFile) -> Iterator[tuple[int, dict]]:
    """(record number, record) of a file; JSON lines are numbered by line."""
    if file.name.endswith(".parquet"):
        try:
            table = pq.read_table(file.local_path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise BadFileError(file.key, f"not a readable Parquet file: {exc}") from exc
        for number, record in enumerate(table.to_pylist(), start=1):
            yield number, record
        return
    opener = gzip.open if file.name.endswith(".gz") else open
    try:
        with opener(file.local_path, "rt", encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line, parse_float=Decimal)
                except json.JSONDecodeError as exc:
                    raise BadFileError(file.key, f"not a JSON object: {exc.msg}", line=number) from exc
                if not isinstance(record, dict):
                    raise BadFileError(file.key, "not a JSON object", line=number)
                yield number, record
    except UnicodeDecodeError as exc:
        raise locate_invalid_utf8(file) or BadFileError(file.key, f"not UTF-8 text: {exc.reason}") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise BadFileError(file.key, f"cannot read the file (truncated or corrupt?): {exc}") from exc


def _field(record: dict, path: str) -> object:
    value: object = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float):
        # A FLOAT64 from Parquet or the BigQuery API: its shortest repr is the decimal BigQuery meant.
        value = repr(value)
    try:
        number = Decimal(value) if isinstance(value, Decimal | int | str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"expected a number, got {value!r}")
    if abs(number) >= _LIMIT:
        raise ValueError(f"value '{number}' is out of range (|x| >= {MAX_DECIMAL})")
    return number.quantize(_TWELVE_PLACES)


def _timestamp(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp, got {value!r}")
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _convert(column: str, value: object) -> object:
    kind = _TYPES[column]
    if kind.startswith("DECIMAL"):
        return _decimal(value)
    if kind == "TIMESTAMPTZ":
        return _timestamp(value)
    if isinstance(value, dict | list):
        raise ValueError(f"expected a scalar, got {type(value).__name__}")
    return str(value)


def convert_row(key: str, line: int, record: dict) -> dict[str, object]:
    """Flattens one billing export record into contract columns.

    Args:
        key: Landing key of the file (for error messages).
        line: Line or record number.
        record: The record as exported (nested records, repeated labels and credits).

    Returns:
        Column -> value, amounts as exact decimals (12 places), timestamps in UTC.

    Raises:
        BadFileError: A required field is missing or a value has the wrong type, with line and field.
    """
    row: dict[str, object] = {}
    for path, column in SCALAR_FIELDS.items():
        value = _field(record, path)
        if value is None:
            if column in _REQUIRED:
                raise BadFileError(key, f"required field {path} is missing", line=line, column=path)
            row[column] = None
            continue
        try:
            row[column] = _convert(column, value)
        except (ValueError, InvalidOperation) as exc:
            raise BadFileError(
                key, str(exc) if str(exc).startswith("value ") else f"{path}: {exc}", line=line, column=path
            ) from exc
    for path, column in JSON_FIELDS.items():
        value = _field(record, path)
        row[column] = None if value is None else json.dumps(value, default=str, sort_keys=True)
    credits = record.get("credits") or []
    if not isinstance(credits, list):
        raise BadFileError(key, "credits must be a list", line=line, column="credits")
    exact = []
    for index, credit in enumerate(credits):
        try:
            amount = _decimal(credit.get("amount") if isinstance(credit, dict) else None)
        except (ValueError, InvalidOperation) as exc:
            raise BadFileError(
                key, f"credits[{index}].amount: {exc}", line=line, column=f"credits[{index}].amount"
            ) from exc
        # Amounts as decimal text, so that dbt reads them exactly.
        exact.append({**credit, "amount": str(amount)})
    row["credits"] = json.dumps(exact, default=str, sort_keys=True) if exact else None
    row["credits_amount"] = sum((Decimal(c["amount"]) for c in exact), Decimal(0)).quantize(_TWELVE_PLACES)
    extra = _unknown_fields(record)
    row[EXTRA_FIELDS] = json.dumps(extra, default=str, sort_keys=True) if extra else None
    return row


# Every field path the contract reads, and the records that contain them.
_KNOWN_PATHS = frozenset({*SCALAR_FIELDS, *JSON_FIELDS, "credits"})
_KNOWN_RECORDS = frozenset(path.rsplit(".", 1)[0] for path in _KNOWN_PATHS if "." in path)


def _unknown_fields(record: dict, prefix: str = "") -> dict[str, object]:
    """Fields of a record (dotted paths) that the contract does not read: kept as drift, never dropped."""
    unknown: dict[str, object] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if path in _KNOWN_PATHS:
            continue
        if path in _KNOWN_RECORDS and isinstance(value, dict):
            unknown.update(_unknown_fields(value, f"{path}."))
        elif value is not None:
            unknown[path] = value
    return unknown


SOURCE = SourceUnit(
    reader=GcpBillingSource(),
    description=(
        "GCP Cloud Billing export (standard or detailed), from exported files or pulled from BigQuery by invoice month."
    ),
    demo=demo.write,
    bench_reads=(("gcp_billing/**/*.jsonl", "read_json"),),
    demo_label="GCP billing rows",
    billed_totals=BILLED_TOTALS,
    pull=pulled_landing,
)
