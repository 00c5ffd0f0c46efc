"""Every source's Dagster definitions, generated from the registry in one place.

For each source unit: one multi-asset loading its raw tables (with its checks: no quarantined file, no
schema drift, and the pull where it has one), a ``refresh_<slug>_job`` running that load and everything
downstream of it, and a ``<slug>_landing_sensor`` starting that job when the source's files change. Each
raw table is an asset keyed ``[<slug>, <table>]``, the key dagster-dbt gives the dbt source of the same
name, so lineage runs from the load through staging to the marts without extra wiring. A source needs a
folder under ``defs/`` only if it has resources of its own.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.config import Secrets
from pipelines.landing import CombinedLanding, fingerprint, landing_for
from pipelines.load.drift import open_drift
from pipelines.load.loader import load_source
from pipelines.reconcile import open_quarantines
from pipelines.sources.base import LoadOptions, SourceUnit
from pipelines.sources.registry import SOURCES

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

NO_QUARANTINED_FILES = "no_quarantined_files"
NO_SCHEMA_DRIFT = "no_schema_drift"
SOURCE_PULL_SUCCEEDED = "source_pull_succeeded"


def build_load_assets(source: SourceUnit) -> dg.AssetsDefinition:
    """One multi-asset loading every raw table of a source, with its checks.

    A source with a pull (an API or database) fetches into a local folder first; those files load together
    with the landing zone's, and a failed pull fails only this source's ``source_pull_succeeded`` check.

    Args:
        source: The source unit.

    Returns:
        The assets definition.
    """
    description = source.description
    pull = source.pull
    specs = [
        dg.AssetSpec(
            key=dg.AssetKey([source.slug, table.name]),
            group_name=source.slug,
            description=f"{description} Raw table `{table.qualified_name}`.",
            kinds={"duckdb", "python"},
        )
        for table in source.tables
    ]
    check_key = specs[0].key
    check_specs = [
        dg.AssetCheckSpec(
            NO_QUARANTINED_FILES,
            asset=check_key,
            description="No file of this source is quarantined (bad files never stop good ones).",
        ),
        dg.AssetCheckSpec(
            NO_SCHEMA_DRIFT,
            asset=check_key,
            description="The source's files carry no field its contract does not know (a warning: data still loads).",
        ),
    ]
    if pull is not None:
        check_specs.append(
            dg.AssetCheckSpec(
                SOURCE_PULL_SUCCEEDED,
                asset=check_key,
                description="The pull from the source's API or database succeeded (other sources load regardless).",
            )
        )

    @dg.multi_asset(name=f"{source.slug}_load", specs=specs, check_specs=check_specs)
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[object]:
        settings = warehouse.settings
        secrets = Secrets.from_env()
        landing = landing_for(settings)
        pulled = pull(settings, secrets) if pull else None
        if pulled is not None:
            landing = CombinedLanding([landing, pulled.landing])
        options = LoadOptions(secrets.pseudonym_salt, settings.otel_attribute_keys)
        with warehouse.connect() as con:
            result = load_source(con, source, landing, options)
            quarantined = open_quarantines(con, source.slug)
            drifted = open_drift(con, source.slug)
            rows = {
                table.name: con.execute(f"SELECT count(*) FROM {table.qualified_name}").fetchone()[0]
                for table in source.tables
            }
        context.log.info(
            f"{source.slug}: {result.files_loaded} file(s) loaded, {result.rows_loaded} rows; "
            f"{result.files_unchanged} unchanged, {result.files_replaced} replaced, {result.files_removed} removed"
        )
        for note in result.notes:
            context.log.info(f"{source.slug}: {note}")
        for spec, table in zip(specs, source.tables, strict=True):
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "dagster/row_count": rows[table.name],
                    "files_loaded": result.files_loaded,
                    "rows_loaded": result.rows_loaded,
                    "files_unchanged": result.files_unchanged,
                    "files_replaced": result.files_replaced,
                    "files_removed": result.files_removed,
                    "files_quarantined": len(quarantined),
                },
            )
        yield dg.AssetCheckResult(
            check_name=NO_QUARANTINED_FILES,
            asset_key=check_key,
            passed=not quarantined,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"quarantined": dg.MetadataValue.md("\n".join(f"- {q.error}" for q in quarantined) or "none")},
        )
        yield dg.AssetCheckResult(
            check_name=NO_SCHEMA_DRIFT,
            asset_key=check_key,
            passed=not drifted,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "fields": dg.MetadataValue.md(
                    "\n".join(f"- {d.raw_table}.{d.field} (first in {d.first_seen_path})" for d in drifted) or "none"
                )
            },
        )
        if pull is not None:
            error = pulled.error if pulled is not None else None
            yield dg.AssetCheckResult(
                check_name=SOURCE_PULL_SUCCEEDED,
                asset_key=check_key,
                passed=error is None,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"error": error or "none (or no pull configured)"},
            )

    return _load


def build_refresh_job(source: SourceUnit, load: dg.AssetsDefinition) -> "UnresolvedAssetJobDefinition":
    """``refresh_<slug>_job``: the source's load and everything downstream of it (models, checks)."""
    return dg.define_asset_job(
        name=f"refresh_{source.slug}_job",
        selection=dg.AssetSelection.assets(load).downstream(),
        description=f"Load {source.slug} and rebuild what depends on it.",
        executor_def=dg.in_process_executor,
    )


def build_landing_sensor(source: SourceUnit, job: "UnresolvedAssetJobDefinition") -> dg.SensorDefinition:
    """``<slug>_landing_sensor``: runs the source's refresh job when the files under ``<slug>/`` change.

    Stopped by default (the nightly schedule is the baseline); turn one on in the UI where a source delivers
    at unpredictable times. The cursor is a fingerprint of the listing, so a sensor fires once per change
    and never for files it has already seen.
    """

    @dg.sensor(
        name=f"{source.slug}_landing_sensor",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Runs refresh_{source.slug}_job when files under {source.slug}/ are added or rewritten.",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
        files = list(landing_for(warehouse.settings).list_files(source.slug, fetch=False))
        current = fingerprint(files)
        if not files or current == context.cursor:
            return dg.SensorResult(skip_reason=f"no change under {source.slug}/ ({len(files)} file(s))")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{source.slug}-{current}", tags={"landing_change": source.slug})],
            cursor=current,
        )

    return _sensor


LOAD_ASSETS = {slug: build_load_assets(unit) for slug, unit in SOURCES.items()}
REFRESH_JOBS = {slug: build_refresh_job(unit, LOAD_ASSETS[slug]) for slug, unit in SOURCES.items()}
LANDING_SENSORS = [build_landing_sensor(unit, REFRESH_JOBS[slug]) for slug, unit in SOURCES.items()]
