"""The benchmark's preparation steps and its reference load, each run in a process of its own.

Running them apart keeps the harness process small (the generator and DuckDB hold gigabytes at large scales)
and measures each one's wall time and peak memory the same way as the ``aicost run`` it prepares.
``python -m pipelines.bench --stage <name> --args <json>`` runs one and prints its result as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def generate(landing: str, scale: float, seed: int, month: str) -> dict[str, Any]:
    """Writes the demo month; returns the model calls and the rows written per source."""
    from pipelines.demo.generate import DemoOptions, generate

    summary = generate(DemoOptions(landing=Path(landing), scale=scale, seed=seed, month=month))
    return {"calls": summary.calls, "rows": summary.rows}


def next_day(landing: str, scale: float, seed: int, month: str) -> dict[str, Any]:
    """Adds the day after the month of gateway, OTel and outcome files; returns the rows per source."""
    from pipelines.demo.deliveries import write_next_day

    return {"rows": write_next_day(Path(landing), scale=scale, seed=seed, month=month)}


def restate(landing: str, month: str) -> dict[str, Any]:
    """Re-delivers the month's CUR restated; returns its lines, the changed ones and the delivery ids."""
    from pipelines.demo.deliveries import restate_cur_month

    deliveries = restate_cur_month(Path(landing), month)
    return {
        "lines": sum(d.lines for d in deliveries),
        "changed": sum(d.changed for d in deliveries),
        "execution_ids": [d.execution_id for d in deliveries],
        "previous_execution_ids": [d.previous_execution_id for d in deliveries],
    }


def cur_only(landing: str, lines: int, scale: float, seed: int, month: str) -> dict[str, Any]:
    """Writes a landing holding only the month's CUR, cut to ``lines``; returns the lines written."""
    from pipelines.demo.deliveries import write_cur_only

    return {"lines": write_cur_only(Path(landing), lines, scale=scale, seed=seed, month=month)}


def flatten(landing: str, target: str) -> dict[str, Any]:
    """Flattens the landing's CUR 2.0 Parquet files for the converter; returns the lines written."""
    from pipelines.bench.focusconv import flatten_cur

    files = sorted(Path(landing).glob("aws_cur/*/data/*/*.parquet"))
    return {"lines": flatten_cur(files, Path(target))}


def irreducible(landing: str, warehouse: str, match: str = "") -> dict[str, Any]:
    """DuckDB reading the landing's files straight into tables: no typing, lineage, models or checks.

    Args:
        landing: Landing folder.
        warehouse: Scratch DuckDB file to write (a fresh one).
        match: Read only files whose name contains this (the extra day's date); all files when empty.

    Returns:
        Rows read in total and per (source, reader).
    """
    import duckdb

    from pipelines.sources.registry import SOURCES

    root = Path(landing)
    rows = {}
    with duckdb.connect(warehouse) as con:
        con.execute("SET memory_limit = '3GB'")
        con.execute("SET enable_progress_bar = false")
        for unit in SOURCES.values():
            for n, (pattern, reader) in enumerate(unit.bench_reads):
                paths = sorted(str(p) for p in root.glob(pattern) if match in p.name)
                if paths:
                    name = f"{unit.slug}_{n}"
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {reader}(?)", [paths])
                    rows[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    return {"rows": sum(rows.values()), "detail": rows}


STAGES = {
    "generate": generate,
    "next-day": next_day,
    "restate": restate,
    "cur-only": cur_only,
    "flatten": flatten,
    "irreducible": irreducible,
}


def run_stage(name: str, args_json: str) -> None:
    """Runs stage ``name`` with the keyword arguments in ``args_json``; prints its result as one JSON line."""
    print(json.dumps(STAGES[name](**json.loads(args_json)), default=str))
