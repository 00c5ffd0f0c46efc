"""Readers turning one landing file into a typed SELECT over the raw-table contract.

Each reader returns SQL selecting exactly the contract columns (in contract order) plus ``_source_row``.
DuckDB does the reading, so large files stream in parallel and never pass through Python row by row.
Conversion errors are translated into ``BadFileError`` naming the file, line or record, and column.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from pipelines.landing import LandingFile
from pipelines.load.contracts import Column, RawTable
from pipelines.load.errors import BadFileError
from pipelines.sources.base import ColumnMap

# Contract types that a text file carries as JSON text and a Parquet file as MAP, STRUCT or JSON.
_JSON_TYPES = {"JSON"}
_JSON_ERROR = re.compile(r'JSON \w+ error in file "[^"]*", in line (\d+): (.+)')
_MALFORMED_JSON = re.compile(r'Malformed JSON in file "[^"]*", at byte \d+ in line (\d+): (.+)')
# DuckDB reads a path holding any of these as a glob pattern (``[1-3]``, ``*``, ``{a,b}``), even a real file
# name: such paths are read through an alias instead.
_GLOB_CHARACTERS = frozenset("*?[]{}\\")
_SAFE_SUFFIX = re.compile(r"(\.[A-Za-z0-9]+)+$")
_aliases: Path | None = None


class Selection(NamedTuple):
    """SQL reading one or more files as a contract, and the columns each file carries (for drift).

    Attributes:
        sql: SELECT of the contract columns plus ``_source_row`` (and ``_source_path`` for Parquet).
        columns: Landing key -> the column names as the file has them.
    """

    sql: str
    columns: dict[str, list[str]]


def duckdb_path(path: Path) -> str:
    """The path DuckDB should open for a file: itself, or an alias when its name looks like a glob pattern.

    DuckDB has no way to escape pattern characters in a path, and a valid export named
    ``spend_logs_2026-10-1*.parquet`` must neither read thirteen other files nor be read as "no file": such
    a file is opened through a symbolic link with a plain name (same extensions) in a private folder.
    """
    text = str(path)
    if not _GLOB_CHARACTERS.intersection(text):
        return text
    global _aliases
    if _aliases is None:
        _aliases = Path(tempfile.mkdtemp(prefix="aicost-read-"))
        atexit.register(shutil.rmtree, _aliases, ignore_errors=True)
    suffix = _SAFE_SUFFIX.search(path.name)
    alias = _aliases / (hashlib.sha256(text.encode()).hexdigest()[:24] + (suffix.group(0) if suffix else ""))
    if not alias.is_symlink():
        os.symlink(path, alias)
    return str(alias)


def _open_text(file: LandingFile) -> io.TextIOBase:
    """The file as text (gzip decompressed), UTF-8 with an optional byte-order mark."""
    if file.key.endswith(".gz"):
        return gzip.open(file.local_path, "rt", encoding="utf-8-sig", newline="")
    return open(file.local_path, encoding="utf-8-sig", newline="")


def _open_bytes(file: LandingFile) -> io.BufferedIOBase:
    if file.key.endswith(".gz"):
        return gzip.open(file.local_path, "rb")
    return open(file.local_path, "rb")


def locate_invalid_utf8(file: LandingFile) -> BadFileError | None:
    """The line and byte of the first byte sequence that is not UTF-8, or ``None`` when the file is UTF-8.

    Reads the (decompressed) file in chunks, so a latin-1 byte deep in a large export is named exactly.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    try:
        with _open_bytes(file) as fh:
            while chunk := fh.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    # The decoder may hold back an incomplete sequence from the previous chunk.
                    pending = len(decoder.getstate()[0]) if exc.start == 0 else 0
                    bad = max(exc.start - pending, 0)
                    line += chunk[:bad].count(b"\n")
                    return BadFileError(
                        file.key,
                        f"not UTF-8 text: byte 0x{chunk[bad]:02x} at byte {offset + bad + 1} of the file "
                        "(export the file as UTF-8)",
                        line=line,
                    )
                line += chunk.count(b"\n")
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return BadFileError(file.key, "not UTF-8 text: the file ends inside a multi-byte character", line=line)
    except (OSError, EOFError, zlib.error) as exc:
        return BadFileError(file.key, f"cannot be decompressed: {exc}")
    return None


