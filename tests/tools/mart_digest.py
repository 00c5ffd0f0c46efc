"""Digests of every table and view a build leaves in the warehouse's main schema, to prove a refactor changes nothing.

    python -m tests.tools.mart_digest WAREHOUSE [--chargeback CSV] [--write FILE | --compare FILE]

Each table's rows are rendered as text (column names included, so a rename shows) and hashed in sorted
order; columns that differ from one run to the next by design (load ids, load and detection times) are left
out. Two builds of the same inputs give the same digests, whatever DuckDB's thread scheduling.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

# Columns that name a load or a run, not the data: different on every build of the same inputs.
VOLATILE = (
    "_load_id",
    "_loaded_at",
    "loaded_at",
    "load_id",
    "rated_at",
    "first_rated_at",
    "restated_at",
    "catalogue_loaded_at",
    # when the run that first found an anomaly ran, and the hours from the anomaly's day to then
    "first_detected_at",
    "detection_lag_hours",
)


def table_digests(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    """Row count and a content digest per table and view of the main schema (views as they read now)."""
    digests: dict[str, dict[str, object]] = {}
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1"
        ).fetchall()
    ]
    for table in tables:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if r[0] not in VOLATILE
        ]
        selected = ", ".join(f'"{c}"' for c in columns)
        rows, digest = con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(row_text, chr(10) ORDER BY row_text), '')) "
            f'FROM (SELECT CAST(ROW({selected}) AS VARCHAR) AS row_text FROM main."{table}")'
        ).fetchone()
        digests[table] = {"rows": rows, "columns": columns, "digest": digest}
    return digests


def digests(warehouse: Path, chargeback: Path | None = None) -> dict[str, dict[str, object]]:
    """The digests of a warehouse file (opened read-only), and of a chargeback CSV's bytes when given."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = table_digests(con)
    finally:
        con.close()
    if chargeback is not None:
        data = chargeback.read_bytes()
        result["chargeback_csv"] = {"rows": data.count(b"\n"), "digest": hashlib.sha256(data).hexdigest()}
    return result


def differences(expected: dict[str, dict[str, object]], actual: dict[str, dict[str, object]]) -> list[str]:
    """What differs between two digest sets, one line per table."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            lines.append(f"{name}: missing")
        elif name not in expected:
            lines.append(f"{name}: new ({actual[name]['rows']} rows)")
        elif expected[name] != actual[name]:
            was, now = expected[name], actual[name]
            lines.append(f"{name}: rows {was['rows']} -> {now['rows']}, digest {was['digest']} -> {now['digest']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Prints, writes or compares the digests of a warehouse."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--chargeback", type=Path)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path)
    group.add_argument("--compare", type=Path)
    args = parser.parse_args(argv)
    actual = digests(args.warehouse, args.chargeback)
    if args.write:
        args.write.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
        return 0
    if args.compare:
        diff = differences(json.loads(args.compare.read_text()), actual)
        print("\n".join(diff) if diff else f"identical: {len(actual)} tables")
        return 1 if diff else 0
    json.dump(actual, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
