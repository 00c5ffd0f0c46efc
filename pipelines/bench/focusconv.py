"""The FinOps Foundation's ``focus-converter`` (1.0.0) on a CUR 2.0 export: its input, its run, its output.

The converter cannot read CUR 2.0's MAP columns (``product``, ``resource_tags``, ``cost_category``, ...). AWS's
migration guide for CUR 2.0 consumers flattens them back into one column per key (``product['region']`` ->
``product_region``, the CUR 1 layout the converter's ``aws`` plans read), which is what ``flatten_cur`` does;
every line and every other column is kept as it is. The ``aws`` plans also read four CUR 2.0 columns the
demo's export leaves out (AWS omits columns an account never fills); they are added as typed NULLs, since
the converter stops on any missing column.

The converter hangs instead of exiting when it fails (its writer processes wait for ever), so it always runs
under a timeout (``measure.run_measured``).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.bench.measure import Measured, run_measured

# Columns the converter's "aws" plans read that a CUR 2.0 export may leave out: (name, DuckDB type).
CONVERTER_COLUMNS = (
    ("pricing_rate_code", "VARCHAR"),
    ("pricing_rate_id", "VARCHAR"),
    ("product_sku", "VARCHAR"),
    ("reservation_total_reserved_units", "DOUBLE"),
)

CONVERTER_TIMEOUT_SECONDS = 900


def _column_name(prefix: str, key: str) -> str:
    return f"{prefix}_{re.sub(r'[^0-9a-z]+', '_', key.lower()).strip('_')}"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def flatten_cur(files: list[Path], target: Path) -> int:
    """Writes the CUR 2.0 Parquet ``files`` as one flat Parquet file the converter can read.

    Args:
        files: The delivery's data files.
        target: Parquet file to write.

    Returns:
        Lines written (every line of ``files``).
    """
    source = f"read_parquet({[str(f) for f in files]}, hive_partitioning = false)"
    with duckdb.connect() as con:
        schema = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        names = {name for name, *_ in schema}
        maps = [name for name, dtype, *_ in schema if dtype.startswith("MAP(")]
        flat = []
        for column in maps:
            keys = con.execute(
                f"SELECT DISTINCT k FROM (SELECT unnest(map_keys({_quote(column)})) AS k FROM {source}) ORDER BY k"
            ).fetchall()
            for (key,) in keys:
                name = _column_name(column, key)
                if name not in names:  # a flat column of that name wins (CUR 2.0 has product_region_code, ...)
                    flat.append(f"{_quote(column)}[{_literal(key)}] AS {_quote(name)}")
                    names.add(name)
        missing = [f"NULL::{dtype} AS {name}" for name, dtype in CONVERTER_COLUMNS if name not in names]
        exclude = f"EXCLUDE ({', '.join(_quote(m) for m in maps)})" if maps else ""
        select = ", ".join([f"* {exclude}", *flat, *missing])
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT {select} FROM {source}) TO '{target}' (FORMAT parquet, COMPRESSION snappy)")
        return con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]


def run_converter(converter: Path, flat: Path, out_dir: Path, log: Path) -> tuple[Measured, int]:
    """Converts the flattened CUR with ``focus-converter convert --provider aws``; returns how it ran and its rows.

    Args:
        converter: The ``focus-converter`` executable (in its own virtualenv).
        flat: Flattened CUR Parquet file (``flatten_cur``).
        out_dir: Folder for its FOCUS Parquet output.
        log: File receiving its output.

    Returns:
        The measured run and the rows it wrote (0 when it failed or timed out).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(converter),
        "convert",
        "--provider",
        "aws",
        "--data-path",
        str(flat),
        "--data-format",
        "parquet",
        "--parquet-data-format",
        "file",
        "--export-path",
        f"{out_dir}/",
        "--export-format",
        "parquet",
    ]
    measured = run_measured(cmd, cwd=out_dir.parent, log=log, timeout=CONVERTER_TIMEOUT_SECONDS)
    outputs = sorted(out_dir.rglob("*.parquet"))
    if measured.exit_code != 0 or not outputs:
        return measured, 0
    with duckdb.connect() as con:
        rows = con.execute("SELECT count(*) FROM read_parquet(?)", [[str(p) for p in outputs]]).fetchone()[0]
    return measured, rows