def sql_literal(value: str) -> str:
    """Quotes a string as a SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """Quotes an identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_header(file: LandingFile) -> list[str]:
    """The column names of a CSV (optionally gzip) file's header line.

    A UTF-8 byte-order mark (Azure and Excel write one) is not part of the first name, and names are
    stripped of surrounding blanks.
    """
    try:
        with _open_text(file) as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise locate_invalid_utf8(file) or BadFileError(file.key, f"cannot read the header: {exc}", line=1) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise BadFileError(file.key, f"cannot read the header: {exc}", line=1) from exc
    if not first.strip():
        raise BadFileError(file.key, "the file is empty (no header line)", line=1)
    return [name.strip() for name in next(csv.reader(io.StringIO(first)))]


def csv_records(file: LandingFile) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every record after the header, read by Python's csv module.

    The fallback for files DuckDB's CSV reader refuses although they are well-formed CSV (a real MCA
    export with quotes its state machine rejects, say). Line numbers are those of the record's first line.

    Raises:
        BadFileError: Not UTF-8, not decompressable, or a record whose field count differs from the header.
    """
    start = 1
    try:
        with _open_text(file) as fh:
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            width = len(header or [])
            start = reader.line_num + 1
            for fields in reader:
                if fields and len(fields) != width:
                    raise BadFileError(file.key, f"{len(fields)} fields where the header has {width}", line=start)
                if fields:
                    yield start, fields
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise locate_invalid_utf8(file) or BadFileError(file.key, f"not UTF-8 text: {exc}") from exc
    except csv.Error as exc:
        raise BadFileError(file.key, f"not valid CSV: {exc}", line=start) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise BadFileError(file.key, f"cannot be decompressed: {exc}") from exc


def _check_required(file: LandingFile, table: RawTable, present: Iterable[str]) -> None:
    present = set(present)
    missing = [c.name for c in table.columns if c.required and c.name not in present]
    if missing:
        raise BadFileError(
            file.key,
            f"required column(s) missing: {', '.join(missing)} (expected the {table.qualified_name} contract)",
            line=1,
            column=missing[0],
        )


def _struct_literal(mapping: dict[str, str]) -> str:
    return "{" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in mapping.items()) + "}"


def _null_if(ident: str, null_strings: tuple[str, ...]) -> str:
    """SQL turning a text column's null markers (``''``, ``NULL``) into NULL."""
    markers = ", ".join(sql_literal(n) for n in null_strings)
    return f"CASE WHEN {ident} IN ({markers}) THEN NULL ELSE {ident} END"


def csv_select(
    file: LandingFile, table: RawTable, column_map: ColumnMap | None = None, registered: str | None = None
) -> Selection:
    """SQL reading a CSV (optionally gzip) file with the contract's types.

    Columns outside the contract are read as text and dropped; excluded columns (bodies) are never selected.

    Args:
        file: The file.
        table: Its raw contract.
        column_map: Renames and packed JSON columns, for files that name columns their own way.
        registered: Name of an Arrow table of the file's records as text (``csv_records``), registered on
            the connection, to read instead of the file: the fallback for CSV DuckDB's reader refuses.
    """
    header = csv_header(file)
    renames = dict(column_map.renames) if column_map else {}
    packed = dict(column_map.packed) if column_map else {}
    contract = {c.name: c for c in table.columns}
    as_contract = {name: renames.get(name, name) for name in header}
    _check_required(file, table, [*as_contract.values(), *packed])
    read_types = {
        name: (
            contract[target].type
            if target in contract and contract[target].type not in _JSON_TYPES and target not in packed
            else "VARCHAR"
        )
        for name, target in as_contract.items()
    }
    source_of = {target: name for name, target in as_contract.items() if target in contract}

    def column(name: str) -> str:
        if registered is None:
            return sql_ident(name)
        # the fallback reads text: null markers and types as DuckDB's reader would apply them
        text = _null_if(sql_ident(name), table.null_strings)
        return text if read_types[name] == "VARCHAR" else f"CAST({text} AS {read_types[name]})"

    select = []
    for col in table.columns:
        if col.name in packed:
            select.append(f"{_packed_json(packed[col.name])} AS {sql_ident(col.name)}")
        elif col.name not in source_of:
            select.append(f"CAST(NULL AS {col.type}) AS {sql_ident(col.name)}")
        elif col.type in _JSON_TYPES:
            select.append(f"CAST({column(source_of[col.name])} AS JSON) AS {sql_ident(col.name)}")
        else:
            select.append(f"{column(source_of[col.name])} AS {sql_ident(col.name)}")
    if registered is not None:
        sql = f"SELECT {', '.join(select)}, _source_row FROM {sql_ident(registered)}"
    else:
        sql = (
            f"SELECT {', '.join(select)}, row_number() OVER () AS _source_row "
            f"FROM read_csv({sql_literal(duckdb_path(file.local_path))}, hive_partitioning = false, "
            f"header = true, delim = ',', quote = '\"', "
            f"escape = '\"', auto_detect = false, "
            f"nullstr = [{', '.join(sql_literal(n) for n in table.null_strings)}], "
            f"columns = {_struct_literal(read_types)})"
        )
    return Selection(sql, {file.key: header})


