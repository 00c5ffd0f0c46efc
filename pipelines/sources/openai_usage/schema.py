"""Raw contracts of ``raw_openai_usage``: one row per result of an Admin API usage or costs bucket."""

from pipelines.load.contracts import EXTRA_FIELDS, MONEY, Column, RawTable

_BUCKET = (
    Column("bucket_start_time", "TIMESTAMPTZ"),
    Column("bucket_end_time", "TIMESTAMPTZ"),
)
_GROUPS = (
    Column("project_id", "VARCHAR", required=False),
    Column("user_id", "VARCHAR", required=False),
    Column("api_key_id", "VARCHAR", required=False),
    Column("model", "VARCHAR", required=False),
    Column("batch", "BOOLEAN", required=False),
    Column("service_tier", "VARCHAR", required=False),
)

COMPLETIONS = RawTable(
    slug="openai_usage",
    name="completions_usage",
    period_column="bucket_start_time",
    columns=(
        *_BUCKET,
        *_GROUPS,
        Column("input_tokens", "BIGINT"),
        Column("input_cached_tokens", "BIGINT", required=False),
        # Prompt-cache writes (newer pages): part of input_tokens, priced as the cache_write token type.
        Column("input_cache_write_tokens", "BIGINT", required=False),
        Column("input_audio_tokens", "BIGINT", required=False),
        Column("output_tokens", "BIGINT"),
        Column("output_audio_tokens", "BIGINT", required=False),
        Column("num_model_requests", "BIGINT"),
        # Newer breakdowns of the same counts (never added to them): input_tokens still includes all.
        Column("input_uncached_tokens", "BIGINT", required=False),
        Column("input_text_tokens", "BIGINT", required=False),
        Column("input_cached_text_tokens", "BIGINT", required=False),
        Column("input_image_tokens", "BIGINT", required=False),
        Column("input_cached_image_tokens", "BIGINT", required=False),
        Column("input_cached_audio_tokens", "BIGINT", required=False),
        Column("output_text_tokens", "BIGINT", required=False),
        Column("output_image_tokens", "BIGINT", required=False),
        Column("api_source", "VARCHAR", required=False),
        # Fields of the result this contract does not know, as sent (schema drift, reported).
        Column(EXTRA_FIELDS, "JSON", required=False),
    ),
)

# The other usage endpoints share one table: each fills the quantities it measures (``endpoint`` says
# which), the rest stay null.
OTHER_USAGE = RawTable(
    slug="openai_usage",
    name="other_usage",
    period_column="bucket_start_time",
    columns=(
        *_BUCKET,
        Column("endpoint", "VARCHAR"),
        *_GROUPS,
        Column("source", "VARCHAR", required=False),
        Column("size", "VARCHAR", required=False),
        Column("vector_store_id", "VARCHAR", required=False),
        Column("context_level", "VARCHAR", required=False),
        Column("input_tokens", "BIGINT", required=False),
        Column("num_model_requests", "BIGINT", required=False),
        Column("images", "BIGINT", required=False),
        Column("characters", "BIGINT", required=False),
        Column("seconds", "BIGINT", required=False),
        Column("usage_bytes", "BIGINT", required=False),
        Column("num_sessions", "BIGINT", required=False),
        Column("num_requests", "BIGINT", required=False),
        Column(EXTRA_FIELDS, "JSON", required=False),
    ),
)

COSTS = RawTable(
    slug="openai_usage",
    name="costs",
    period_column="bucket_start_time",
    columns=(
        *_BUCKET,
        Column("project_id", "VARCHAR", required=False),
        Column("api_key_id", "VARCHAR", required=False),
        Column("line_item", "VARCHAR", required=False),
        Column("quantity", "DECIMAL(38, 12)", required=False),
        Column("quantity_unit", "VARCHAR", required=False),
        Column("amount_value", MONEY, not_null=True),
        Column("amount_currency", "VARCHAR", not_null=True),
        Column(EXTRA_FIELDS, "JSON", required=False),
    ),
)
