"""The `aicost` command line: demo, run, pull, export, close, summary, alerts, report, validate-focus, dbt, ui, docs."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, ENGINES, Settings, dbt_executable

# 0 ok, 1 the run failed, 2 the run completed but a check failed; usage errors and a warehouse held by
# another run are distinct from both (the BSD sysexits EX_USAGE and EX_TEMPFAIL).
EXIT_OK, EXIT_FAILED, EXIT_CHECKS_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 64, 75
EXIT_CODES_HELP = """exit codes:
  0   the run succeeded (warnings such as schema drift leave it 0)
  1   the run failed: a step failed, or the analyst copy could not be published (the run log says why)
  2   the run completed but a check failed (a quarantined file, a cost that does not reconcile, ...)
  64  usage error: a bad flag or value, an impossible --month, an unreadable landing location or setting
  75  the warehouse is busy: another run holds it, or another process kept the file open beyond the
      bounded wait (AICOST_LOCK_WAIT_SECONDS); run again later (or pass --wait SECONDS)
"""


class UsageError(Exception):
    """A setting or argument the command cannot use; exits 64 with its message."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with EX_USAGE (64), never 2 ("a check failed")."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Prints the usage and the error, then exits 64."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return Settings.load(
            config_file=Path(args.config) if getattr(args, "config", None) else None,
            landing=getattr(args, "landing", None),
            warehouse=getattr(args, "warehouse", None),
            engine=getattr(args, "engine", None),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _engine_unready(settings: Settings) -> str | None:
    """On Spark, links the tables Spark built into the warehouse file when they are not yet; else why not."""
    if settings.engine != "spark":
        return None
    from pipelines.engine import ensure_spark_links

    try:
        ensure_spark_links(settings)
    except FileNotFoundError as exc:
        return f"error: {exc}"
    return None