def csv_line_of_record(file: LandingFile, record: int) -> int:
    """The line a CSV record (1 = the first after the header) starts on: quoted fields can span lines."""
    try:
        for number, (line, _) in enumerate(csv_records(file), start=1):
            if number == record:
                return line
    except BadFileError:
        pass  # Python's csv reads the file differently: the record's number is the best guess
    return record + 1


def csv_records_arrow(file: LandingFile, batch_rows: int = 100_000) -> tuple[pa.Table, array[int]]:
    """The file's records as an Arrow table of text (header names, ``_source_row`` = record number).

    Records are converted in batches, so a large export never sits in memory as Python objects.

    Returns:
        The table and the line number of each record (for error messages).
    """
    header = csv_header(file)
    schema = pa.schema([*(pa.field(name, pa.string()) for name in header), pa.field("_source_row", pa.int64())])
    batches: list[pa.RecordBatch] = []
    lines: array[int] = array("q")
    columns: list[list[str]] = [[] for _ in header]

    def flush() -> None:
        first = len(lines) - len(columns[0]) + 1 if header else len(lines) + 1
        arrays = [pa.array(values, pa.string()) for values in columns]
        arrays.append(pa.array(range(first, len(lines) + 1), pa.int64()))
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
        for values in columns:
            values.clear()

    for line, fields in csv_records(file):
        lines.append(line)
        for values, value in zip(columns, fields, strict=True):
            values.append(value)
        if len(columns[0]) >= batch_rows:
            flush()
    if not header or columns[0] or not batches:
        flush()
    return pa.Table.from_batches(batches, schema=schema), lines


def jsonl_select(file: LandingFile, table: RawTable) -> Selection:
    """SQL reading a JSON-lines file (optionally gzip) with the contract's types.

    Only contract columns are read: other keys, the excluded ones (bodies) among them, are never parsed
    into the warehouse. Nested objects of JSON columns stay JSON.
    """
    columns = {c.name: c.type for c in table.columns}
    select = ", ".join(sql_ident(c.name) for c in table.columns)
    sql = (
        f"SELECT {select}, row_number() OVER () AS _source_row "
        f"FROM read_json({sql_literal(duckdb_path(file.local_path))}, hive_partitioning = false, "
        "format = 'newline_delimited', "
        f"columns = {_struct_literal(columns)}, timestampformat = 'auto')"
    )
    return Selection(sql, {})


def _packed_json(keys: Mapping[str, str]) -> str:
    """A JSON object of the non-empty values of several text columns (NULL when all are empty)."""
    if not keys:
        return "CAST(NULL AS JSON)"
    entries = ", ".join(f"{{'k': {sql_literal(k)}, 'v': {sql_ident(col)}}}" for k, col in sorted(keys.items()))
    kept = f"list_filter([{entries}], lambda e: coalesce(e.v, '') <> '')"
    return f"CASE WHEN len({kept}) > 0 THEN CAST(to_json(map_from_entries({kept})) AS JSON) END"


