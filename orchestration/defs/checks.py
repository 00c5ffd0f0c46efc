"""Asset checks for the invariants of DESIGN.md that guard a run."""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from pipelines.alerts import budget_alerts
from pipelines.reconcile import allocation_report, conservation_report, manifest_row_mismatches

FOCUS_KEY = dg.AssetKey(["focus_cost_and_usage"])
ALLOCATED_KEY = dg.AssetKey(["fct_ai_costs_allocated"])


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


@dg.asset_check(asset=ALLOCATED_KEY, name="allocated_cost_conserves_focus", blocking=False)
def allocated_cost_conserves_focus(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Invariant 2: allocated cost (Unallocated and Idle included) equals FOCUS per provider, account, period.

    Both bases exactly, and the cents finance books add up to the exact totals rounded to the cent. Read
    with plain SQL over the two marts, apart from the dbt logic that builds one from the other.
    """
    with warehouse.connect(read_only=True) as con:
        report = allocation_report(con)
    broken = [r for r in report if not r.conserved]
    table = "\n".join(
        f"| {r.provider} | {r.billing_account_id} | {r.billing_period} | {r.currency} | {r.focus_billed_cost} "
        f"| {r.allocated_billed_cost} | {r.focus_effective_cost} | {r.allocated_effective_cost} |"
        for r in report
    )
    return dg.AssetCheckResult(
        passed=not broken,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "keys_checked": len(report),
            "keys_not_conserved": len(broken),
            "report": dg.MetadataValue.md(
                "| provider | account | period | currency | FOCUS billed | allocated billed | FOCUS effective "
                "| allocated effective |\n|---|---|---|---|---|---|---|---|\n" + table
                if report
                else "nothing allocated yet"
            ),
        },
    )


BUDGET_KEY = dg.AssetKey(["rpt_budget_status"])


@dg.asset_check(asset=BUDGET_KEY, name="no_budget_over_hard_threshold", blocking=False)
def no_budget_over_hard_threshold(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Fails when a budget of the latest month has crossed its hard threshold.

    A breach is news for the budget's owner, not a broken run: the check fails at WARN severity, so the
    nightly run shows it (the Dagster UI, the run's warnings, ``aicost alerts``) and still exits 0.
    """
    with warehouse.connect(read_only=True) as con:
        breaches = [a for a in budget_alerts(con) if a.rule == "hard_breach"]
    return dg.AssetCheckResult(
        passed=not breaches,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "hard_breaches": len(breaches),
            "breaches": dg.MetadataValue.md("\n".join(f"- {a.message}" for a in breaches) or "none"),
        },
    )
