"""``python -m pipelines.bench`` (``make bench``): runs the scenarios, prints one table, writes the JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pipelines.bench.focusconv import run_converter
from pipelines.bench.measure import Measured, run_measured
from pipelines.bench.report import (
    NEXT_DAY_SHARE_OF_COLD,
    NOOP_TARGET_SECONDS,
    PEAK_TARGET_MB,
    Row,
    completed,
    table,
    write_json,
)
from pipelines.bench.stages import STAGES
from pipelines.config import ENGINES

# The CUR-only landings of the converter comparison: the sizes the issue measured the converter at.
CUR_LINES = (206_000, 584_000)

# Lines of the demo's CUR grow as about 16.4k + 18.9k x scale (hourly Bedrock lines saturate): the scale whose
# CUR has at least n lines, with a margin; the delivery is then cut to exactly n.
_CUR_FIXED_LINES, _CUR_LINES_PER_SCALE = 16_400, 18_900


def cur_scale(lines: int) -> float:
    """A demo scale whose CUR has at least ``lines`` lines (it is then cut to size)."""
    return max(0.2, round((lines - _CUR_FIXED_LINES) / _CUR_LINES_PER_SCALE * 1.03 + 0.05, 1))


class Bench:
    """Runs stages and ``aicost run`` as measured subprocesses, logs under ``work/logs``."""

    def __init__(self, work: Path, converter: Path | None, engine: str = "duckdb") -> None:
        self.work = work
        self.engine = engine
        self.logs = work / "logs"
        self.python = sys.executable
        self.aicost = str(Path(sys.executable).parent / "aicost")
        self.converter = converter
        self._n = 0

    def _log(self, name: str) -> Path:
        self._n += 1
        return self.logs / f"{self._n:02d}-{name}.log"

    def stage(self, name: str, **kwargs: object) -> tuple[Measured, dict]:
        """Runs one stage (``stages.STAGES``) in its own process; returns how it ran and its result."""
        log = self._log(name)
        cmd = [self.python, "-m", "pipelines.bench", "--stage", name, "--args", json.dumps(kwargs, default=str)]
        measured = run_measured(cmd, cwd=Path.cwd(), log=log)
        text = log.read_text(encoding="utf-8", errors="replace")
        if measured.exit_code != 0:
            raise RuntimeError(f"bench stage {name} failed (exit {measured.exit_code}):\n{text[-3000:]}")
        result = json.loads([line for line in text.splitlines() if line.startswith("{")][-1])
        return measured, result

    def run(self, name: str, label: str, landing: Path, warehouse: Path) -> Row:
        """One ``aicost run`` end to end; its output goes to the log ``name`` (printed in part when it fails)."""
        log = self._log(name)
        cmd = [self.aicost, "run", "--landing", str(landing), "--warehouse", str(warehouse), "--engine", self.engine]
        print(f"  {label} ...", flush=True)
        row = Row(label, run_measured(cmd, cwd=self.work, log=log))
        if not completed(row):
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
            print("\n".join(f"    | {line}" for line in tail), flush=True)
        return row


def _seconds(stage_result: dict, measured: Measured) -> float:
    return stage_result.get("_seconds", measured.seconds)


def scenarios(bench: Bench, scale: float, seed: int, month: str) -> tuple[list[Row], dict]:
    """Cold, no-op, one more day and restated month on one warehouse, and the irreducible loads."""
    work = bench.work
    landing, warehouse = work / "landing", work / "warehouse" / "aicost.duckdb"
    print(f"generating the demo month {month} at scale {scale:g} ...", flush=True)
    _, gen = bench.stage("generate", landing=landing, scale=scale, seed=seed, month=month)
    month_rows = sum(gen["rows"].values())
    irr_m, irr = bench.stage("irreducible", landing=landing, warehouse=work / "irreducible.duckdb")
    (work / "irreducible.duckdb").unlink(missing_ok=True)

    cold = bench.run("cold", "cold build (fresh warehouse)", landing, warehouse)
    cold.rows = f"{month_rows:,} rows ({gen['calls']:,} model calls)"
    noop = bench.run("noop", "no-op (nothing new)", landing, warehouse)
    noop.target, noop.met = f"<= {NOOP_TARGET_SECONDS:g} s", noop.measured.seconds <= NOOP_TARGET_SECONDS

    day = (date.fromisoformat(f"{month}-01") + timedelta(days=32)).replace(day=1).isoformat()
    _, extra = bench.stage("next-day", landing=landing, scale=scale, seed=seed, month=month)
    day_irr_m, day_irr = bench.stage(
        "irreducible", landing=landing, warehouse=work / "irreducible-day.duckdb", match=day
    )
    (work / "irreducible-day.duckdb").unlink(missing_ok=True)
    day_rows = sum(extra["rows"].values())
    next_day = bench.run("next-day", f"one more day ({day})", landing, warehouse)
    day_irr_s = _seconds(day_irr, day_irr_m)
    limit = NEXT_DAY_SHARE_OF_COLD * cold.measured.seconds + day_irr_s
    next_day.target = f"<= 5% cold + day's irreducible {day_irr_s:.1f} s = {limit:.1f} s"
    next_day.met = next_day.measured.seconds <= limit
    next_day.rows = ", ".join(f"{slug} {n:,}" for slug, n in extra["rows"].items())

    _, restated_cur = bench.stage("restate", landing=landing, month=month)
    restated = bench.run("restated", f"restated billing month ({month} CUR)", landing, warehouse)
    share = month_rows / (month_rows + day_rows)
    restated.target = f"<= cold x month's share {share:.0%} = {cold.measured.seconds * share:.1f} s"
    restated.met = restated.measured.seconds <= cold.measured.seconds * share
    restated.rows = f"{restated_cur['lines']:,} CUR lines, {restated_cur['changed']:,} changed"

    reference = Row("irreducible load (DuckDB, same files)", irr_m, is_run=False)
    reference.measured = Measured(_seconds(irr, irr_m), irr_m.peak_mb, irr_m.exit_code)
    reference.rows = f"{irr['rows']:,} rows"
    rows = [cold, noop, next_day, restated, reference]
    for row in (cold, noop, next_day, restated):
        row.extra["peak_ok"] = row.measured.peak_mb < PEAK_TARGET_MB
    context = {
        "month": month,
        "seed": seed,
        "calls": gen["calls"],
        "rows_written": gen["rows"],
        "next_day": {"day": day, "rows": extra["rows"], "irreducible_seconds": day_irr_s},
        "restated": restated_cur,
        "month_share": share,
        "irreducible": irr,
    }
    return rows, context


def converter_comparison(bench: Bench, seed: int, month: str, sizes: tuple[int, ...]) -> tuple[list[Row], dict]:
    """``aicost run`` on a landing holding only a CUR 2.0 export vs ``focus-converter`` on the same lines."""
    rows, context = [], {}
    for lines in sizes:
        landing = bench.work / f"cur-{lines}" / "landing"
        scale = cur_scale(lines)
        print(f"writing a CUR-only landing of {lines:,} lines (demo scale {scale:g}, cut) ...", flush=True)
        _, cur = bench.stage("cur-only", landing=landing, lines=lines, scale=scale, seed=seed, month=month)
        label = f"CUR only, {cur['lines']:,} lines: aicost run"
        run = bench.run(f"cur-{lines}", label, landing, landing.parent / "wh" / "aicost.duckdb")
        run.rows = f"{cur['lines']:,} CUR lines"
        context[str(lines)] = {"lines": cur["lines"], "demo_scale": scale}
        rows.append(run)
        if bench.converter is None:
            continue
        flat = landing.parent / "flat" / "cur.parquet"
        bench.stage("flatten", landing=landing, target=flat)
        print(f"  focus-converter on {cur['lines']:,} lines ...", flush=True)
        measured, out_rows = run_converter(
            bench.converter, flat, landing.parent / "focus", bench._log(f"focusconv-{lines}")
        )
        conv = Row(f"CUR only, {cur['lines']:,} lines: focus-converter", measured, is_run=False)
        conv.rows = f"{out_rows:,} FOCUS rows out"
        run.target = f"< focus-converter's {measured.seconds:.1f} s"
        run.met = completed(run) and completed(conv) and run.measured.seconds < measured.seconds
        run.extra["peak_ok"] = run.measured.peak_mb < PEAK_TARGET_MB
        context[str(lines)].update(converter_rows=out_rows)
        rows.append(conv)
        shutil.rmtree(landing.parent, ignore_errors=True)
    return rows, context


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--stage``, one stage of it) and prints the figures."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=20.0, help="demo scale (1 = ~100k calls, ~35k CUR lines)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--month", default="2026-10", help="demo month YYYY-MM")
    parser.add_argument(
        "--focus-converter",
        default=".venv-focusconv/bin/focus-converter",
        help="focus-converter executable (make .venv-focusconv/.installed); skipped when absent",
    )
    parser.add_argument("--cur-lines", default=",".join(map(str, CUR_LINES)), help="CUR-only sizes, comma separated")
    parser.add_argument("--results", default="bench_results", help="folder for scale_<s>.json")
    parser.add_argument("--keep", action="store_true", help="keep the generated files, warehouses and logs")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="engine the runs build with (spark: the converter comparison, a DuckDB figure, is left out)",
    )
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        start = time.perf_counter()
        result = STAGES[args.stage](**json.loads(args.args))
        print(json.dumps({**result, "_seconds": time.perf_counter() - start}, default=str))
        return 0

    converter = Path(args.focus_converter).resolve()
    if not converter.exists():
        print(f"{converter} not found: the converter comparison is skipped (make .venv-focusconv/.installed)")
    work = Path(tempfile.mkdtemp(prefix="aicost-bench-"))
    bench = Bench(work, converter if converter.exists() else None, args.engine)
    sizes = tuple(int(n) for n in args.cur_lines.split(",") if n) if args.engine == "duckdb" else ()
    try:
        rows, context = scenarios(bench, args.scale, args.seed, args.month)
        conv_rows, context["converter"] = converter_comparison(bench, args.seed, args.month, sizes)
        rows += conv_rows
        runs = [r for r in rows if r.is_run]
        peak = max(r.measured.peak_mb for r in runs)
        print(
            f"\nBenchmark at scale {args.scale:g} on {args.engine}: {context['calls']:,} model calls, month {args.month}"
        )
        print(table(rows))
        print(
            f"peak memory of the aicost runs: {peak:,.0f} MB (target < {PEAK_TARGET_MB}): "
            f"{'met' if peak < PEAK_TARGET_MB else 'NOT met'}"
        )
        if not all(completed(r) for r in rows):
            print(f"some runs did not complete: logs under {bench.logs}")
            args.keep = True
        suffix = "" if args.engine == "duckdb" else f"_{args.engine}"
        context["engine"] = args.engine
        out = Path(args.results) / f"scale_{args.scale:g}{suffix}.json"
        write_json(out, args.scale, rows, context)
        print(f"figures written to {out}")
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0