def _parquet_cast(col: Column, file_type: str) -> str:
    ident = sql_ident(col.name)
    if col.type in _JSON_TYPES:
        if file_type.startswith(("MAP", "STRUCT")) or file_type.endswith("[]"):
            return f"to_json({ident})"
        return f"CAST({ident} AS JSON)"
    return f"CAST({ident} AS {col.type})"


def parquet_select(
    con: duckdb.DuckDBPyConnection, files: list[LandingFile], table: RawTable, column_map: ColumnMap | None = None
) -> Selection:
    """SQL reading Parquet files in one parallel scan, casting each contract column to its contract type.

    Every file is checked for the contract's required columns first (from its metadata only). The rows
    carry ``_source_row`` (record number in their file) and ``_source_path`` (the local path read), so a
    caller can attach per-file lineage with a join.

    Args:
        con: Connection to describe the files with.
        files: Parquet files of one table.
        table: The raw contract.
        column_map: Renames of file columns to contract columns (``packed`` is for CSV only).
    """
    renames = dict(column_map.renames) if column_map else {}
    file_columns: dict[str, list[str]] = {}
    for file in files:
        try:
            described = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({sql_literal(duckdb_path(file.local_path))}, "
                "hive_partitioning = false)"
            ).fetchall()
        except duckdb.Error as exc:
            raise BadFileError(file.key, f"not a readable Parquet file: {_first_line(exc)}") from exc
        file_columns[file.key] = [row[0] for row in described]
        _check_required(file, table, [renames.get(row[0], row[0]) for row in described])
    paths = "[" + ", ".join(sql_literal(duckdb_path(f.local_path)) for f in files) + "]"
    # A delivery folder named BILLING_PERIOD=2026-10 is not a column of the file: no hive partitioning.
    source = (
        f"read_parquet({paths}, file_row_number = true, filename = true, union_by_name = true, "
        "hive_partitioning = false)"
    )
    file_types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    source_of = {renames.get(name, name): name for name in file_types}
    select = []
    for col in table.columns:
        if col.name in source_of:
            name = source_of[col.name]
            select.append(f"{_parquet_cast(Column(name, col.type), file_types[name])} AS {sql_ident(col.name)}")
        else:
            select.append(f"CAST(NULL AS {col.type}) AS {sql_ident(col.name)}")
    return Selection(
        f"SELECT {', '.join(select)}, file_row_number + 1 AS _source_row, filename AS _source_path FROM {source}",
        file_columns,
    )


def locate_parquet_error(
    con: duckdb.DuckDBPyConnection, file: LandingFile, table: RawTable, column_map: ColumnMap | None = None
) -> BadFileError:
    """Finds the first record and column of a Parquet file that does not convert to the contract."""
    renames = dict(column_map.renames) if column_map else {}
    source = (
        f"read_parquet({sql_literal(duckdb_path(file.local_path))}, file_row_number = true, hive_partitioning = false)"
    )
    file_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    source_of = {renames.get(name, name): name for name in file_types}
    for col in table.columns:
        if col.name not in source_of or col.type in _JSON_TYPES:
            continue
        ident = sql_ident(source_of[col.name])
        row = con.execute(
            f"SELECT file_row_number + 1, CAST({ident} AS VARCHAR) FROM {source} "
            f"WHERE {ident} IS NOT NULL AND TRY_CAST({ident} AS {col.type}) IS NULL "
            "ORDER BY file_row_number LIMIT 1"
        ).fetchone()
        if row:
            return BadFileError(file.key, f"value {row[1]!r} is not a valid {col.type}", line=row[0], column=col.name)
    return BadFileError(file.key, "the file does not convert to the raw contract")


# Schema metadata key under which a source's parser may list the field names a file used (for drift).
PARSED_FIELDS_METADATA = "aicost.fields"


def arrow_select(name: str) -> str:
    """SQL selecting a registered Arrow table (already shaped to the contract by its parser)."""
    return f"SELECT * FROM {sql_ident(name)}"


def parsed_fields(parsed: pa.Table) -> list[str] | None:
    """The field names a parser saw in its file (``PARSED_FIELDS_METADATA``), when it reports them."""
    listed = (parsed.schema.metadata or {}).get(PARSED_FIELDS_METADATA.encode())
    return None if listed is None else list(json.loads(listed))


