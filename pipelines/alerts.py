"""Budget and anomaly alerts of the latest run, as text or JSON lines for any notifier.

The marts decide what is alarming (``rpt_budget_status``, ``rpt_cost_anomalies``); this module only reads
them. An anomaly is an alert of the latest run when that run first detected it (``is_new_in_latest_run``:
``first_detected_at`` is kept across runs, so a second run does not alert again about yesterday's spike,
and a run that finds nothing new alerts about no anomaly); ``include_known`` lists every anomaly instead. A budget is an alert whenever its latest month's status is not ``ok``: a breached
budget stays breached until the month ends. Amounts stay exact: JSON carries them as decimal strings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from pipelines.build_state import last_run_built

SEVERITIES = ("low", "medium", "high")

# Budget statuses worth an alert, and the severity each carries.
_BUDGET_SEVERITY = {
    "hard_breach": "high",
    "soft_breach": "medium",
    "forecast_over_hard": "medium",
    "forecast_over_soft": "low",
}


@dataclass(frozen=True)
class Alert:
    """One alert.

    Attributes:
        kind: ``budget`` or ``anomaly``.
        severity: ``low``, ``medium`` or ``high``.
        rule: The budget status (``hard_breach`` ...) or the anomaly rule (``daily_spend_spike`` ...).
        day: The day it concerns (the budget's as-of date, the anomaly's day), ISO format.
        scope: What it concerns, e.g. ``team=growth`` or ``team=support application=ticket-triage``.
        message: One sentence for a person.
        amount: The money at stake (month-to-date cost, the anomaly's cost impact), a decimal string.
        currency: Currency of ``amount``.
        alert_id: Stable identifier (the anomaly id, or budget month and scope), for de-duplication.
    """

    kind: str
    severity: str
    rule: str
    day: str
    scope: str
    message: str
    amount: str
    currency: str
    alert_id: str


def _scope(**parts: str | None) -> str:
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def _fixed(value: Decimal | None, places: int) -> Decimal:
    # Half away from zero, as the cents of the marts; format() alone would round half to even.
    return (value or Decimal(0)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _money(value: Decimal | None) -> str:
    return f"{_fixed(value, 2):,}"


def budget_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """Budgets of the latest budget month whose status is not ``ok``."""
    rows = con.execute(
        """
        SELECT budget_month, scope_type, scope_value, status, as_of_date, month_to_date_cost, budget_amount,
               consumed_pct, forecast_month_end, billing_currency
        FROM main.rpt_budget_status
        WHERE budget_month = (SELECT max(budget_month) FROM main.rpt_budget_status) AND status <> 'ok'
        ORDER BY scope_type, scope_value
        """
    ).fetchall()
    alerts = []
    for month, scope_type, scope_value, status, as_of, mtd, budget, consumed, forecast, currency in rows:
        message = (
            f"{scope_type} {scope_value}: {status.replace('_', ' ')} of the {month} budget: "
            f"{currency} {_money(mtd)} spent of {_money(budget)} ({_fixed(consumed, 1)}%) by {as_of}, "
            f"forecast {_money(forecast)} at month end"
        )
        alerts.append(
            Alert(
                kind="budget",
                severity=_BUDGET_SEVERITY.get(status, "low"),
                rule=status,
                day=str(as_of),
                scope=_scope(**{scope_type: scope_value}),
                message=message,
                amount=str(mtd),
                currency=currency,
                alert_id=f"budget:{month}:{scope_type}:{scope_value}",
            )
        )
    return alerts


def anomaly_alerts(con: duckdb.DuckDBPyConnection, include_known: bool = False) -> list[Alert]:
    """Anomalies the latest run detected first (every anomaly with ``include_known``)."""
    if not include_known and not last_run_built(con):
        # the latest run found the warehouse current and built nothing: it detected nothing new
        return []
    latest = "" if include_known else "WHERE is_new_in_latest_run"
    rows = con.execute(
        f"""
        SELECT anomaly_id, rule, severity, anomaly_date, team, application, model_id, explanation, cost_impact,
               billing_currency
        FROM main.rpt_cost_anomalies {latest}
        ORDER BY anomaly_date, rule, team, application, model_id
        """
    ).fetchall()
    return [
        Alert(
            kind="anomaly",
            severity=severity,
            rule=rule,
            day=str(day),
            scope=_scope(team=team, application=application, model=model),
            message=explanation,
            amount=str(impact if impact is not None else Decimal(0)),
            currency=currency or "",
            alert_id=anomaly_id,
        )
        for anomaly_id, rule, severity, day, team, application, model, explanation, impact, currency in rows
    ]


def collect_alerts(
    con: duckdb.DuckDBPyConnection, min_severity: str = "low", include_known: bool = False
) -> list[Alert]:
    """Budget then anomaly alerts at or above ``min_severity``, most severe first.

    Args:
        con: Warehouse connection (read-only is enough).
        min_severity: ``low``, ``medium`` or ``high``.
        include_known: List every anomaly, not only those the latest run detected first.

    Returns:
        The alerts, most severe first, then by day.
    """
    floor = SEVERITIES.index(min_severity)
    alerts = budget_alerts(con) + anomaly_alerts(con, include_known)
    kept = [a for a in alerts if SEVERITIES.index(a.severity) >= floor]
    return sorted(kept, key=lambda a: (-SEVERITIES.index(a.severity), a.kind, a.day, a.scope, a.rule))


def render_alerts(alerts: list[Alert]) -> str:
    """One line per alert, for a terminal or a log."""
    if not alerts:
        return "No alerts."
    return "\n".join(f"[{a.severity.upper():<6}] {a.kind:<7} {a.day}  {a.message}" for a in alerts)


def write_jsonl(alerts: list[Alert], path: Path) -> Path:
    """Writes one JSON object per alert (fields of :class:`Alert`) to ``path``, replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text("".join(json.dumps(asdict(a), sort_keys=True) + "\n" for a in alerts), encoding="utf-8")
    partial.replace(path)
    return path
