"""What the report reads from the marts: one small query per panel, money kept as Decimal.

A mart that is missing (not built yet) or has no rows for the month gives an empty `Rows` with a note saying
which, so the page can show a "no data" panel instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb


@dataclass(frozen=True)
class Rows:
    """Result of one panel query: the rows as dicts, or a note on why there are none."""

    relation: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None

    def __bool__(self) -> bool:
        return bool(self.rows)


def relation_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether main.<name> is a table or view in the warehouse."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])


def _fetch(con: duckdb.DuckDBPyConnection, relation: str, sql: str, params: list[Any], month: str) -> Rows:
    if not relation_exists(con, relation):
        return Rows(relation, note=f"main.{relation} is not in this warehouse (its dbt models have not been built).")
    try:
        cursor = con.execute(sql, params)
    except duckdb.BinderException as exc:
        # a mart whose columns differ from what the report reads: say so on the page rather than fail the run
        return Rows(relation, note=f"main.{relation} could not be read: {exc}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows:
        return Rows(relation, note=f"main.{relation} has no rows for {month}.")
    return Rows(relation, rows)


def month_totals(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Billed and effective cost of the month per currency, all and AI only (the chargeback's totals)."""
    return _fetch(
        con,
        "rpt_chargeback_monthly",
        """
        select billing_currency,
               sum(billed_cost) as billed_cost,
               sum(effective_cost) as effective_cost,
               coalesce(sum(effective_cost) filter (where is_ai), 0) as ai_effective_cost
        from main.rpt_chargeback_monthly
        where billing_period = ?
        group by billing_currency
        order by billing_currency
        """,
        [month],
        month,
    )


def request_count(con: duckdb.DuckDBPyConnection, month: str) -> int | None:
    """LLM requests of the month (each call once), or None without fct_llm_requests."""
    if not relation_exists(con, "fct_llm_requests"):
        return None
    found = con.execute(
        "select count(*) from main.fct_llm_requests where strftime(request_date, '%Y-%m') = ?", [month]
    ).fetchone()
    return int(found[0]) if found else 0


