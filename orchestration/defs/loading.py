"""Builds the thin Dagster assets over ``pipelines`` loads: one multi-asset per source.

Each raw table is an asset keyed ``[<slug>, <table>]``, the key dagster-dbt gives the dbt source of the
same name, so lineage runs from the load through staging to the marts without extra wiring.
"""

from collections.abc import Callable, Iterator

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.config import Settings
from pipelines.landing import CombinedLanding, Landing, landing_for
from pipelines.loader import load_source
from pipelines.reconcile import open_quarantines
from pipelines.sources.base import Source

NO_QUARANTINED_FILES = "no_quarantined_files"


def build_load_assets(
    source: Source, description: str, pull: Callable[[Settings], Landing | None] | None = None
) -> dg.AssetsDefinition:
    """One multi-asset loading every raw table of ``source``, with a quarantine check.

    Args:
        source: The source package.
        description: What the source is (shown in the UI).
        pull: Fetches the source from an API or database into a local landing folder first (returns it,
            or None when nothing is configured); its files load together with the landing zone's.

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

    @dg.multi_asset(
        name=f"{source.slug}_load",
        specs=specs,
        check_specs=[
            dg.AssetCheckSpec(
                NO_QUARANTINED_FILES,
                asset=check_key,
                description="No file of this source is quarantined (bad files never stop good ones).",
            )
        ],
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[object]:
        settings = warehouse.settings
        landing = landing_for(settings)
        pulled = pull(settings) if pull else None
        if pulled is not None:
            landing = CombinedLanding([landing, pulled])
        with warehouse.connect() as con:
            result = load_source(con, source, landing)
            quarantined = open_quarantines(con, source.slug)
            rows = {
                table.name: con.execute(f"SELECT count(*) FROM {table.qualified_name}").fetchone()[0]
                for table in source.tables
            }
        context.log.info(
            f"{source.slug}: {result.files_loaded} file(s) loaded, {result.rows_loaded} rows; "
            f"{result.files_unchanged} unchanged, {result.files_replaced} replaced"
        )
        for spec, table in zip(specs, source.tables, strict=True):
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "dagster/row_count": rows[table.name],
                    "files_loaded": result.files_loaded,
                    "rows_loaded": result.rows_loaded,
                    "files_unchanged": result.files_unchanged,
                    "files_replaced": result.files_replaced,
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

    return _load
