import json
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "openai_usage" / "valid"
INVALID = FIXTURES / "openai_usage" / "invalid"


def test_usage_page_loads_one_row_per_result(con, landing):
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


ENDPOINT_QUANTITIES = {
    "embeddings": ("text-embedding-3-small", "input_tokens", 120000),
    "moderations": ("omni-moderation-latest", "input_tokens", 5000),
    "images": ("gpt-image-1", "images", 12),
    "audio_speeches": ("tts-1", "characters", 45000),
    "audio_transcriptions": ("whisper-1", "seconds", 3600),
    "vector_stores": (None, "usage_bytes", 1073741824),
    "code_interpreter_sessions": (None, "num_sessions", 7),
    "file_search_calls": (None, "num_requests", 40),
    "web_search_calls": ("gpt-4.1-mini-2025-04-14", "num_requests", 15),
}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINT_QUANTITIES))
def test_every_usage_endpoint_loads_its_quantity(con, landing, endpoint):
    place(landing, f"openai_usage/usage/{endpoint}/2025-10/page-0001.json", VALID / f"usage_{endpoint}_page.json")

    result = load(con, "openai_usage", landing)

    model, quantity, expected = ENDPOINT_QUANTITIES[endpoint]
    assert (result.files_loaded, result.rows_loaded, result.quarantined) == (1, 1, [])
    assert con.execute(f"SELECT endpoint, model, {quantity} FROM raw_openai_usage.other_usage").fetchall() == [
        (endpoint, model, expected)
    ]


def test_a_field_of_another_endpoint_is_refused(con, landing):
    # vector_stores measures bytes: a token count there is not something this contract understands
    page = (VALID / "usage_vector_stores_page.json").read_text().replace('"usage_bytes"', '"input_tokens"')
    (landing / "openai_usage/usage/vector_stores").mkdir(parents=True)
    (landing / "openai_usage/usage/vector_stores/p.json").write_text(page)

    result = load(con, "openai_usage", landing)

    assert result.quarantined == [
        "openai_usage/usage/vector_stores/p.json, column data[0].results[0].input_tokens: unknown field input_tokens "
        "carries a token count (1073741824) that no token type accounts for: loading the page without it would "
        "undercount tokens"
    ]


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
            "column data[0].results[0].input_cached_tokens: input_cached_tokens + input_cache_write_tokens (5000) exceed "
            "input_tokens (1000)",
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


@pytest.mark.parametrize(
    ("page", "folder", "table"),
    [
        pytest.param("costs_page.json", "costs", "costs", id="costs-with-quantity-unit"),
        pytest.param("completions_page.json", "usage/completions", "completions_usage", id="cache-write-tokens"),
        pytest.param("file_search_calls_page.json", "usage/file_search_calls", "other_usage", id="file-searches"),
        pytest.param("web_search_calls_page.json", "usage/web_search_calls", "other_usage", id="web-searches"),
    ],
)
def test_currently_documented_pages_load(con, landing, page, folder, table):
    place(landing, f"openai_usage/{folder}/2025-10/page-0001.json", VALID / "documented_2026" / page)

    result = load(con, "openai_usage", landing)

    assert result.quarantined == [] and result.rows_loaded == 1
    assert scalar(con, f"SELECT count(*) FROM raw_openai_usage.{table} WHERE extra_fields IS NOT NULL") == 0
    assert scalar(con, "SELECT count(*) FROM raw._schema_drift") == 0


def test_cache_writes_are_their_own_token_type(con, landing):
    place(landing, "openai_usage/usage/completions/2025-10/p.json", VALID / "documented_2026" / "completions_page.json")
    load(con, "openai_usage", landing)

    row = con.execute(
        "SELECT input_tokens, input_cached_tokens, input_cache_write_tokens FROM raw_openai_usage.completions_usage"
    ).fetchone()

    assert row == (1000, 300, 200)


def test_an_unknown_field_is_kept_and_reported_as_drift(con, landing):
    place(landing, "openai_usage/usage/completions/2025-10/p.json", VALID / "usage_completions_new_field_page.json")

    result = load(con, "openai_usage", landing)

    assert result.quarantined == [] and result.rows_loaded == 2
    extra = scalar(con, "SELECT extra_fields FROM raw_openai_usage.completions_usage WHERE extra_fields IS NOT NULL")
    assert json.loads(extra) == {"a_field_added_later": {"nested": True}}
    assert con.execute("SELECT raw_table, field, files FROM raw._schema_drift").fetchall() == [
        ("raw_openai_usage.completions_usage", "a_field_added_later", 1)
    ]


def test_an_unknown_token_count_quarantines_the_page_and_says_why(con, landing, tmp_path):
    page = json.loads((VALID / "documented_2026" / "completions_page.json").read_text())
    page["data"][0]["results"][0]["input_video_tokens"] = 77
    (tmp_path / "page.json").write_text(json.dumps(page))
    place(landing, "openai_usage/usage/completions/2025-10/p.json", tmp_path / "page.json")

    result = load(con, "openai_usage", landing)

    assert result.quarantined == [
        "openai_usage/usage/completions/2025-10/p.json, column data[0].results[0].input_video_tokens: unknown field "
        "input_video_tokens carries a token count (77) that no token type accounts for: loading the page without it "
        "would undercount tokens"
    ]


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


def test_an_unknown_model_loads_as_reported_for_pricing_to_flag(con, landing):
    # a model no seed or catalogue knows is not a bad file: it loads, and rpt_unpriced_usage lists it
    place(landing, "openai_usage/usage/completions/2025-10/page-0001.json", VALID / "usage_unknown_model_page.json")

    result = load(con, "openai_usage", landing)

    assert (result.rows_loaded, result.quarantined) == (2, [])
    assert scalar(con, "SELECT count(*) FROM raw_openai_usage.completions_usage WHERE model LIKE 'gpt-99%'") == 1