def daily_spend_by_provider(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Effective cost per day and provider (showback: every charge of the month)."""
    return _fetch(
        con,
        "rpt_showback_daily",
        """
        select charge_date as day, provider_name as series, billing_currency, sum(effective_cost) as cost
        from main.rpt_showback_daily
        where strftime(charge_date, '%Y-%m') = ?
        group by all
        order by day, series, billing_currency
        """,
        [month],
        month,
    )


def daily_spend_by_team(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Allocated effective cost per day and team (Idle and Unallocated are teams of their own)."""
    return _fetch(
        con,
        "fct_ai_costs_allocated",
        """
        select charge_date as day, team as series, billing_currency, sum(effective_cost) as cost
        from main.fct_ai_costs_allocated
        where strftime(charge_date, '%Y-%m') = ?
        group by all
        order by day, series, billing_currency
        """,
        [month],
        month,
    )


def daily_spend_by_model(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Allocated effective cost per day and model, for the charges that name a model (token-priced usage)."""
    return _fetch(
        con,
        "fct_ai_costs_allocated",
        """
        select charge_date as day, model_id as series, billing_currency, sum(effective_cost) as cost
        from main.fct_ai_costs_allocated
        where strftime(charge_date, '%Y-%m') = ? and nullif(model_id, '') is not null
        group by all
        order by day, series, billing_currency
        """,
        [month],
        month,
    )


def cost_without_model(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Effective cost of the month that no model carries (GPU hours, provisioned capacity, shared charges)."""
    return _fetch(
        con,
        "fct_ai_costs_allocated",
        """
        select billing_currency, sum(effective_cost) as cost
        from main.fct_ai_costs_allocated
        where strftime(charge_date, '%Y-%m') = ? and nullif(model_id, '') is null
        group by all
        order by billing_currency
        """,
        [month],
        month,
    )


def daily_total_spend(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Effective cost per day of the whole estate: the series the anomalies are marked on."""
    return _fetch(
        con,
        "rpt_showback_daily",
        """
        select charge_date as day, billing_currency, sum(effective_cost) as cost
        from main.rpt_showback_daily
        where strftime(charge_date, '%Y-%m') = ?
        group by all
        order by day, billing_currency
        """,
        [month],
        month,
    )


def anomalies(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """The month's anomalies, most severe first."""
    return _fetch(
        con,
        "rpt_cost_anomalies",
        """
        select anomaly_date, rule, severity, team, application, model_id, metric_name,
               observed_value, expected_value, cost_impact, billing_currency, explanation
        from main.rpt_cost_anomalies
        where strftime(anomaly_date, '%Y-%m') = ?
        order by case severity when 'high' then 0 when 'medium' then 1 else 2 end, anomaly_date, rule, team
        """,
        [month],
        month,
    )


def chargeback_by_cost_centre(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Effective cost charged to each cost centre, split AI / other, largest first."""
    return _fetch(
        con,
        "rpt_chargeback_monthly",
        """
        select cost_centre_id, coalesce(cost_centre_name, cost_centre_id) as cost_centre_name, billing_currency,
               coalesce(sum(effective_cost) filter (where is_ai), 0) as ai_cost,
               coalesce(sum(effective_cost) filter (where not is_ai), 0) as other_cost,
               sum(effective_cost) as total_cost
        from main.rpt_chargeback_monthly
        where billing_period = ?
        group by all
        order by total_cost desc, cost_centre_id, billing_currency
        """,
        [month],
        month,
    )


def cost_per_outcome(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Cost per outcome and ROI per outcome type, team and application (rpt_cost_per_outcome_summary).

    The summary mart counts each workload's cost once and keeps currencies apart; ratios are its own (a
    ratio recomputed from summed rows would count the workload's cost once per link method).
    """
    return _fetch(
        con,
        "rpt_cost_per_outcome_summary",
        """
        select outcome_type, team, application, billing_currency,
               group_outcomes as outcomes, outcome_value, linked_cost, workload_cost, linked_cost_share,
               cost_per_outcome, value_per_outcome, roi
        from main.rpt_cost_per_outcome_summary
        where billing_period = ?
        order by outcome_type, linked_cost desc, team, application, billing_currency
        """,
        [month],
        month,
    )


def unit_costs_daily(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Cost per request and per million tokens, per day and team (ratios of the summed parts)."""
    return _fetch(
        con,
        "rpt_unit_costs_daily",
        """
        select cost_date as day, team, billing_currency,
               sum(allocated_cost) / nullif(sum(requests), 0) as cost_per_request,
               sum(allocated_cost) * 1000000 / nullif(sum(provider_tokens), 0) as cost_per_million_tokens
        from main.rpt_unit_costs_daily
        where strftime(cost_date, '%Y-%m') = ?
        group by all
        order by day, team, billing_currency
        """,
        [month],
        month,
    )


def budget_burndown(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """The month's burn-down rows of every budget, actual days then forecast days."""
    return _fetch(
        con,
        "rpt_budget_burndown_daily",
        """
        select scope_type, scope_value, cost_date, billing_currency, cumulative_cost, forecast_cumulative_cost,
               budget_amount, soft_limit, hard_limit, is_forecast
        from main.rpt_budget_burndown_daily
        where budget_month = ?
        order by scope_type, scope_value, billing_currency, cost_date
        """,
        [month],
        month,
    )


def budget_status(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """Each budget's status for the month, breached and forecast-over first."""
    return _fetch(
        con,
        "rpt_budget_status",
        """
        select scope_type, scope_value, billing_currency, budget_amount, as_of_date, month_to_date_cost,
               forecast_month_end, consumed_pct, forecast_pct, status, soft_breached_on, hard_breached_on
        from main.rpt_budget_status
        where budget_month = ?
        order by case status when 'hard_breach' then 0 when 'soft_breach' then 1 when 'forecast_over_hard' then 2
                 when 'forecast_over_soft' then 3 else 4 end, scope_type, scope_value
        """,
        [month],
        month,
    )


def top_opportunities(con: duckdb.DuckDBPyConnection, month: str, limit: int = 10) -> Rows:
    """The largest optimisation opportunities of the month."""
    return _fetch(
        con,
        "rpt_optimization_opportunities",
        """
        select savings_rank, opportunity_type, team, application, provider_name, model_id, suggested_action,
               current_cost, estimated_savings, billing_currency, evidence
        from main.rpt_optimization_opportunities
        where billing_period = ?
        order by savings_rank, opportunity_type
        limit ?
        """,
        [month, limit],
        month,
    )


# Request-traffic kinds can cover the same calls (a short call can also be batch-eligible and re-send its
# context), and a provisioning suggestion (all teams, no deployment) is an alternative to per-team changes of
# the same model: per model only the larger side is counted, per team and application the largest request
# kind. Capacity kinds (a resource id) are per deployment or instance over disjoint costs: a deployment's
# busy-hour share (provisioned break-even) and its idle hours (idle provisioned) add up, as GPU idle hours do.
_REQUEST_KINDS = "'cheaper_model_tier', 'prompt_caching', 'batch_pricing'"


def savings_total(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """The month's savings per currency, overlapping opportunities counted once (the largest of them).

    `estimated_savings` is that non-overlapping figure, `gross_savings` the plain sum of every opportunity
    (which double-counts), `opportunities` how many rows there are.
    """
    return _fetch(
        con,
        "rpt_optimization_opportunities",
        f"""
        with month as (
            select * from main.rpt_optimization_opportunities where billing_period = ?
        ),
        traffic as (
            select billing_currency, provider_name, model_id, team, application, max(estimated_savings) as savings
            from month
            where opportunity_type in ({_REQUEST_KINDS})
            group by all
        ),
        per_team as (
            select billing_currency, provider_name, model_id, sum(savings) as savings
            from traffic
            group by all
        ),
        provisioning as (
            select billing_currency, provider_name, model_id, sum(estimated_savings) as savings
            from month
            where opportunity_type not in ({_REQUEST_KINDS}) and resource_id is null
            group by all
        ),
        per_model as (
            select
                coalesce(per_team.billing_currency, provisioning.billing_currency) as billing_currency,
                greatest(coalesce(per_team.savings, 0), coalesce(provisioning.savings, 0)) as savings
            from per_team
            full outer join provisioning
                on per_team.billing_currency = provisioning.billing_currency
                and per_team.provider_name = provisioning.provider_name
                and per_team.model_id is not distinct from provisioning.model_id
        ),
        capacity as (
            select billing_currency, estimated_savings as savings
            from month
            where opportunity_type not in ({_REQUEST_KINDS}) and resource_id is not null
        ),
        counted as (
            select billing_currency, savings from per_model
            union all
            select billing_currency, savings from capacity
        ),
        totals as (
            select billing_currency, count(*) as opportunities, sum(estimated_savings) as gross_savings
            from month
            group by billing_currency
        )
        select totals.billing_currency, totals.opportunities, totals.gross_savings,
               (select sum(savings) from counted where counted.billing_currency = totals.billing_currency)
                   as estimated_savings
        from totals
        order by totals.billing_currency
        """,
        [month],
        month,
    )


def kpis(con: duckdb.DuckDBPyConnection, month: str) -> Rows:
    """The month's FinOps-for-AI KPIs."""
    return _fetch(
        con,
        "rpt_ai_kpis_monthly",
        """
        select kpi_group, kpi_name, kpi_value, kpi_unit, description
        from main.rpt_ai_kpis_monthly
        where billing_period = ?
        order by kpi_group, kpi_name
        """,
        [month],
        month,
    )
