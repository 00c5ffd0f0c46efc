"""Builds the thin Dagster assets over ``pipelines`` loads: one multi-asset per source.

Each raw table is an asset keyed ``[<slug>, <table>]``, the key dagster-dbt gives the dbt source of the
same name, so lineage runs from the load through staging to the marts without extra wiring.
"""

from collections.abc import Callable, Iterator

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.config import Settings
from pipelines.landing import CombinedLanding, Pulled, landing_for
from pipelines.load.drift import open_drift
from pipelines.load.loader import load_source
from pipelines.reconcile import open_quarantines
from pipelines.sources.base import Source

NO_QUARANTINED_FILES = "no_quarantined_files"
NO_SCHEMA_DRIFT = "no_schema_drift"
SOURCE_PULL_SUCCEEDED = "source_pull_succeeded"


def build_load_assets(
    source: Source, description: str, pull: Callable[[Settings], Pulled | None] | None = None
) -> dg.AssetsDefinition:
    """One multi-asset loading every raw table of ``source``, with a quarantine check.

    Args:
        source: The source package.
        description: What the source is (shown in the UI).
        pull: Fetches the source from an API or database into a local landing folder first (returns the
            folder and the pull's error, or None when nothing is configured); its files load together with
            the landing zone's. A failed pull fails only this source's ``source_pull_succeeded`` check.

    Returns:
        The assets definition.
    """
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
        landing = landing_for(settings)
        pulled = pull(settings) if pull else None
        if pulled is not None:
            landing = CombinedLanding([landing, pulled.landing])
        with warehouse.connect() as con:
            result = load_source(con, source, landing)
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