def contract_arrow_schema(table: RawTable) -> pa.Schema:
    """The Arrow schema matching a contract, plus ``_source_row`` (for Python-parsed formats)."""
    fields = [pa.field(c.name, _arrow_type(c.type)) for c in table.columns]
    return pa.schema([*fields, pa.field("_source_row", pa.int64())])


def _arrow_type(duck_type: str) -> pa.DataType:
    t = duck_type.upper().replace(" ", "")
    if t.startswith("DECIMAL"):
        precision, scale = (int(x) for x in t[len("DECIMAL(") : -1].split(","))
        return pa.decimal128(precision, scale)
    return {
        "VARCHAR": pa.string(),
        "JSON": pa.string(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
        "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
        "TIMESTAMP": pa.timestamp("us"),
        "DATE": pa.date32(),
    }[t]


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COLUMN = re.compile(r'(?:converting column|column) "([^"]+)"')
_CONVERT = re.compile(r"(Could not convert [^\n]*?)(?:\n|$)")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def is_csv_parser_error(exc: duckdb.Error) -> bool:
    """Whether DuckDB's CSV reader failed on the file's layout (not on a value, the encoding or compression).

    Such files may still be valid CSV that DuckDB's state machine rejects; Python's csv module reads them.
    """
    text = str(exc)
    lowered = text.lower()
    return (
        "csv" in lowered
        and _CONVERT.search(text) is None
        and "unicode" not in lowered
        and "utf-8" not in lowered
        and "gzip" not in lowered
    )


def bad_file_from_duckdb(file: LandingFile, exc: duckdb.Error) -> BadFileError:
    """Translates a DuckDB read error into a ``BadFileError`` with line and column when DuckDB gives them."""
    text = str(exc)
    lowered = text.lower()
    if "unicode" in lowered or "utf-8" in lowered or "utf8" in lowered:
        located = locate_invalid_utf8(file)
        if located is not None:
            return located
    if "gzip" in lowered or "zlib" in lowered:
        return BadFileError(file.key, f"cannot be decompressed (truncated or corrupt gzip): {_first_line(exc)}")
    json_error = _JSON_ERROR.search(text) or _MALFORMED_JSON.search(text)
    if json_error:
        # DuckDB names the local path (a download folder, say): the landing key says it better
        return BadFileError(file.key, json_error.group(2).strip(), line=int(json_error.group(1)))
    line_match = _CSV_LINE.search(text)
    column_match = _CSV_COLUMN.search(text)
    convert = _CONVERT.search(text)
    if convert:
        reason = convert.group(1).rstrip(".")
    else:
        lines = [
            ln.strip()
            for ln in text.splitlines()
            if ln.strip() and not ln.startswith(("Original Line", "  ", "Possible"))
        ]
        reason = next((ln for ln in lines if not _CSV_LINE.search(ln)), lines[0] if lines else "unreadable")
        reason = re.sub(r"^[A-Za-z ]+Error: ", "", reason)
    return BadFileError(
        file.key,
        reason,
        line=int(line_match.group(1)) if line_match else None,
        column=column_match.group(1) if column_match else None,
    )


def locate_text_conversion_error(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    table: RawTable,
    column_map: ColumnMap | None,
    registered: str,
    lines: list[int],
) -> BadFileError:
    """The first record and column of a file read as text (the CSV fallback) whose value does not convert."""
    header = csv_header(file)
    renames = dict(column_map.renames) if column_map else {}
    contract = {c.name: c for c in table.columns}
    for name in header:
        target = renames.get(name, name)
        if target not in contract or contract[target].type in _JSON_TYPES or contract[target].type == "VARCHAR":
            continue
        text = _null_if(sql_ident(name), table.null_strings)
        row = con.execute(
            f"SELECT _source_row, {sql_ident(name)} FROM {sql_ident(registered)} "
            f"WHERE {text} IS NOT NULL AND TRY_CAST({text} AS {contract[target].type}) IS NULL "
            "ORDER BY _source_row LIMIT 1"
        ).fetchall()
        if row:
            record, value = row[0]
            return BadFileError(
                file.key,
                f"value {value!r} is not a valid {contract[target].type}",
                line=lines[record - 1],
                column=name,
            )
    return BadFileError(file.key, "the file does not convert to the raw contract")
