"""Raw contract of ``raw_outcomes.events``: business outcome events (a ticket resolved, a document processed).

Each event links to the AI work that produced it, either directly (trace, session or conversation id, as the
gateway or OpenTelemetry spans carry them) or by workload and day (team, application, feature). Row rules
quarantine a file with an event that links to nothing, or a value without a currency.
"""

from pipelines.load.contracts import MONEY, Column, RawTable, RowCheck

EVENTS = RawTable(
    slug="outcomes",
    name="events",
    period_column="occurred_at",
    columns=(
        Column("occurred_at", "TIMESTAMPTZ"),
        Column("outcome_type", "VARCHAR"),
        Column("outcome_id", "VARCHAR"),
        Column("value", MONEY, required=False),
        Column("currency", "VARCHAR", required=False),
        Column("trace_id", "VARCHAR", required=False),
        Column("session_id", "VARCHAR", required=False),
        Column("conversation_id", "VARCHAR", required=False),
        Column("team", "VARCHAR", required=False),
        Column("application", "VARCHAR", required=False),
        Column("feature", "VARCHAR", required=False),
        Column("customer_id", "VARCHAR", required=False),
    ),
    checks=(
        RowCheck(
            "outcome_id",
            "coalesce(trace_id, session_id, conversation_id, team, application, feature) IS NOT NULL",
            "links to no AI work: give a trace, session or conversation id, or a team, application or feature",
        ),
        RowCheck(
            "currency",
            "value IS NULL OR regexp_full_match(coalesce(currency, ''), '[A-Z]{3}')",
            "is not an ISO 4217 currency code for the event's value",
        ),
        RowCheck("outcome_type", "trim(outcome_type) <> ''", "is empty: every event needs an outcome type"),
    ),
)
