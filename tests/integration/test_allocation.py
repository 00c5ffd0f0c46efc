"""Allocation on the demo month: invoice cost split by measured usage, every cent kept, as finance books it."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from pipelines.export import export_chargeback
from pipelines.reconcile import allocation_report
from pipelines.warehouse import connect
from tests.integration.conftest import DEMO_MONTH, read_csv_text

CENT = Decimal("0.01")
# What truly has no owner in the demo: the sandbox AWS account and the hackathon OpenAI project.
SHADOW_SCOPES = {"333300004444", "proj_hackathon_2025"}


def _query(demo_run, sql: str, params: list | None = None) -> list[tuple]:
    with connect(demo_run.settings, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_allocated_cost_equals_focus_on_both_bases_with_cents_that_add_up(demo_run):
    with connect(demo_run.settings, read_only=True) as con:
        report = allocation_report(con)
    assert len(report) == 6  # six provider billing accounts in the demo month
    assert all(row.conserved for row in report), [r for r in report if not r.conserved]


def test_unallocated_is_at_most_two_percent_of_effective_ai_cost_and_only_shadow_spend(demo_run):
    ((ai_cost, unallocated),) = _query(
        demo_run,
        "SELECT sum(effective_cost), sum(effective_cost) FILTER (WHERE team = 'Unallocated') "
        "FROM fct_ai_costs_allocated WHERE is_ai",
    )
    assert 0 < unallocated <= ai_cost * Decimal("0.02")
    # What feeds Unallocated: AI charges whose bill names no owner, and requests no key maps. Both come only
    # from the sandbox account and the hackathon project (tax and discounts then follow them).
    unowned_charges = _query(
        demo_run,
        "SELECT DISTINCT sub_account_id FROM int_allocation_charge_groups WHERE is_ai AND bill_team = 'Unallocated' "
        "AND allocation_kind IN ('tokens', 'bill_keys', 'gpu', 'provisioned') AND effective_cost <> 0",
    )
    assert {scope for (scope,) in unowned_charges} == SHADOW_SCOPES
    unowned_requests = _query(
        demo_run, "SELECT DISTINCT account_id FROM int_allocation_request_tokens WHERE team = 'Unallocated'"
    )
    assert {account for (account,) in unowned_requests} <= SHADOW_SCOPES


def test_gateway_usage_splits_bedrock_and_openai_invoice_cells(demo_run):
    rows = _query(
        demo_run,
        "SELECT provider_name, count(DISTINCT team), sum(effective_cost) FROM fct_ai_costs_allocated "
        "WHERE allocated_method_id = 'request_usage' GROUP BY ALL ORDER BY 1",
    )
    by_provider = {provider: (teams, cost) for provider, teams, cost in rows}
    for provider in ("Amazon Web Services", "OpenAI", "Microsoft", "Anthropic", "Google Cloud"):
        teams, cost = by_provider[provider]
        assert teams >= 2 and cost > 0, provider


def test_provisioned_capacity_goes_to_the_teams_it_served_with_idle_hours_shown(demo_run):
    rows = dict(
        _query(
            demo_run,
            "SELECT team, sum(effective_cost) FROM fct_ai_costs_allocated "
            "WHERE allocation_kind = 'provisioned' GROUP BY ALL",
        )
    )
    ((capacity,),) = _query(
        demo_run,
        "SELECT sum(EffectiveCost) FROM focus_cost_and_usage WHERE x_ServiceTier = 'provisioned' "
        "AND (CommitmentDiscountStatus IS NULL OR CommitmentDiscountStatus <> 'Unused')",
    )
    assert {"support", "legal", "Idle"} <= set(rows)
    assert sum(rows.values(), Decimal(0)) == capacity
    assert rows["support"] > 0 and rows["legal"] > 0 and rows["Idle"] > 0


def test_a_gpu_node_is_shared_by_three_workloads_with_idle_time_on_its_own_line(demo_run):
    rows = _query(
        demo_run,
        "SELECT resource_id, count(DISTINCT team) FILTER (WHERE allocated_method_id = 'gpu_hours'), "
        "sum(effective_cost) FILTER (WHERE team = 'Idle') FROM fct_ai_costs_allocated "
        "WHERE allocation_kind = 'gpu' GROUP BY ALL",
    )
    assert any(teams >= 3 and idle and idle > 0 for _, teams, idle in rows), rows


def test_a_commitment_purchase_is_billed_to_the_users_of_the_commitment(demo_run):
    purchases = _query(
        demo_run,
        "SELECT commitment_discount_id, team, sum(billed_cost), sum(effective_cost) FROM fct_ai_costs_allocated "
        "WHERE allocation_kind = 'commitment_purchase' GROUP BY ALL",
    )
    assert purchases
    used = defaultdict(set)
    for commitment, team in _query(
        demo_run,
        "SELECT DISTINCT commitment_discount_id, team FROM fct_ai_costs_allocated "
        "WHERE allocation_pass = 'direct' AND commitment_discount_id <> '' AND effective_cost > 0",
    ):
        used[commitment].add(team)
    for commitment, team, billed, effective in purchases:
        assert effective == 0 and billed != 0
        assert team in used[commitment] or team == "Unallocated", (commitment, team)


def test_tax_follows_the_cost_it_was_levied_on(demo_run):
    rows = _query(
        demo_run,
        "SELECT DISTINCT allocated_method_id FROM fct_ai_costs_allocated WHERE charge_category = 'Tax'",
    )
    assert {method for (method,) in rows} <= {
        "shared_proportional",
        "idle_capacity",
        "unused_commitment",
        "unallocated",
    }
    ((teams,),) = _query(
        demo_run, "SELECT count(DISTINCT team) FROM fct_ai_costs_allocated WHERE charge_category = 'Tax'"
    )
    assert teams >= 4


def test_customers_and_features_reach_the_allocated_cost(demo_run):
    ((customers, features),) = _query(
        demo_run,
        "SELECT count(DISTINCT customer_id) FILTER (WHERE customer_id <> ''), "
        "count(DISTINCT feature) FILTER (WHERE feature <> '') FROM fct_ai_costs_allocated",
    )
    assert customers >= 3 and features >= 3


def test_internal_price_marks_up_frontier_tokens_beside_the_actual_cost(demo_run):
    rows = _query(
        demo_run,
        "SELECT model_tier, token_type, cost_centre_id, effective_cost, internal_price FROM fct_ai_costs_allocated",
    )
    marked_up = 0
    for tier, token_type, cost_centre, effective, internal in rows:
        surcharge = (
            (tier == "frontier" and token_type in ("input", "output"))
            or (tier == "reasoning" and token_type == "output")
        ) and cost_centre != "CC-2001"
        expected = effective * Decimal("1.1") if surcharge else effective
        assert internal == expected.quantize(Decimal("1e-12"), ROUND_HALF_UP), (tier, token_type, cost_centre)
        marked_up += surcharge and effective != 0
    assert marked_up > 0


def test_every_focus_charge_records_how_it_was_allocated(demo_run):
    ((missing, methods),) = _query(
        demo_run,
        "SELECT count(*) FILTER (WHERE AllocatedMethodId IS NULL), count(DISTINCT AllocatedMethodId) "
        "FROM focus_cost_and_usage",
    )
    assert missing == 0 and methods >= 5


def test_chargeback_csv_cents_add_up_to_each_invoice_on_both_bases(demo_run, tmp_path):
    with connect(demo_run.settings, read_only=True) as con:
        export_chargeback(con, DEMO_MONTH, tmp_path / "chargeback.csv")
        invoices = con.execute(
            "SELECT ProviderName, BillingAccountId, sum(BilledCost), sum(EffectiveCost) FROM focus_cost_and_usage "
            "WHERE strftime(BillingPeriodStart, '%Y-%m') = ? GROUP BY ALL",
            [DEMO_MONTH],
        ).fetchall()
    rows = read_csv_text((tmp_path / "chargeback.csv").read_text())
    for provider, account, billed, effective in invoices:
        mine = [r for r in rows if r["provider"] == provider and r["billing_account_id"] == account]
        assert sum(Decimal(r["billed_cost_rounded"]) for r in mine) == billed.quantize(CENT, ROUND_HALF_UP)
        assert sum(Decimal(r["effective_cost_rounded"]) for r in mine) == effective.quantize(CENT, ROUND_HALF_UP)
    assert {r["is_ai"] for r in rows} == {"true", "false"}
