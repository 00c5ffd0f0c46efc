from datetime import date
from decimal import Decimal

from pipelines.pricing.catalogue import catalogue_rows, catalogue_version, model_price_rows, refresh_catalogue


def _prices(rows, tier="standard", band=0):
    return {
        (r.token_type, r.valid_from): r.usd_per_mtok
        for r in rows
        if r.service_tier == tier and r.min_context_tokens == band
    }


def test_prices_per_disjoint_token_type_from_the_bundled_catalogue():
    rows = model_price_rows("anthropic", "claude-sonnet-4-5-20250929")

    standard = _prices(rows)
    epoch = date(1970, 1, 1)
    assert standard[("input", epoch)] == Decimal("3")
    assert standard[("cache_read", epoch)] == Decimal("0.3")
    assert standard[("cache_write_5m", epoch)] == Decimal("3.75")
    assert standard[("cache_write_1h", epoch)] == Decimal("6")
    assert standard[("output", epoch)] == Decimal("15")
    # long-context band: prompts of 200k tokens and more
    assert _prices(rows, band=200000)[("input", epoch)] == Decimal("6")


def test_a_tier_price_applies_only_from_the_date_the_catalogue_records_it():
    rows = model_price_rows("openai", "gpt-4o-2024-08-06")

    batch = [r for r in rows if r.service_tier == "batch" and r.token_type == "input"]
    assert [(r.valid_from, r.valid_to, r.usd_per_mtok) for r in batch] == [(date(2026, 10, 14), None, Decimal("1.25"))]


def test_a_model_the_catalogue_lacks_has_no_rows():
    assert model_price_rows("aws", "mistral.mistral-large-2407-v1:0") == []


def test_refresh_appends_a_version_once(con):
    version, written = refresh_catalogue(con, ["gpt-4o-2024-08-06"])
    again, written_again = refresh_catalogue(con, ["gpt-4o-2024-08-06"])

    assert version == again and written > 0 and written_again == 0
    assert con.execute("SELECT count(DISTINCT catalogue_version) FROM raw_prices.genai_prices").fetchall() == [(1,)]
    # a different catalogue (here: more models) is a new version beside the old one
    bigger, _ = refresh_catalogue(con, ["gpt-4o-2024-08-06", "gpt-5-2025-08-07"])
    assert bigger != version
    assert con.execute("SELECT count(DISTINCT catalogue_version) FROM raw_prices.genai_prices").fetchall() == [(2,)]


def test_version_names_the_package_and_the_rows():
    rows = catalogue_rows(["gpt-4o-2024-08-06"])
    assert catalogue_version(rows).startswith("genai-prices 0.2.3 ")
    assert catalogue_version(rows) != catalogue_version(rows[:-1])
