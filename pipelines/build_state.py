"""What the last successful dbt build saw, so that a run builds only what changed since.

After a successful build of the whole project the run records, in schema ``_aicost`` of the warehouse:

* ``built_loads``: the live loads (``raw._loads`` rows whose data counts: status ``loaded`` or
  ``superseded``) with each billing period (``YYYY-MM``) they hold, one row per load and period;
* ``builds``: one row per recorded build with the project fingerprint (dbt models, macros, tests, seeds,
  vars, package versions) and the price catalogue versions it was built with;
* ``runs``: one row per run's dbt step, built or skipped (``aicost alerts`` sends no anomaly after a run
  that built nothing: the anomalies it would list are the previous run's).

The next run compares the warehouse with that record:

* nothing differs: the warehouse is current and the dbt step is skipped (a no-op run costs seconds);
* loads differ (new, replaced, removed): the incremental models rebuild the billing periods those loads
  hold, and only those (dbt macro ``rebuilt_periods``, which reads the same two tables);
* the project, the seeds or the price catalogue differ, or nothing was recorded yet: everything is rebuilt
  (``dbt build --full-refresh``), since any period may have changed.

Two shortcuts keep an incremental build small, both pure choices of speed (a full refresh gives the same
tables, which the suite tests):

* the dbt nodes no changed source feeds are left out of the build (``unaffected_nodes``): their inputs are
  those the last build saw;
* when restated periods (replaced or removed loads) hold most of the rows (``REBUILD_ALL_SHARE``, e.g. a
  restated month in a warehouse holding one month), building afresh is cheaper than deleting and
  re-inserting them.

The record is written only after a build of the whole project succeeded: after a failed or partial build
(a ``refresh_<slug>_job``) the next run still rebuilds every period changed since the last good one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from datetime import UTC, datetime

import duckdb

from pipelines.config import DBT_PROJECT_DIR, PROJECT_ROOT, Settings

SCHEMA = "_aicost"
BUILT_LOADS = f"{SCHEMA}.built_loads"
BUILDS = f"{SCHEMA}.builds"
RUNS = f"{SCHEMA}.runs"
# Statuses whose rows count (pipelines.load.manifest.PRESENT).
_LIVE = ("loaded", "superseded")
# What the dbt build depends on besides the data (profiles.yml only says where and how fast: not here).
_PROJECT_INPUTS = ("models", "macros", "tests", "dbt_project.yml")
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
_ENGINE_PACKAGES = {"spark": ("dbt-spark", "pyspark")}
_CATALOGUE = "raw_prices.genai_prices"
# Deleting and re-inserting this share of the rows costs more than a fresh build (measured at scale 30: a
# month rebuilt in a one-month warehouse took 351 s of dbt against 265 s cold).
REBUILD_ALL_SHARE = 0.5

# One row per live load and billing period it holds (billing_period is a comma-separated list of months).
_LIVE_LOADS_SQL = f"""
    select load_id, source, status, trim(period) as billing_period
    from raw._loads, unnest(string_split(coalesce(billing_period, ''), ',')) as p(period)
    where status in {_LIVE}
