"""The list-price catalogue asset: genai-prices' bundled data (offline) for the models of the models seed."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.pricing.catalogue import refresh_catalogue


@dg.asset(
    key=dg.AssetKey(["prices", "genai_prices"]),
    group_name="prices",
    kinds={"duckdb", "python"},
    description="Dated list prices from genai-prices (offline); a new catalogue version is appended beside the old.",
)
def price_catalogue(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Appends the current genai-prices catalogue unless this version is already loaded."""
    with warehouse.connect() as con:
        version, written = refresh_catalogue(con)
        rows = con.execute("SELECT count(*) FROM raw_prices.genai_prices").fetchall()[0][0]
    context.log.info(f"price catalogue {version}: {written} new row(s)")
    return dg.MaterializeResult(
        metadata={"catalogue_version": version, "rows_written": written, "dagster/row_count": rows}
    )