def _run(settings: Settings, wait_seconds: float = 0, full_refresh: bool = False) -> int:
    import duckdb

    from orchestration.run import run_pipeline
    from pipelines.landing import landing_for
    from pipelines.runlock import RunLockBusy
    from pipelines.summary import render_summary
    from pipelines.warehouse import WarehouseBusy, connect

    try:
        landing_for(settings)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    print(f"Running the pipeline: landing {settings.landing} -> warehouse {settings.warehouse}", flush=True)
    try:
        outcome = run_pipeline(settings, wait_seconds=wait_seconds, full_refresh=full_refresh, progress_to=sys.stderr)
    except (RunLockBusy, WarehouseBusy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    if not outcome.success:
        tail = outcome.log_path.read_text(encoding="utf-8").splitlines()[-40:] if outcome.log_path else []
        print("\n".join(tail), file=sys.stderr)
        reason = f": {outcome.error}" if outcome.error else ""
        print(f"The run failed{reason}; the full log is {outcome.log_path}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Run log: {outcome.log_path}")
    if outcome.unchanged:
        print("Nothing new since the last successful run: loads, dbt and checks skipped, its outcome stands")
    elif outcome.dbt_skipped:
        print("dbt: nothing new since the last build (skipped)")
    print(f"Analyst copy: {outcome.analyst_copy} (what analysts, BI tools and finance open)")
    try:
        with connect(settings, read_only=True) as con:
            print(render_summary(con, settings))
    except (duckdb.Error, WarehouseBusy) as exc:
        print(f"warning: the run finished but its summary could not be read: {exc}", file=sys.stderr)
    if outcome.warnings:
        print("Warnings (the run is not failed by them):\n  " + "\n  ".join(outcome.warnings))
    if outcome.failed_checks:
        print("Failed checks:\n  " + "\n  ".join(outcome.failed_checks), file=sys.stderr)
        return EXIT_CHECKS_FAILED
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Loads every source from the landing location and builds the warehouse."""
    return _run(_settings(args), wait_seconds=args.wait, full_refresh=args.full_refresh)


def cmd_pull(args: argparse.Namespace) -> int:
    """Pulls a provider's Admin API usage and cost pages into the (local) landing zone."""
    from pipelines.config import Secrets
    from pipelines.pull.admin_api import PullError, parse_day, pull

    settings = _settings(args)
    if "://" in settings.landing:
        print("error: pull writes into a local landing folder; sync it to object storage afterwards", file=sys.stderr)
        return EXIT_USAGE
    try:
        since = parse_day(args.since)
        until = parse_day(args.until) if args.until else None
    except ValueError:
        print("error: --since and --until are days, YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    provider = _apis()[args.provider]
    key = getattr(Secrets.from_env(), provider.credential_field)
    base = getattr(settings, provider.base_setting)
    try:
        result = pull(provider, Path(settings.landing), since, until, key=key, base=base)
    except PullError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{provider.name}: {result.pages} page(s), {result.buckets} bucket(s) written under "
        f"{Path(settings.landing) / provider.slug}/ ({result.retries} retried request(s))"
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Generates a month of sample data, runs the pipeline and exports the month's chargeback."""
    from pipelines.demo.generate import DemoOptions, generate
    from pipelines.export import export_chargeback
    from pipelines.publish import analyst_copy_path
    from pipelines.report import write_report
    from pipelines.warehouse import connect

    settings = _settings(args)
    landing = Path(settings.landing)
    print(f"Generating demo data (scale {args.scale}, seed {args.seed}, month {args.month}) into {landing}/")
    summary = generate(
        DemoOptions(landing=landing, scale=args.scale, seed=args.seed, month=args.month, text_formats=args.text)
    )
    print(f"  {summary.describe()}")
    if args.generate_only:
        return EXIT_OK
    code = _run(settings, wait_seconds=args.wait)
    if code in (EXIT_FAILED, EXIT_BUSY):
        return code
    out = settings.exports_dir / f"chargeback_{args.month}.csv"
    with connect(settings, read_only=True) as con:
        export = export_chargeback(con, args.month, out)
        report = write_report(con, args.month, settings.exports_dir / f"report_{args.month}.html")
    print(
        "\nWhere the results are:\n"
        f"  analyst copy:         {analyst_copy_path(settings)} (open this one: DuckDB 1.x clients, BI tools)\n"
        f"  warehouse (DuckDB):   {settings.warehouse} (the run's own file)\n"
        f"  FOCUS table:          main.focus_cost_and_usage\n"
        "  allocated cost:       main.fct_ai_costs_allocated (who caused each charge, how it was split)\n"
        "  marts:                main.rpt_chargeback_monthly, main.rpt_showback_daily, main.rpt_reconciliation_daily,\n"
        "                        main.fct_llm_requests, main.fct_llm_usage_daily, main.rpt_unpriced_usage\n"
        "  unit economics:       main.rpt_cost_per_outcome, main.rpt_unit_costs_daily, main.rpt_ai_kpis_monthly\n"
        "  controls:             main.rpt_budget_status, main.rpt_cost_anomalies, main.rpt_optimization_opportunities\n"
        f"  report (HTML):        {report}\n"
        f"  alerts:               aicost alerts --warehouse {settings.warehouse}\n"
        f"  chargeback CSV:       {export.path} ({export.rows} rows, "
        + ", ".join(f"{c} {t:,.2f}" for c, t in sorted(export.rounded_totals.items()))
        + ")\n"
        f"  close the month:      aicost close --month {args.month} --warehouse {settings.warehouse}\n"
        f'  query it:             .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{analyst_copy_path(settings)}', read_only=True).sql('from rpt_chargeback_monthly'))\""
    )
    return code


def _month(text: str) -> str:
    """Argument type of ``--month``: a YYYY-MM billing month, else a usage error naming the value."""
    from pipelines.export import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _version(text: str) -> int:
    """Argument type of ``--version``: a closed version number, 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid version {text!r}: expected a number 1 or more (v1 is the first close)"
        )
    return int(text)


def _port(text: str) -> int:
    """Argument type of ``--port``: 0 to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number from 0 to 65535")
    return int(text)


