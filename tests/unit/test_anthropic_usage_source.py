import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "anthropic_usage" / "valid"
INVALID = FIXTURES / "anthropic_usage" / "invalid"
USAGE_KEY = "anthropic_usage/usage_report/messages/2025-08/page-0001.json"
COST_KEY = "anthropic_usage/cost_report/2025-08/page-0001.json"


def test_usage_page_loads_disjoint_token_buckets(con, landing):
    place(landing, USAGE_KEY, VALID / "usage_messages_page.json")

    result = load(con, "anthropic_usage", landing)

    assert (result.files_loaded, result.rows_loaded, result.quarantined) == (1, 2, [])
    rows = con.execute(
        "SELECT workspace_id, model, service_tier, uncached_input_tokens, cache_creation_ephemeral_5m_input_tokens, "
        "cache_creation_ephemeral_1h_input_tokens, cache_read_input_tokens, output_tokens, "
        "server_tool_use_web_search_requests, strftime(bucket_starting_at, '%Y-%m-%dT%H:%M') "
        "FROM raw_anthropic_usage.messages_usage ORDER BY _source_row"
    ).fetchall()
    assert rows == [
        ("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "claude-sonnet-4-20250514", "standard", 1500, 500, 1000, 200, 500, 10,
         "2025-08-01T00:00"),
        (None, "claude-haiku-4-5-20251001", "batch", 40, 0, 0, 0, 7, None, "2025-08-01T00:00"),
    ]  # fmt: skip


def test_cost_amounts_stay_exact_cents(con, landing):
    place(landing, COST_KEY, VALID / "cost_report_page.json")

    load(con, "anthropic_usage", landing)

    amounts = con.execute("SELECT amount_cents FROM raw_anthropic_usage.cost_report ORDER BY _source_row").fetchall()
    assert [a[0] for a in amounts] == [Decimal("123.78912"), Decimal("0.1"), Decimal("1000")]
    # cents -> dollars is exact: 1,123.88912 cents
    assert scalar(con, "SELECT sum(amount_cents) * 0.01 FROM raw_anthropic_usage.cost_report") == Decimal("11.2388912")
    assert scalar(con, "SELECT count(*) FROM raw_anthropic_usage.cost_report WHERE token_type IS NULL") == 1


@pytest.mark.parametrize(
    ("fixture", "folder", "expected"),
    [
        pytest.param(
            "usage_negative_tokens.json",
            "usage_report/messages",
            "column data[0].results[1].output_tokens: output_tokens must be a non-negative integer, got -3",
            id="negative-token-count",
        ),
        pytest.param(
            "usage_unknown_field.json",
            "usage_report/messages",
            "column data[0].results[0].cache_creation_input_tokens: unknown field cache_creation_input_tokens "
            "carries a token count (1500) that no token type accounts for",
            id="unknown-token-field",
        ),
        pytest.param(
            "usage_unknown_cache_field.json",
            "usage_report/messages",
            "column data[0].results[0].cache_creation.ephemeral_24h_input_tokens: unknown field "
            "ephemeral_24h_input_tokens carries a token count",
            id="unknown-cache-duration",
        ),
        pytest.param(
            "usage_bad_time.json",
            "usage_report/messages",
            "column data[1].starting_at: starting_at must be an RFC 3339 time with offset, got '2025-08-02'",
            id="not-rfc3339",
        ),
        pytest.param("usage_truncated_page.json", "usage_report/messages", "invalid JSON:", id="truncated-page"),
        pytest.param("usage_not_utf8.json", "usage_report/messages", "not UTF-8", id="non-utf8-byte"),
        pytest.param(
            "cost_amount_number.json",
            "cost_report",
            "column data[0].results[0].amount: amount must be a decimal string (cents), got 123.78912",
            id="amount-not-a-string",
        ),
    ],
)
def test_malformed_page_is_quarantined_and_others_still_load(con, landing, fixture, folder, expected):
    place(landing, f"anthropic_usage/{folder}/2025-08/bad.json", INVALID / fixture)
    place(landing, USAGE_KEY, VALID / "usage_messages_page.json")

    result = load(con, "anthropic_usage", landing)

    assert result.rows_loaded == 2
    assert len(result.quarantined) == 1
    assert result.quarantined[0].startswith(f"anthropic_usage/{folder}/2025-08/bad.json")
    assert expected in result.quarantined[0]


def test_a_cost_row_with_a_new_token_type_keeps_its_amount_and_reports_drift(con, landing):
    place(landing, COST_KEY, VALID / "cost_new_token_type_page.json")

    result = load(con, "anthropic_usage", landing)

    assert result.quarantined == [] and result.rows_loaded == 3
    token_type, amount = con.execute(
        "SELECT token_type, amount_cents FROM raw_anthropic_usage.cost_report ORDER BY _source_row LIMIT 1"
    ).fetchone()
    assert (token_type, amount) == ("cache_creation_input_tokens", Decimal("123.78912"))
    drift = con.execute("SELECT raw_table, field, first_seen_path FROM raw._schema_drift").fetchall()
    assert drift == [("raw_anthropic_usage.cost_report", "token_type=cache_creation_input_tokens", COST_KEY)]


def test_unknown_fields_are_kept_as_drift_and_the_page_loads(con, landing, tmp_path):
    page = json.loads((VALID / "usage_messages_page.json").read_text())
    page["data"][0]["results"][0]["inference_region"] = "eu"
    page["data"][0]["results"][0]["server_tool_use"]["code_execution_requests"] = 4
    page["data"][0]["bucket_id"] = "b-1"
    (tmp_path / "page.json").write_text(json.dumps(page))
    place(landing, USAGE_KEY, tmp_path / "page.json")

    result = load(con, "anthropic_usage", landing)

    assert result.quarantined == [] and result.rows_loaded == 2
    extra = scalar(con, "SELECT extra_fields FROM raw_anthropic_usage.messages_usage ORDER BY _source_row LIMIT 1")
    assert json.loads(extra) == {
        "bucket.bucket_id": "b-1",
        "inference_region": "eu",
        "server_tool_use.code_execution_requests": 4,
    }
    fields = [r[0] for r in con.execute("SELECT field FROM raw._schema_drift ORDER BY field").fetchall()]
    assert fields == ["bucket.bucket_id", "inference_region", "server_tool_use.code_execution_requests"]


def test_reloading_unchanged_pages_is_a_no_op(con, landing):
    place(landing, USAGE_KEY, VALID / "usage_messages_page.json")
    place(landing, COST_KEY, VALID / "cost_report_page.json")
    load(con, "anthropic_usage", landing)

    again = load(con, "anthropic_usage", landing)

    assert (again.files_loaded, again.rows_loaded, again.files_unchanged) == (0, 0, 2)
    assert scalar(con, "SELECT count(*) FROM raw_anthropic_usage.messages_usage") == 2
