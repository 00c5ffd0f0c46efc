from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "openai_usage" / "valid"
INVALID = FIXTURES / "openai_usage" / "invalid"


def test_usage_page_loads_one_row_per_result_and_keeps_unknown_fields_out(con, landing):
    place(landing, "openai_usage/usage/completions/2025-10/page-0001.json", VALID / "usage_completions_page.json")

    result = load(con, "openai_usage", landing)

    assert (result.files_loaded, result.rows_loaded) == (1, 2)
    rows = con.execute(
        "SELECT project_id, model, batch, input_tokens, input_cached_tokens, output_tokens, num_model_requests, "
        "strftime(bucket_start_time, '%Y-%m-%d'), _source_row FROM raw_openai_usage.completions_usage ORDER BY _source_row"
    ).fetchall()
    assert rows == [
        ("proj_support", "gpt-4o-mini-2024-07-18", False, 1000, 800, 500, 5, "2025-10-01", 1),
        ("proj_docs", "gpt-4o-2024-08-06", True, 4000, None, 100, 2, "2025-10-01", 2),
    ]
    assert scalar(con, "SELECT billing_period FROM raw._loads") == "2025-10"


def test_costs_amounts_are_parsed_as_exact_decimals(con, landing):
    place(landing, "openai_usage/costs/2025-10/page-0001.json", VALID / "costs_page.json")

    load(con, "openai_usage", landing)

    amounts = [
        r[0] for r in con.execute("SELECT amount_value FROM raw_openai_usage.costs ORDER BY _source_row").fetchall()
    ]
    # 0.06 and 0.1 have no exact binary form: parsing through float would not give these sums
    assert amounts == [Decimal("0.06"), Decimal("1.234567891234"), Decimal("0.1")]
    assert scalar(con, "SELECT sum(amount_value) FROM raw_openai_usage.costs") == Decimal("1.394567891234")
    assert scalar(con, "SELECT DISTINCT amount_currency FROM raw_openai_usage.costs") == "USD"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "usage_negative_tokens.json",
            "column data[0].results[1].output_tokens: output_tokens must be a non-negative integer, got -3",
            id="negative-token-count",
        ),
        pytest.param(
            "usage_cached_exceeds_input.json",
            "column data[0].results[0].input_cached_tokens: input_cached_tokens (5000) exceeds input_tokens (1000)",
            id="cached-exceeds-input",
        ),
        pytest.param("usage_truncated_page.json", "invalid JSON:", id="truncated-page"),
        pytest.param("usage_not_utf8.json", "not UTF-8", id="non-utf8-byte"),
        pytest.param("usage_error_body.json", "not an API page", id="error-body-instead-of-page"),
    ],
)
def test_malformed_usage_page_is_quarantined_and_others_still_load(con, landing, fixture, expected):
    place(landing, "openai_usage/usage/completions/2025-10/bad.json", INVALID / fixture)
    place(landing, "openai_usage/usage/completions/2025-10/good.json", VALID / "usage_completions_page.json")

    result = load(con, "openai_usage", landing)

    assert result.rows_loaded == 2
    assert len(result.quarantined) == 1
    assert result.quarantined[0].startswith("openai_usage/usage/completions/2025-10/bad.json")
    assert expected in result.quarantined[0]


def test_truncated_page_error_names_the_line(con, landing):
    place(landing, "openai_usage/usage/completions/2025-10/bad.json", INVALID / "usage_truncated_page.json")

    result = load(con, "openai_usage", landing)

    assert ", line " in result.quarantined[0]


def test_cost_amount_that_is_not_a_number_is_quarantined(con, landing):
    place(landing, "openai_usage/costs/2025-10/bad.json", INVALID / "costs_amount_not_a_number.json")

    result = load(con, "openai_usage", landing)

    assert result.quarantined == [
        "openai_usage/costs/2025-10/bad.json, column data[0].results[0].amount.value: expected a number, got 'n/a'"
    ]
    assert scalar(con, "SELECT count(*) FROM raw_openai_usage.costs") == 0
