"""Asset checks for the invariants of DESIGN.md that guard a run."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.reconcile import conservation_report, manifest_row_mismatches

FOCUS_KEY = dg.AssetKey(["focus_cost_and_usage"])


@dg.asset_check(asset=FOCUS_KEY, name="billed_cost_reconciles_to_source", blocking=False)
def billed_cost_reconciles_to_source(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Invariant 1: BilledCost per source, billing account, period and currency equals the source files.

    What went in is counted from the distinct current deliveries (a file loaded twice would show as a
    mismatch), and every manifest's stated row counts are compared with the rows in the warehouse. A landing
    with no bill at all (usage or gateway data only) has nothing to reconcile and passes.
    """
    with warehouse.connect(read_only=True) as con:
        report = conservation_report(con, warehouse.settings)
        mismatched_rows = manifest_row_mismatches(con)
    broken = [r for r in report if r.difference != 0]
    table = "\n".join(
        f"| {r.source} | {r.billing_account_id} | {r.billing_period} | {r.currency} | {r.source_billed_cost} "
        f"| {r.focus_billed_cost} | {r.difference} |"
        for r in report
    )
    rows = "\n".join(
        f"- {m.path}: the manifest states {m.expected_rows} rows, the warehouse holds {m.rows_in_warehouse}"
        for m in mismatched_rows
    )
    return dg.AssetCheckResult(
        passed=not broken and not mismatched_rows,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "keys_checked": len(report),
            "keys_not_conserved": len(broken),
            "manifest_row_mismatches": len(mismatched_rows),
            "report": dg.MetadataValue.md(
                "| source | account | period | currency | source | focus | difference |\n|---|---|---|---|---|---|---|\n"
                + table
                if report
                else "no bill loaded: nothing to reconcile"
            ),
            "row_counts": dg.MetadataValue.md(rows or "every manifest's row counts match"),
        },
    )
