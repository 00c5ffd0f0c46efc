"""`make bench`: wall time, rows per second and peak memory per stage, against DuckDB's irreducible load.

Stages run in separate processes so that each one's peak memory (RSS, including the dbt process it
starts) is measured on its own:

* generate: the demo generator writes the landing files;
* load: the loader (checksums, manifest, typed reads, lineage) into ``raw_<slug>.*``;
* dbt: ``dbt build`` (seeds, models, tests);
* irreducible: DuckDB reading the same files straight into tables with no typing, lineage or models.

The target is load + dbt within 3x the irreducible cost, and every stage's peak under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, Settings


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux; children include the dbt process a stage starts.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _stage_generate(landing: Path, scale: float) -> dict:
    from pipelines.demo.generate import DemoOptions, generate

    summary = generate(DemoOptions(landing=landing, scale=scale))
    # rows written into the landing zone, every source's files together
    return {"rows": sum(summary.rows.values()), "detail": {"calls": summary.calls, **summary.rows}}


def _stage_load(landing: Path, warehouse: Path) -> dict:
    from pipelines.landing import open_landing
    from pipelines.load.loader import load_source
    from pipelines.pricing.catalogue import refresh_catalogue
    from pipelines.sources.registry import SOURCES
    from pipelines.warehouse import connect

    settings = Settings(landing=str(landing), warehouse=warehouse)
    rows = {}
    with connect(settings) as con:
        for slug, source in SOURCES.items():
            rows[slug] = load_source(con, source, open_landing(str(landing))).rows_loaded
        rows["prices"] = refresh_catalogue(con)[1]
    return {"rows": sum(rows.values()), "detail": rows}


def _stage_dbt(landing: Path, warehouse: Path) -> dict:
    settings = Settings(landing=str(landing), warehouse=warehouse)
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, **settings.dbt_env()}
    cmd = [str(dbt), "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    subprocess.run(cmd, env=env, check=True)
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = {
            t: con.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0]
            for t in (
                "focus_cost_and_usage",
                "fct_llm_requests",
                "fct_llm_usage_daily",
                "rpt_showback_daily",
                "rpt_chargeback_monthly",
            )
        }
    return {"rows": sum(rows.values()), "detail": rows}


def _stage_irreducible(landing: Path, warehouse: Path) -> dict:
    import duckdb

    from pipelines.sources.registry import SOURCES

    def files(pattern: str) -> list[str]:
        return sorted(str(p) for p in landing.glob(pattern))

    with duckdb.connect(str(warehouse)) as con:
        con.execute("SET memory_limit = '3GB'")
        rows = {}
        reads = [
            (f"{unit.slug}_{n}", pattern, reader)
            for unit in SOURCES.values()
            for n, (pattern, reader) in enumerate(unit.bench_reads)
        ]
        for name, pattern, reader in reads:
            paths = files(pattern)
            if paths:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM {reader}(?)", [paths])
                rows[name] = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
    return {"rows": sum(rows.values()), "detail": rows}


def _run_stage(args: argparse.Namespace) -> None:
    landing, warehouse = Path(args.landing), Path(args.warehouse)
    start = time.perf_counter()
    if args.stage == "generate":
        result = _stage_generate(landing, args.scale)
    elif args.stage == "load":
        result = _stage_load(landing, warehouse)
    elif args.stage == "dbt":
        result = _stage_dbt(landing, warehouse)
    else:
        result = _stage_irreducible(landing, warehouse)
    result.update(seconds=time.perf_counter() - start, peak_mb=_peak_rss_mb())
    print(json.dumps(result, default=str))


def _spawn(stage: str, landing: Path, warehouse: Path, scale: float) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "pipelines.bench",
        "--stage",
        stage,
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--scale",
        str(scale),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--stage``, one stage of it) and prints the figures."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench")
    parser.add_argument("--scale", type=float, default=20.0, help="demo scale (1 = ~100k calls, ~35k CUR lines)")
    parser.add_argument("--stage", choices=["generate", "load", "dbt", "irreducible"])
    parser.add_argument("--landing")
    parser.add_argument("--warehouse")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and warehouses")
    args = parser.parse_args(argv)
    if args.stage:
        _run_stage(args)
        return 0

    work = Path(tempfile.mkdtemp(prefix="aicost-bench-"))
    landing = work / "landing"
    try:
        results = {"generate": _spawn("generate", landing, work / "unused.duckdb", args.scale)}
        results["load"] = _spawn("load", landing, work / "warehouse.duckdb", args.scale)
        results["dbt"] = _spawn("dbt", landing, work / "warehouse.duckdb", args.scale)
        results["irreducible"] = _spawn("irreducible", landing, work / "irreducible.duckdb", args.scale)
        detail = results["generate"]["detail"]
        written = ", ".join(f"{slug} {rows:,}" for slug, rows in detail.items() if slug != "calls")
        print(
            f"\nBenchmark at scale {args.scale:g}: {detail['calls']:,} model calls; rows written: {written}; "
            f"landing {_bytes(landing) / 1e6:,.0f} MB"
        )
        print(f"{'stage':<12} {'wall s':>8} {'rows':>12} {'rows/s':>12} {'peak MB':>9}")
        for stage, r in results.items():
            rate = r["rows"] / r["seconds"] if r["seconds"] else 0
            print(f"{stage:<12} {r['seconds']:>8.1f} {r['rows']:>12,} {rate:>12,.0f} {r['peak_mb']:>9,.0f}")
        pipeline = results["load"]["seconds"] + results["dbt"]["seconds"]
        ratio = pipeline / results["irreducible"]["seconds"]
        peak = max(r["peak_mb"] for r in results.values())
        print(
            f"pipeline (load + dbt) {pipeline:.1f} s = {ratio:.2f}x the irreducible load "
            f"{results['irreducible']['seconds']:.1f} s (target <= 3x); peak memory {peak:,.0f} MB (target < 4096)"
        )
        (Path("bench_results")).mkdir(exist_ok=True)
        (Path("bench_results") / f"scale_{args.scale:g}.json").write_text(json.dumps(results, indent=2, default=str))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
