"""dbt models, seeds and tests as Dagster assets (dagster-dbt), grouped like the project's folders.

The build runs only when there is something to build: a run of the whole project compares the warehouse's
loads with those the last successful build saw (``pipelines.build_state``) and skips dbt when nothing
changed, which makes a run with nothing new cost seconds. ``--full-refresh`` (the ``full_refresh`` run
config) always builds, rebuilding every incremental model from scratch.

dbt runs in one stable folder per warehouse (``<warehouse folder>/dbt_target``) with the same profile, vars
and environment every time, so each run reuses the previous one's parse (dbt's partial parsing) instead of
parsing the whole project again; dagster-dbt would otherwise give every invocation a fresh folder.

On Spark (setting ``engine``) the raw tables are first mirrored to the Parquet lake dbt reads there, the
periods to rebuild are handed to dbt as a var (the build record is in the DuckDB file), and the tables Spark
built are then linked into the warehouse file as views (``pipelines.engine``) for everything that reads them.
"""

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration import progress
from orchestration.defs.dbt.project import DBT_PROJECT, prepared_manifest
from orchestration.defs.resources import WarehouseResource
from pipelines.build_state import (
    REBUILD_ALL_SHARE,
    changed_loads,
    full_refresh_reason,
    pending_changes,
    project_fingerprint,
    rebuilt_periods,
    rebuilt_periods_by_source,
    rebuilt_share,
    record_build,
    record_run,
    unaffected_nodes,
)
from pipelines.engine import link_spark_relations, spark_relations
from pipelines.lake import sync_lake
from pipelines.warehouse import wait_until_free

# dbt unit tests check the models' SQL on fixed inputs, not the data: they run in the test suite
# (tests/integration/test_dbt_unit_tests.py), not in every nightly run, where they cost ~11 s.
NIGHTLY_EXCLUDE = "resource_type:unit_test"


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step.

    Attributes:
        full_refresh: Rebuild every incremental model from scratch (``dbt build --full-refresh``), and build
            even when nothing changed since the last build.
    """

    full_refresh: bool = False


class AicostDbtTranslator(DagsterDbtTranslator):
    """Staging models join their source's group; seeds are reference data; the rest by layer."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """``<slug>`` for staging, ``reference`` for seeds, else the layer (intermediate, marts)."""
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if len(fqn) > 2 and fqn[1] == "staging":
            return fqn[2]
        return fqn[1] if len(fqn) > 2 else "marts"


def invocation_manifest() -> dict:
    """The dbt manifest the assets were defined from (parent and child maps included)."""
    return json.loads(prepared_manifest().read_text(encoding="utf-8"))


@dbt_assets(manifest=prepared_manifest(), project=DBT_PROJECT, dagster_dbt_translator=AicostDbtTranslator())
def aicost_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
) -> Iterator[object]:
    """Runs ``dbt build`` (seeds, models and tests) for the selected nodes, unless nothing changed."""
    settings = warehouse.settings
    # The dbt profile reads the warehouse path from the environment of the dbt process.
    os.environ.update(settings.dbt_env())
    # A refresh_<slug>_job builds a part of the project: the record of the last build is about the whole.
    whole_project = not context.is_subset
    with warehouse.write_lock():
        fingerprint = project_fingerprint(settings)
        with warehouse.connect() as con:
            reasons = pending_changes(con, fingerprint)
            rebuild_all = config.full_refresh or full_refresh_reason(con, fingerprint) is not None
            periods = [] if rebuild_all else rebuilt_periods(con)
            # a DuckDB build reads the build record itself (dbt macro rebuilt_periods); other engines get it
            periods_by_source = rebuilt_periods_by_source(con) if settings.engine != "duckdb" else {}
            share = rebuilt_share(con) if periods else 0.0
            changed_sources = set(changed_loads(con))
            if whole_project and not config.full_refresh and not reasons:
                record_run(con, built=False)
        if whole_project and not config.full_refresh and not reasons:
            context.log.info("dbt: nothing new since the last build")
            progress.current().dbt_skipped("nothing new since the last build")
            return
        if config.full_refresh:
            reasons = ["full refresh requested (--full-refresh)"]
        if settings.engine == "spark":
            _mirror_to_lake(context, warehouse)
        for reason in reasons or ["a part of the project is selected"]:
            context.log.info(f"dbt: {reason}")
        if share >= REBUILD_ALL_SHARE:
            # deleting and re-inserting most of the rows costs more than building afresh (same tables)
            context.log.info(f"dbt: restated billing period(s) hold {share:.0%} of the rows: rebuilding all")
            rebuild_all, periods = True, []
        # dbt opens the file in its own process: a held file gets the one bounded wait and clear message.
        wait_until_free(settings)
        dbt_vars = settings.dbt_vars()
        if settings.engine != "duckdb" and not rebuild_all:
            # the build record is in the DuckDB file, which Spark cannot read: the periods are handed over
            dbt_vars["aicost_rebuilt_periods"] = periods_by_source
        args = ["build", "--vars", json.dumps(dbt_vars, sort_keys=True), "--exclude", NIGHTLY_EXCLUDE]
        if rebuild_all:
            args.append("--full-refresh")
        if periods:
            # the incremental models rebuild these periods only (dbt macro rebuilt_periods)
            context.log.info(f"dbt: rebuilding billing period(s) {', '.join(periods)}")
        if whole_project and not rebuild_all:
            # nodes no changed source feeds are left as the last build made them
            unaffected = unaffected_nodes(invocation_manifest(), changed_sources)
            context.log.info(f"dbt: {len(unaffected)} node(s) not fed by {', '.join(sorted(changed_sources))} left out")
            args[-1] = " ".join([NIGHTLY_EXCLUDE, *unaffected])
        invocation = dbt.cli(args, context=context, target_path=settings.dbt_target)
        report = progress.current()
        # dagster-dbt's stream() without its wrapper, to count dbt's nodes as they finish.
        for event in invocation.stream_raw_events():
            report.on_dbt_event(event.raw_event)
            yield from event.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context,
                target_path=invocation.target_path,
                project=invocation.project,
            )
        # stream_raw_events raised if dbt failed: only a successful build of the whole project is recorded.
        with warehouse.connect() as con:
            if settings.engine == "spark":
                # the build's own manifest: materialisations depend on the target (Spark stores intermediates)
                built = json.loads((invocation.target_path / "manifest.json").read_text(encoding="utf-8"))
                linked = link_spark_relations(con, spark_relations(built), settings.spark_warehouse)
                context.log.info(f"dbt: {linked} table(s) Spark built are readable in {settings.warehouse}")
            if whole_project:
                record_build(con, fingerprint)
            record_run(con, built=True)


def _mirror_to_lake(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """Writes the raw loads that changed to the Parquet lake Spark reads (``pipelines.lake``)."""
    settings = warehouse.settings
    with warehouse.connect(read_only=True) as con:
        synced = sync_lake(con, settings.lake_location, settings.s3_endpoint_url)
    context.log.info(
        f"lake {settings.lake_location}: {len(synced.written)} load folder(s) written, "
        f"{len(synced.deleted)} deleted, {synced.tables} table(s)"
    )