"""


def project_fingerprint(settings: Settings) -> str:
    """A hash of everything besides the data that the dbt build's results depend on.

    Args:
        settings: Run settings (the dbt vars they set count).

    Returns:
        A hex SHA-256 of the dbt project files, the seeds, the dbt vars and the package versions.
    """
    digest = hashlib.sha256()
    paths = [DBT_PROJECT_DIR / p for p in _PROJECT_INPUTS] + [PROJECT_ROOT / "seeds"]
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(PROJECT_ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    digest.update(json.dumps(settings.dbt_vars(), sort_keys=True).encode())
    packages = _PACKAGES
    if settings.engine != "duckdb":
        # tables built by another engine are not this one's: switching engines rebuilds everything
        digest.update(f"engine={settings.engine}".encode())
        packages += _ENGINE_PACKAGES.get(settings.engine, ())
    digest.update(json.dumps({p: importlib.metadata.version(p) for p in packages}).encode())
    return digest.hexdigest()


def has_table(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether ``schema.table`` exists in the warehouse."""
    schema, table = qualified.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _catalogue_versions(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not has_table(con, _CATALOGUE):
        return []
    return [r[0] for r in con.execute(f"select distinct catalogue_version from {_CATALOGUE} order by 1").fetchall()]


def _last_build(con: duckdb.DuckDBPyConnection) -> tuple[str, list[str]] | None:
    if not (has_table(con, BUILDS) and has_table(con, BUILT_LOADS)):
        return None
    row = con.execute(f"select fingerprint, catalogue_versions from {BUILDS} order by built_at desc limit 1").fetchone()
    return (row[0], json.loads(row[1])) if row else None


def last_built_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the last recorded build of the whole project finished, or ``None``."""
    if not has_table(con, BUILDS):
        return None
    return con.execute(f"select max(built_at) from {BUILDS}").fetchone()[0]


def full_refresh_reason(con: duckdb.DuckDBPyConnection, fingerprint: str) -> str | None:
    """Why the next build must rebuild everything, or ``None`` when rebuilding changed periods is enough.

    Args:
        con: Warehouse connection.
        fingerprint: ``project_fingerprint`` of this run.

    Returns:
        A one-line reason (no build recorded, project changed, price catalogue changed), or ``None``.
    """
    if not has_table(con, "raw._loads"):
        return "nothing loaded yet"
    last = _last_build(con)
    if last is None:
        return "no successful build is recorded"
    built_fingerprint, built_versions = last
    if built_fingerprint != fingerprint:
        return "the dbt project, its seeds, vars or packages changed since the last build"
    if built_versions != _catalogue_versions(con):
        return "the price catalogue changed since the last build"
    return None


def changed_loads(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Loads that differ from the last recorded build, per source: ``{"litellm": {"new": 1, "gone": 0}}``."""
    if not has_table(con, BUILT_LOADS):
        return {}
    rows = con.execute(
        f"""
        with live as (select distinct load_id, source, status from ({_LIVE_LOADS_SQL})),
        built as (select distinct load_id, source, status from {BUILT_LOADS}),
        new as (select * from live except select * from built),
        gone as (select * from built except select * from live)
        select source, 'new' as change, count(*) from new group by all
        union all
        select source, 'gone' as change, count(*) from gone group by all
        order by 1, 2
        """
    ).fetchall()
    changes: dict[str, dict[str, int]] = {}
    for source, change, count in rows:
        changes.setdefault(source, {"new": 0, "gone": 0})[change] = count
    return changes


def rebuilt_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The billing periods (``YYYY-MM``) an incremental build rebuilds now: those of changed loads.

    The dbt macro ``rebuilt_periods`` (dbt_project/macros/rebuilt_periods.sql) makes the same comparison when
    each model compiles; this one names them in the run's log.
    """
    return sorted({period for periods in rebuilt_periods_by_source(con).values() for period in periods})


def rebuilt_periods_by_source(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The billing periods of changed loads, per source: ``{"aws_cur": ["2026-10"]}`` (sources with none left out).

    What the dbt macro ``rebuilt_periods`` computes from the same two tables; a build on another engine than
    DuckDB, which cannot read them, gets this as the dbt var ``aicost_rebuilt_periods`` instead.
    """
    if not has_table(con, BUILT_LOADS):
        return {}
    rows = con.execute(
        f"""
        with live as ({_LIVE_LOADS_SQL}),
        built as (select load_id, source, status, billing_period from {BUILT_LOADS}),
        changed as ((select * from live except select * from built) union all (select * from built except select * from live))
        select source, list(distinct billing_period order by billing_period) from changed
        where regexp_full_match(billing_period, '[0-9]{{4}}-[0-9]{{2}}')
        group by source order by source
        """
    ).fetchall()
    return {source: list(periods) for source, periods in rows}


def rebuilt_share(con: duckdb.DuckDBPyConnection) -> float:
    """The share of the live rows in the billing periods whose loads were replaced or removed (0 to 1).

    Only restatements count: a new load appended to a period (a day of gateway logs) rewrites that period's
    allocation but not its by-load models or the nodes no changed source feeds, so rebuilding it stays
    cheaper than a full build even in a warehouse holding one month. A load spanning several periods counts
    whole when any of them is restated (the share errs high).
    """
    if not has_table(con, BUILT_LOADS):
        return 0.0
    total, restated = con.execute(
        f"""
        with live as ({_LIVE_LOADS_SQL}),
        gone as (
            select load_id, source, status, billing_period from {BUILT_LOADS}
            except select * from live
        ),
        restated_periods as (select distinct billing_period from gone),
        loads as (
            select live.load_id, any_value(l.rows) as rows,
                bool_or(live.billing_period in (select billing_period from restated_periods)) as restated
            from live join raw._loads as l using (load_id) group by live.load_id
        )
        select coalesce(sum(rows), 0), coalesce(sum(rows) filter (where restated), 0) from loads
        """
    ).fetchone()
    return float(restated / total) if total else 0.0


def unaffected_nodes(manifest: dict, changed_sources: set[str]) -> list[str]:
    """The dbt nodes (models, seeds, tests, snapshots) that no changed source feeds, by name.

    Their inputs are what the last recorded build saw, so an incremental build may leave them out.

    Args:
        manifest: The dbt manifest (``nodes``, ``sources`` and ``child_map``).
        changed_sources: dbt source names (= load sources) with new, replaced or removed loads.

    Returns:
        Node names, sorted.
    """
    children = manifest["child_map"]
    affected: set[str] = set()
    todo = [uid for uid, src in manifest["sources"].items() if src["source_name"] in changed_sources]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in affected:
                affected.add(child)
                todo.append(child)
    return sorted(
        node["name"]
        for uid, node in manifest["nodes"].items()
        if uid not in affected and node["resource_type"] in ("model", "seed", "test", "snapshot")
    )


def pending_changes(con: duckdb.DuckDBPyConnection, fingerprint: str) -> list[str]:
    """Why dbt must build, in plain words; an empty list means the warehouse is current.

    Args:
        con: Warehouse connection.
        fingerprint: ``project_fingerprint`` of this run.

    Returns:
        One reason per line (the full-refresh reason, or one line per source with changed loads).
    """
    reason = full_refresh_reason(con, fingerprint)
    if reason:
        return [reason]
    return [
        f"{source}: {counts['new']} new or changed load(s), {counts['gone']} replaced or removed"
        for source, counts in changed_loads(con).items()
    ]


def record_build(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Records the live loads and the fingerprint after a successful build of the whole project.

    Args:
        con: Warehouse connection (writable).
        fingerprint: ``project_fingerprint`` the build ran with.
    """
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create table if not exists {BUILT_LOADS} "
        "(load_id varchar not null, source varchar not null, status varchar not null, billing_period varchar)"
    )
    con.execute(
        f"create table if not exists {BUILDS} "
        "(built_at timestamptz not null, fingerprint varchar not null, catalogue_versions varchar not null, "
        "live_loads bigint not null)"
    )
    versions = json.dumps(_catalogue_versions(con))
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {BUILT_LOADS}")
        con.execute(
            f"insert into {BUILT_LOADS} select load_id, source, status, billing_period from ({_LIVE_LOADS_SQL})"
        )
        live = con.execute(f"select count(distinct load_id) from {BUILT_LOADS}").fetchone()[0]
        con.execute(f"insert into {BUILDS} values (?, ?, ?, ?)", [datetime.now(UTC), fingerprint, versions, live])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def record_run(con: duckdb.DuckDBPyConnection, built: bool) -> None:
    """Records that a run's dbt step built (``True``) or found the warehouse current and skipped (``False``)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"create table if not exists {RUNS} (run_at timestamptz not null, built boolean not null)")
    con.execute(f"insert into {RUNS} values (?, ?)", [datetime.now(UTC), built])


def last_run_built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the latest run's dbt step built the warehouse (``True`` when no run is recorded)."""
    if not has_table(con, RUNS):
        return True
    row = con.execute(f"select built from {RUNS} order by run_at desc limit 1").fetchone()
    return True if row is None else bool(row[0])
