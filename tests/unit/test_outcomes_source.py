from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "outcomes" / "valid"
INVALID = FIXTURES / "outcomes" / "invalid"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_outcome_events_load_with_exact_values_and_their_links(con, landing, suffix):
    place(landing, f"outcomes/support/outcomes_2026-10-03.{suffix}", VALID / f"outcomes_2026-10-03.{suffix}")

    result = load(con, "outcomes", landing)

    assert result.files_loaded == 1 and result.rows_loaded == 4 and not result.quarantined
    assert scalar(con, "SELECT sum(value) FROM raw_outcomes.events") == Decimal("9.80")
    rows = con.execute(
        "SELECT outcome_id, session_id, trace_id, conversation_id, application, currency "
        "FROM raw_outcomes.events ORDER BY outcome_id"
    ).fetchall()
    assert rows == [
        ("D-77", None, None, None, "doc-extraction", "USD"),
        ("L-9", None, None, "conv-42", None, None),
        ("T-1001", "session-0000a1b2", None, None, "ticket-triage", "USD"),
        ("T-1002", None, "4bf92f3577b34da6a3ce929d0e0e4736", None, None, "USD"),
    ]
    assert scalar(con, "SELECT billing_period FROM raw._loads WHERE status = 'loaded'") == "2026-10"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("outcomes_unlinked.csv", "line 3, column outcome_id: value 'T-1003' links to no AI work"),
        ("outcomes_value_without_currency.csv", "line 2, column currency: value 'usd' is not an ISO 4217 currency"),
    ],
)
def test_outcome_files_with_bad_events_are_quarantined(con, landing, fixture, message):
    place(landing, f"outcomes/bad/{fixture}", INVALID / fixture)
    place(landing, "outcomes/good/outcomes_2026-10-03.csv", VALID / "outcomes_2026-10-03.csv")

    result = load(con, "outcomes", landing)

    assert len(result.quarantined) == 1 and message in result.quarantined[0]
    assert scalar(con, "SELECT count(*) FROM raw_outcomes.events") == 4
