"""Readers turning one landing file into a typed SELECT over the raw-table contract.

Each reader returns SQL selecting exactly the contract columns (in contract order) plus ``_source_row``.
DuckDB does the reading, so large files stream in parallel and never pass through Python row by row.
Conversion errors are translated into ``BadFileError`` naming the file, line or record, and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Mapping

import duckdb
import pyarrow as pa

from pipelines.contracts import Column, RawTable
from pipelines.errors import BadFileError
from pipelines.landing import LandingFile
from pipelines.sources.base import ColumnMap

# Contract types that a text file carries as JSON text and a Parquet file as MAP, STRUCT or JSON.
_JSON_TYPES = {"JSON"}
_JSON_ERROR = re.compile(r'JSON \w+ error in file "[^"]*", in line (\d+): (.+)')


def sql_literal(value: str) -> str:
    """Quotes a string as a SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    """Quotes an identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_header(file: LandingFile) -> list[str]:
    """The column names of a CSV (optionally gzip) file's header line."""
    opener = gzip.open if file.key.endswith(".gz") else open
    try:
        with opener(file.local_path, "rt", encoding="utf-8", newline="") as fh:
            first = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BadFileError(file.key, f"cannot read the header: {exc}", line=1) from exc
    if not first.strip():
        raise BadFileError(file.key, "the file is empty (no header line)", line=1)
    return next(csv.reader(io.StringIO(first)))


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


def csv_select(file: LandingFile, table: RawTable, column_map: ColumnMap | None = None) -> str:
    """SQL reading a CSV (optionally gzip) file with the contract's types.

    Columns outside the contract are read as text and dropped; excluded columns (bodies) are never selected.

    Args:
        file: The file.
        table: Its raw contract.
        column_map: Renames and packed JSON columns, for files that name columns their own way.
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
    select = []
    for col in table.columns:
        if col.name in packed:
            select.append(f"{_packed_json(packed[col.name])} AS {sql_ident(col.name)}")
        elif col.name not in source_of:
            select.append(f"CAST(NULL AS {col.type}) AS {sql_ident(col.name)}")
        elif col.type in _JSON_TYPES:
            select.append(f"CAST({sql_ident(source_of[col.name])} AS JSON) AS {sql_ident(col.name)}")
        else:
            select.append(f"{sql_ident(source_of[col.name])} AS {sql_ident(col.name)}")
    return (
        f"SELECT {', '.join(select)}, row_number() OVER () AS _source_row "
        f"FROM read_csv({sql_literal(str(file.local_path))}, header = true, delim = ',', quote = '\"', "
        f"escape = '\"', auto_detect = false, nullstr = [{', '.join(sql_literal(n) for n in table.null_strings)}], "
        f"columns = {_struct_literal(read_types)})"
    )


def jsonl_select(file: LandingFile, table: RawTable) -> str:
    """SQL reading a JSON-lines file (optionally gzip) with the contract's types.

    Only contract columns are read: other keys, the excluded ones (bodies) among them, are never parsed
    into the warehouse. Nested objects of JSON columns stay JSON.
    """
    columns = {c.name: c.type for c in table.columns}
    select = ", ".join(sql_ident(c.name) for c in table.columns)
    return (
        f"SELECT {select}, row_number() OVER () AS _source_row "
        f"FROM read_json({sql_literal(str(file.local_path))}, format = 'newline_delimited', "
        f"columns = {_struct_literal(columns)}, timestampformat = 'auto')"
    )


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
) -> str:
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
    for file in files:
        try:
            described = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({sql_literal(str(file.local_path))})"
            ).fetchall()
        except duckdb.Error as exc:
            raise BadFileError(file.key, f"not a readable Parquet file: {_first_line(exc)}") from exc
        _check_required(file, table, [renames.get(row[0], row[0]) for row in described])
    paths = "[" + ", ".join(sql_literal(str(f.local_path)) for f in files) + "]"
    source = f"read_parquet({paths}, file_row_number = true, filename = true, union_by_name = true)"
    file_types = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    source_of = {renames.get(name, name): name for name in file_types}
    select = []
    for col in table.columns:
        if col.name in source_of:
            name = source_of[col.name]
            select.append(f"{_parquet_cast(Column(name, col.type), file_types[name])} AS {sql_ident(col.name)}")
        else:
            select.append(f"CAST(NULL AS {col.type}) AS {sql_ident(col.name)}")
    return f"SELECT {', '.join(select)}, file_row_number + 1 AS _source_row, filename AS _source_path FROM {source}"


def locate_parquet_error(
    con: duckdb.DuckDBPyConnection, file: LandingFile, table: RawTable, column_map: ColumnMap | None = None
) -> BadFileError:
    """Finds the first record and column of a Parquet file that does not convert to the contract."""
    renames = dict(column_map.renames) if column_map else {}
    source = f"read_parquet({sql_literal(str(file.local_path))}, file_row_number = true)"
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


def arrow_select(name: str) -> str:
    """SQL selecting a registered Arrow table (already shaped to the contract by its parser)."""
    return f"SELECT * FROM {sql_ident(name)}"


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


def bad_file_from_duckdb(file: LandingFile, exc: duckdb.Error) -> BadFileError:
    """Translates a DuckDB read error into a ``BadFileError`` with line and column when DuckDB gives them."""
    text = str(exc)
    json_error = _JSON_ERROR.search(text)
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
