import hashlib
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "litellm" / "valid"
INVALID = FIXTURES / "litellm" / "invalid"
BODY_COLUMNS = ("messages", "response", "proxy_server_request")


@pytest.mark.parametrize(
    ("fixture", "first_request"),
    [
        pytest.param("spend_logs_2026-10-01.csv", "req-1", id="csv"),
        pytest.param("spend_logs_2026-10-02.parquet", "req-1-pq", id="parquet"),
        pytest.param("spend_logs_2026-10-03.jsonl", "req-jl-1", id="json-lines"),
    ],
)
def test_spend_logs_load_typed_without_bodies(con, landing, fixture, first_request):
    place(landing, f"litellm/{fixture}", VALID / fixture)

    result = load(con, "litellm", landing)

    assert (result.files_loaded, result.rows_loaded) == (1, 3)
    columns = {r[0] for r in con.execute("DESCRIBE raw_litellm.spend_logs").fetchall()}
    assert not columns & set(BODY_COLUMNS)
    dump = str(con.execute("SELECT * FROM raw_litellm.spend_logs").fetchall())
    assert "SECRET" not in dump
    row = con.execute(
        "SELECT request_id, spend, prompt_tokens, \"startTime\", metadata->>'$.usage_object.cache_read_input_tokens', "
        "team_id, cache_hit FROM raw_litellm.spend_logs ORDER BY _source_row LIMIT 1"
    ).fetchone()
    assert row[0] == first_request
    assert row[1] == Decimal("0.0105")
    assert row[2] == 3000
    assert row[3].tzinfo is not None and row[3].hour == 10  # naive export times are UTC
    assert row[4:] == ("1500", "team-support", "False")
    assert scalar(con, "SELECT sum(spend) FROM raw_litellm.spend_logs") == Decimal("0.010626")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "spend_logs_bad_timestamp.csv",
            ', line 3, column startTime: Could not convert string "yesterday at noon"',
            id="bad-timestamp",
        ),
        pytest.param("spend_logs_missing_spend.csv", "required column(s) missing: spend", id="missing-spend"),
        pytest.param(
            "spend_logs_spend_not_numeric.parquet",
            ", line 2, column spend: value 'lots' is not a valid DECIMAL(38, 12)",
            id="parquet-value-not-a-number",
        ),
        pytest.param(
            "spend_logs_tokens_not_numeric.jsonl",
            ', line 2: Failed to cast value to numerical: "many"',
            id="json-lines-value-not-a-number",
        ),
    ],
)
def test_malformed_spend_log_is_quarantined(con, landing, fixture, expected):
    place(landing, f"litellm/{fixture}", INVALID / fixture)
    place(landing, "litellm/spend_logs_2026-10-01.csv", VALID / "spend_logs_2026-10-01.csv")

    result = load(con, "litellm", landing)

    assert result.rows_loaded == 3
    assert len(result.quarantined) == 1 and expected in result.quarantined[0]
    assert result.quarantined[0].startswith(f"litellm/{fixture}")


def test_end_users_are_pseudonymised_at_load_when_a_salt_is_set(con, landing, monkeypatch):
    monkeypatch.setenv("AICOST_PSEUDONYM_SALT", "test-pepper")
    place(landing, "litellm/spend_logs_2026-10-01.csv", VALID / "spend_logs_2026-10-01.csv")

    load(con, "litellm", landing)

    end_users = con.execute("SELECT end_user FROM raw_litellm.spend_logs ORDER BY _source_row").fetchall()
    # sha256("test-pepper" + "customer-1"), computed outside DuckDB; an empty end user stays empty
    expected = "u-" + hashlib.sha256(b"test-pepper" + b"customer-1").hexdigest()
    assert end_users[0] == (expected,)
    assert (None,) in end_users
    assert "customer-1" not in str(con.execute("SELECT * FROM raw_litellm.spend_logs").fetchall())
    # the secret is not left in the session
    assert con.execute("SELECT getvariable('aicost_pseudonym_salt')").fetchone() == (None,)


def test_without_a_salt_end_users_are_stored_as_sent(con, landing, monkeypatch):
    monkeypatch.delenv("AICOST_PSEUDONYM_SALT", raising=False)
    place(landing, "litellm/spend_logs_2026-10-01.csv", VALID / "spend_logs_2026-10-01.csv")

    load(con, "litellm", landing)

    assert scalar(con, "SELECT end_user FROM raw_litellm.spend_logs ORDER BY _source_row LIMIT 1") == "customer-1"


def demo_world(landing, seed=7):
    """The demo company's calls at the smallest scale (1,000 calls), writing into ``landing``."""
    import duckdb

    from pipelines.demo.world import DemoWorld, build_calls, month_bounds

    start, end = month_bounds("2026-10")
    scratch = duckdb.connect()
    scratch.execute("SET TimeZone = 'UTC'")
    build_calls(scratch, seed, 0.01, start, end)
    return DemoWorld(scratch, landing, 0.01, seed, "2026-10", start, end, text_formats=False)


def test_demo_gateway_traffic_carries_customer_and_feature_in_metadata_and_tags(con, landing):
    from pipelines.demo.org import SUPPORT_CUSTOMERS
    from pipelines.sources.litellm import demo

    written = demo.write(demo_world(landing))
    load(con, "litellm", landing)

    # read as staging reads them: the customer from the caller's metadata, the feature from a feature: tag
    rows = con.execute(
        "SELECT json_extract_string(metadata, '$.requester_metadata.application') AS application, "
        "json_extract_string(metadata, '$.requester_metadata.customer_id') AS customer_id, "
        "nullif(regexp_extract(CAST(request_tags AS VARCHAR), '\"feature:([^\"]+)\"', 1), '') AS feature "
        "FROM raw_litellm.spend_logs"
    ).fetchall()
    assert len(rows) == written
    by_application: dict[str, set[tuple]] = {}
    for application, customer, feature in rows:
        by_application.setdefault(application, set()).add((customer, feature))
    support = by_application["support-assistant"]
    assert {c for c, _ in support} == set(SUPPORT_CUSTOMERS)
    assert {f for _, f in support} == {"chat-reply", "case-summary", "kb-answer"}
    # internal traffic names a feature at most, never a customer; notebooks neither
    assert {c for c, _ in by_application["code-review-bot"]} == {None}
    assert by_application["research-notebooks"] == {(None, None)}
    customers = {c for pairs in by_application.values() for c, _ in pairs} - {None}
    assert customers and all(c.startswith("cust_") for c in customers)
