"""Amazon Bedrock model invocation logs: one JSON record per model call, as Bedrock delivers them.

Layout: ``bedrock_invocation_logs/**/*.json|*.jsonl|*.log`` or any ``*.gz``, e.g. the S3 delivery
``AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/<file>.json.gz`` copied as it is, or a
CloudWatch Logs export task's objects (``<task>/<stream>/000000.gz``, each line ``<timestamp> <record>``). Each record is a ``ModelInvocationLog``
(schema version 1.0): ``timestamp``, ``accountId``, ``identity.arn``, ``region``, ``requestId``,
``operation``, ``modelId``, ``input.inputTokenCount``, ``input.cacheRead/WriteInputTokenCount``,
``output.outputTokenCount``, and Converse's ``requestMetadata``. The prompt and response bodies
(``input.inputBodyJson`` / ``output.outputBodyJson``, their text and S3-path variants) are never extracted or
stored; record fields the contract does not know are reported as schema drift (names only). A file
rewritten replaces its previous version; the same request id in two files counts once.

Imports: ``pipelines.sources.base``; ``pipelines.load`` (contracts, errors, readers); ``pipelines.landing``;
``pipelines.demo.world`` (``demo.py`` only). No other source, no registry, no ``orchestration``.
"""

from __future__ import annotations

import json
from datetime import datetime

import pyarrow as pa

from pipelines.landing import Landing
from pipelines.load.errors import BadFileError
from pipelines.load.readers import PARSED_FIELDS_METADATA, contract_arrow_schema
from pipelines.sources.base import LoadOptions, LoadPlan, PlannedFile, SourceUnit
from pipelines.sources.bedrock_invocation_logs import demo
from pipelines.sources.bedrock_invocation_logs.schema import BODY_FIELDS, FIELDS, INVOCATIONS, TOKEN_COLUMNS
from pipelines.sources.files import decoded_text

SLUG = "bedrock_invocation_logs"
_SUFFIXES = (".json", ".jsonl", ".log")
_RECORD_TYPE = "ModelInvocationLog"


class BedrockInvocationLogsSource:
    """The ``bedrock_invocation_logs`` source: model invocation log files."""

    slug = SLUG
    tables = (INVOCATIONS,)

    def plan(self, landing: Landing) -> LoadPlan:
        """Every log file (gzip allowed) is one partition."""
        plan = LoadPlan()
        for file in landing.list_files(SLUG):
            # a CloudWatch Logs export task names its objects <task>/<stream>/000000.gz
            if not (file.name.endswith(".gz") or file.name.endswith(_SUFFIXES)):
                plan.ignored.append((file, "not an invocation log file (.json, .jsonl, .log or any .gz)"))
                continue
            plan.files.append(PlannedFile(file=file, table=INVOCATIONS, format="json", partition=file.key))
        return plan

    def parse(self, planned: PlannedFile, options: LoadOptions) -> pa.Table:
        """Reads every record's usage and identity fields, never its bodies."""
        text = decoded_text(planned)
        records = _Records(planned.file.key)
        for number, line in enumerate(text.splitlines(), start=1):
            records.add(number, line)
        return records.table()


def _fields(record: dict) -> set[str]:
    """The record's field names, one level into its objects (``input.inputTokenCount``)."""
    names = set(record)
    for name, value in record.items():
        if isinstance(value, dict) and name != "requestMetadata":
            names |= {f"{name}.{inner}" for inner in value}
    return names


def _path(record: dict, dotted: str) -> object:
    value: object = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class _Records:
    """Rows of one file, kept as columns."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.columns: dict[str, list[object]] = {c.name: [] for c in INVOCATIONS.columns}
        self.columns["_source_row"] = []
        self.seen: set[str] = set()

    def add(self, number: int, line: str) -> None:
        """Adds the record of one line (a CloudWatch export puts the event time before it)."""
        start = line.find("{")
        if start < 0:
            if line.strip():
                raise BadFileError(self.key, "not a JSON invocation log record", line=number)
            return
        try:
            record = json.loads(line[start:])
        except json.JSONDecodeError as exc:
            raise BadFileError(self.key, f"invalid JSON: {exc.msg} (column {exc.colno + start})", line=number) from exc
        if not isinstance(record, dict):
            raise BadFileError(self.key, "not a JSON invocation log record", line=number)
        record_type = record.get("schemaType", _RECORD_TYPE)
        if record_type != _RECORD_TYPE:
            # another kind of record in the same log group: not an invocation, reported as drift by its type
            self.seen.add(f"schemaType={record_type}")
            return
        self.seen |= _fields(record) - BODY_FIELDS
        row = {column: _path(record, field) for field, column in FIELDS.items()}
        for name in ("request_id", "invoked_at"):
            if row[name] in (None, ""):
                field = next(f for f, c in FIELDS.items() if c == name)
                raise BadFileError(self.key, f"a record needs {field}", line=number, column=field)
        try:
            row["invoked_at"] = datetime.fromisoformat(str(row["invoked_at"]))
        except ValueError:
            raise BadFileError(
                self.key, f"timestamp is not an ISO 8601 time: {row['invoked_at']!r}", line=number, column="timestamp"
            ) from None
        for column in TOKEN_COLUMNS:
            value = row[column]
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                field = next(f for f, c in FIELDS.items() if c == column)
                raise BadFileError(self.key, f"{field} must be an integer, got {value!r}", line=number, column=field)
        metadata = row["request_metadata"]
        row["request_metadata"] = (
            json.dumps(metadata, sort_keys=True, separators=(",", ":")) if isinstance(metadata, dict) else None
        )
        for name in ("request_id", "account_id", "region", "identity_arn", "operation", "model_id"):
            row[name] = None if row[name] is None else str(row[name])
        row["_source_row"] = number
        for name, values in self.columns.items():
            values.append(row.get(name))

    def table(self) -> pa.Table:
        """The rows in the contract's Arrow schema, with the field names the file used (for drift)."""
        schema = contract_arrow_schema(INVOCATIONS)
        table = pa.Table.from_arrays([pa.array(self.columns[f.name], f.type) for f in schema], schema=schema)
        return table.replace_schema_metadata({PARSED_FIELDS_METADATA: json.dumps(sorted(self.seen))})


SOURCE = SourceUnit(
    reader=BedrockInvocationLogsSource(),
    description="Amazon Bedrock model invocation logs (one record per call, from S3 or CloudWatch; bodies never read).",
    demo=demo.write,
    bench_reads=(("bedrock_invocation_logs/**/*.json.gz", "read_json"),),
    demo_label="Bedrock invocation log records",
)
