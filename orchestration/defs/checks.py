"""Asset checks for the invariants of DESIGN.md that guard a run."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.reconcile import conservation_report

FOCUS_KEY = dg.AssetKey(["focus_cost_and_usage"])


@dg.asset_check(asset=FOCUS_KEY, name="billed_cost_reconciles_to_source", blocking=False)
def billed_cost_reconciles_to_source(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Invariant 1: BilledCost per source, billing account, period and currency equals the source files."""
    with warehouse.connect(read_only=True) as con:
        report = conservation_report(con, warehouse.settings)
    broken = [r for r in report if r.difference != 0]
    table = "\n".join(
        f"| {r.source} | {r.billing_account_id} | {r.billing_period} | {r.currency} | {r.source_billed_cost} "
        f"| {r.focus_billed_cost} | {r.difference} |"
        for r in report
    )
    return dg.AssetCheckResult(
        passed=bool(report) and not broken,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "keys_checked": len(report),
            "keys_not_conserved": len(broken),
            "report": dg.MetadataValue.md(
                "| source | account | period | currency | source | focus | difference |\n|---|---|---|---|---|---|---|\n"
                + table
            ),
        },
    )
