"""Raw contracts of ``raw_openai_usage``: one row per result of an Admin API usage or costs bucket."""

from pipelines.contracts import MONEY, Column, RawTable

_BUCKET = (
    Column("bucket_start_time", "TIMESTAMPTZ"),
    Column("bucket_end_time", "TIMESTAMPTZ"),
)

COMPLETIONS = RawTable(
    slug="openai_usage",
    name="completions_usage",
    period_column="bucket_start_time",
    columns=(
        *_BUCKET,
        Column("project_id", "VARCHAR", required=False),
        Column("user_id", "VARCHAR", required=False),
        Column("api_key_id", "VARCHAR", required=False),
        Column("model", "VARCHAR", required=False),
        Column("batch", "BOOLEAN", required=False),
        Column("service_tier", "VARCHAR", required=False),
        Column("input_tokens", "BIGINT"),
        Column("input_cached_tokens", "BIGINT", required=False),
        Column("input_audio_tokens", "BIGINT", required=False),
        Column("output_tokens", "BIGINT"),
        Column("output_audio_tokens", "BIGINT", required=False),
        Column("num_model_requests", "BIGINT"),
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
        Column("amount_value", MONEY),
        Column("amount_currency", "VARCHAR"),
    ),
)