def _missing_relation(exc: Exception) -> str:
    """A relation the export or the close reads is not in the warehouse: DuckDB's first line and what to do."""
    return f"error: {str(exc).splitlines()[0]}; build the warehouse with this version first (`aicost run`)"


def cmd_export_chargeback(args: argparse.Namespace) -> int:
    """Writes finance's chargeback file for one month, from the live mart or a closed version."""
    import duckdb

    from pipelines.close import VersionNotFound, closed_file, read_manifest, store_root
    from pipelines.export import ExportExists, copy_closed, default_export_name, export_chargeback
    from pipelines.warehouse import WarehouseBusy, connect

    settings = _settings(args)
    unready = _engine_unready(settings)
    if unready:
        print(unready, file=sys.stderr)
        return EXIT_FAILED
    cost_centres = args.cost_centres or []
    name = default_export_name(args.month, args.format, args.basis or "billed", cost_centres, args.version)
    out = Path(args.out) if args.out else settings.exports_dir / name
    if args.version is not None:
        store = store_root(settings.exports_dir)
        try:
            manifest = read_manifest(store, args.month, args.version)
        except VersionNotFound as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        if args.basis and args.basis != manifest["basis"]:
            print(
                f"error: v{args.version} of {args.month} was closed on the {manifest['basis']} basis; a closed "
                "version is copied as published (drop --basis, or export the live mart without --version)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            written = copy_closed(closed_file(store, args.month, args.version, args.format), out, force=args.force)
        except ExportExists as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        state = "Wrote" if written else "Unchanged"
        print(
            f"{state} {out}: closed v{args.version} of {args.month} ({manifest['basis']} basis, "
            f"closed {manifest['created_at']}, {manifest['row_counts']['rows']} rows)"
        )
        return EXIT_OK
    try:
        with connect(settings, read_only=True) as con:
            export = export_chargeback(
                con,
                args.month,
                out,
                basis=args.basis or "billed",
                cost_centres=cost_centres,
                fmt=args.format,
                force=args.force,
            )
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except duckdb.CatalogException as exc:
        print(_missing_relation(exc), file=sys.stderr)
        return EXIT_FAILED
    except (ValueError, ExportExists) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    state = "Wrote" if not export.unchanged else "Unchanged (already these exact contents)"
    totals = ", ".join(f"{c} {t}" for c, t in sorted(export.totals.items()))
    print(f"{state} {export.path}: {export.rows} rows; {export.basis} total {totals}")
    return EXIT_OK


def _print_closed(manifests: list[dict]) -> None:
    for m in manifests:
        totals = ", ".join(
            f"{currency} {Decimal(t['amount_rounded']):,.2f}" for currency, t in m["totals"]["by_currency"].items()
        )
        diff = f"; {m['files']['diff']['name']}" if "diff" in m["files"] else ""
        print(
            f"{m['month']} v{m['version']}  closed {m['created_at']}  {m['basis']}  {m['row_counts']['rows']} rows  "
            f"{totals}{diff}"
        )


def cmd_close(args: argparse.Namespace) -> int:
    """Publishes a month's chargeback as a versioned, immutable close (or lists the closed versions)."""
    import duckdb

    from pipelines.close import CloseRefused, close_month, list_closed, store_root
    from pipelines.export import NoCharges
    from pipelines.warehouse import WarehouseBusy, connect

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    store = store_root(settings.exports_dir)
    if args.list:
        manifests = list_closed(store, args.month)
        if not manifests:
            print(f"no closed versions{f' of {args.month}' if args.month else ''} under {store}")
        _print_closed(manifests)
        return EXIT_OK
    if not args.month:
        args.usage_error("the following arguments are required: --month (or --list)")
    unready = _engine_unready(settings)
    if unready:
        print(unready, file=sys.stderr)
        return EXIT_FAILED
    try:
        with connect(settings, read_only=True) as con:
            result = close_month(con, args.month, store=store, settings=settings, basis=args.basis)
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except CloseRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_CHECKS_FAILED
    except duckdb.CatalogException as exc:
        print(_missing_relation(exc), file=sys.stderr)
        return EXIT_FAILED
    except (NoCharges, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    manifest = result.manifest
    if not result.created:
        print(f"{args.month} already closed as v{result.version}; nothing changed ({result.folder})")
        return EXIT_OK
    print(f"Closed {args.month} as v{result.version} ({manifest['basis']} basis): {result.folder}/")
    _print_closed([manifest])
    share = ", ".join(
        f"{c} {r['ratio']}" for c, r in manifest["reconciliation"]["by_currency"].items() if r["ratio"] is not None
    )
    print(
        f"  checks: conservation holds; unexplained share of invoices {share or 'n/a (nothing to reconcile)'} "
        f"(close_tolerance {manifest['reconciliation']['tolerance']})"
    )
    if result.diff_path is not None:
        changes = manifest["changes_from_previous"]["inputs"]
        print(
            f"  {result.diff_path.name}: what moved per cost centre since v{manifest['previous_version']}; "
            f"{len(changes)} input load(s) added, replaced or removed"
        )
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    """Prints spend by provider and team, conservation and quarantines."""
    from pipelines.summary import render_summary
    from pipelines.warehouse import connect

    settings = _settings(args)
    unready = _engine_unready(settings)
    if unready:
        print(unready, file=sys.stderr)
        return EXIT_FAILED
    with connect(settings, read_only=True) as con:
        print(render_summary(con, settings))
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace) -> int:
    """Prints the budget and anomaly alerts of the latest run; ``--jsonl`` also writes them for a notifier."""
    import duckdb

    from pipelines.alerts import collect_alerts, render_alerts, write_jsonl
    from pipelines.warehouse import WarehouseBusy, connect

    settings = _settings(args)
    try:
        with connect(settings, read_only=True) as con:
            alerts = collect_alerts(con, min_severity=args.min_severity, include_known=args.all)
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except duckdb.CatalogException as exc:
        print(_missing_relation(exc), file=sys.stderr)
        return EXIT_FAILED
    print(render_alerts(alerts))
    if args.jsonl:
        path = write_jsonl(alerts, Path(args.jsonl))
        print(f"{len(alerts)} alert(s) written to {path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Writes the month's self-contained HTML report (charts) and prints its path."""
    import duckdb

    from pipelines.report import write_report
    from pipelines.warehouse import WarehouseBusy, connect

    settings = _settings(args)
    unready = _engine_unready(settings)
    if unready:
        print(unready, file=sys.stderr)
        return EXIT_FAILED
    out = Path(args.out) if args.out else settings.exports_dir / f"report_{args.month}.html"
    try:
        with connect(settings, read_only=True) as con:
            path = write_report(con, args.month, out)
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except duckdb.CatalogException as exc:
        print(_missing_relation(exc), file=sys.stderr)
        return EXIT_FAILED
    print(f"Report for {args.month}: {path}")
    return EXIT_OK


def cmd_validate_focus(args: argparse.Namespace) -> int:
    """Runs the FinOps Foundation focus-validator on the FOCUS table; exit 1 on any unexpected failure."""
    from pipelines.validate_focus import render, validate_focus
    from pipelines.warehouse import connect

    settings = _settings(args)
    with connect(settings, read_only=True) as con:
        result = validate_focus(con, validator=settings.focus_validator)
    print(render(result))
    if result.unexpected_failures:
        print(f"error: {len(result.unexpected_failures)} FOCUS rule(s) failed", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_dbt(args: argparse.Namespace) -> int:
    """Runs a dbt command on the project with the warehouse settings (e.g. `aicost dbt docs generate`)."""
    settings = _settings(args)
    env = {**os.environ, **settings.dbt_env()}
    dbt = dbt_executable()
    cmd = [str(dbt), *args.dbt_args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(cmd, env=env, check=False).returncode


def _settings_env(settings: Settings) -> dict[str, str]:
    """The settings as the ``AICOST_*`` environment variables they are read from (absolute paths)."""
    env = {}
    for setting in fields(Settings):
        value = getattr(settings, setting.name)
        if value is not None:
            env[setting.metadata["env"]] = str(value.resolve() if isinstance(value, Path) else value)
    return env


def cmd_ui(args: argparse.Namespace) -> int:
    """Starts the Dagster UI on the warehouse's own Dagster instance (the runs of `aicost run` and `demo`)."""
    from orchestration.instance import dagster_home

    settings = _settings(args)
    home = dagster_home(settings)
    # `dagster dev` loads orchestration.definitions, which reads the settings from the environment.
    env = {**os.environ, **_settings_env(settings), "DAGSTER_HOME": str(home), "DO_NOT_TRACK": "1"}
    dagster = Path(sys.executable).parent / "dagster"
    cmd = [str(dagster), "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(args.port)]
    print(f"Dagster UI on http://127.0.0.1:{args.port} (instance {home}; Ctrl-C stops it)", flush=True)
    # Become `dagster dev` (one process): a signal to `aicost ui` then stops the UI and its daemons too.
    os.execve(cmd[0], cmd, env)  # noqa: S606 (fixed program and arguments)
    return EXIT_OK  # not reached


def cmd_docs(args: argparse.Namespace) -> int:
    """Builds the dbt docs catalogue of the warehouse and serves it on localhost until interrupted."""
    from orchestration.docs import DocsError, build_docs, serve_docs

    settings = _settings(args)
    try:
        folder = build_docs(settings)
    except DocsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        serve_docs(folder, args.port, announce=lambda url: print(f"dbt docs: {url} (Ctrl-C stops)", flush=True))
    except OSError as exc:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _apis() -> dict:
    """The Admin APIs `aicost pull` knows: those of the sources that have one."""
    from pipelines.sources.registry import SOURCES

    return {unit.api.name: unit.api for unit in SOURCES.values() if unit.api is not None}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `aicost`."""
    parser = _Parser(
        prog="aicost",
        description="AI cost warehouse: FOCUS, showback, chargeback.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", help="aicost.toml to read (default ./aicost.toml when present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log loads in detail")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def location_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--landing", help="landing folder laid out as <slug>/... (default: settings)")
        p.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
        p.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="wait this long for another run of the same warehouse to finish (default: exit 75 at once)",
        )

    def engine_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--engine",
            choices=ENGINES,
            help="engine that builds the warehouse: duckdb (embedded) or spark (profile output spark; default: settings)",
        )

    run = sub.add_parser(
        "run",
        help="load every source and build the warehouse (the nightly job)",
        description="Loads every source from the landing location, builds what changed (dbt), runs the checks "
        "and publishes the analyst copy. Progress goes to stderr; the details to the run log under "
        "<warehouse folder>/logs.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    location_flags(run)
    engine_flag(run)
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every dbt model from scratch (dbt build --full-refresh), even when nothing is new",
    )
    run.set_defaults(func=cmd_run)

    pull_parser = sub.add_parser(
        "pull", help="pull OpenAI or Anthropic Admin API usage and cost pages into the landing folder"
    )
    pull_parser.add_argument("provider", choices=sorted(_apis()))
    pull_parser.add_argument("--since", required=True, help="first day to pull, YYYY-MM-DD (UTC)")
    pull_parser.add_argument("--until", help="day to stop before, YYYY-MM-DD (default: now)")
    pull_parser.add_argument("--landing", help="landing folder (default: settings)")
    pull_parser.set_defaults(func=cmd_pull)

    demo = sub.add_parser(
        "demo",
        help="generate a month of sample data and run everything",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    location_flags(demo)
    demo.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1 = ~100k calls)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--month", type=_month, default="2026-10", help="billing month YYYY-MM")
    demo.add_argument("--text", action="store_true", help="write CUR as gzip CSV and spend logs as CSV")
    demo.add_argument("--generate-only", action="store_true", help="write the files, do not run")
    demo.set_defaults(func=cmd_demo)

    export = sub.add_parser("export", help="finance exports")
    export_sub = export.add_subparsers(dest="export", required=True)
    chargeback = export_sub.add_parser("chargeback", help="chargeback CSV of one billing month")
    chargeback.add_argument("--month", required=True, type=_month, help="billing month YYYY-MM")
    chargeback.add_argument(
        "--out",
        help="file to write (default <exports>/chargeback_<month>[_v<N>][_effective][_<cost centres>].<format>)",
    )
    chargeback.add_argument(
        "--basis", choices=("billed", "effective"), help="cost the amount columns carry (default billed)"
    )
    only = chargeback.add_mutually_exclusive_group()
    only.add_argument(
        "--cost-centre",
        dest="cost_centres",
        action="append",
        metavar="ID",
        help="only this cost centre (repeat for several)",
    )
    only.add_argument(
        "--version", type=_version, metavar="N", help="copy closed version N of the month instead of the live mart"
    )
    chargeback.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)")
    chargeback.add_argument("--force", action="store_true", help="replace an existing file with other contents")
    chargeback.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    engine_flag(chargeback)
    chargeback.set_defaults(func=cmd_export_chargeback)

    close = sub.add_parser("close", help="publish a month's chargeback as a versioned, immutable close")
    close.add_argument("--month", type=_month, help="billing month YYYY-MM")
    close.add_argument(
        "--basis", choices=("billed", "effective"), default="billed", help="cost the amount columns carry"
    )
    close.add_argument("--list", action="store_true", help="list the closed versions (of --month, or of every month)")
    close.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    engine_flag(close)
    close.set_defaults(func=cmd_close, usage_error=close.error)

    summary = sub.add_parser("summary", help="print spend by provider and team, conservation, quarantines")
    summary.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    engine_flag(summary)
    summary.set_defaults(func=cmd_summary)

    alerts = sub.add_parser("alerts", help="print the budget and anomaly alerts of the latest run")
    alerts.add_argument("--jsonl", metavar="FILE", help="also write the alerts as JSON lines (one per alert)")
    alerts.add_argument(
        "--min-severity", choices=("low", "medium", "high"), default="low", help="leave out less severe alerts"
    )
    alerts.add_argument("--all", action="store_true", help="every anomaly, not only those the latest run found first")
    alerts.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    alerts.set_defaults(func=cmd_alerts)

    report = sub.add_parser("report", help="write a month's HTML report with charts (one self-contained file)")
    report.add_argument("--month", required=True, type=_month, help="month YYYY-MM")
    report.add_argument("--out", help="file to write (default <exports>/report_<month>.html)")
    report.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    engine_flag(report)
    report.set_defaults(func=cmd_report)

    validate = sub.add_parser(
        "validate-focus", help="check focus_cost_and_usage with the FinOps Foundation focus-validator (FOCUS 1.2)"
    )
    validate.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    validate.set_defaults(func=cmd_validate_focus)

    dbt = sub.add_parser("dbt", help="run dbt on the project against the warehouse")
    dbt.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)

    ui = sub.add_parser("ui", help="start the Dagster UI on the warehouse's runs (http://127.0.0.1:3000)")
    ui.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    ui.add_argument("--landing", help="landing folder the UI's runs read (default: settings)")
    ui.add_argument("--port", type=_port, default=3000, help="port on 127.0.0.1 (default 3000)")
    ui.set_defaults(func=cmd_ui)

    docs = sub.add_parser("docs", help="build the dbt docs catalogue and serve it on http://127.0.0.1:8080")
    docs.add_argument("--warehouse", help="DuckDB warehouse file (default: settings)")
    docs.add_argument("--port", type=_port, default=8080, help="port on 127.0.0.1 (default 8080; 0: any free port)")
    docs.set_defaults(func=cmd_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `aicost` console script."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    """Configures logging and runs the chosen command."""
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # Dagster's loggers report each dbt command at INFO whatever the root level; filter at the handler.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.INFO if args.verbose else logging.WARNING)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
