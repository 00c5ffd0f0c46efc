"""Raw contracts of ``raw_anthropic_usage``: one row per result of a usage_report or cost_report bucket."""

from pipelines.load.contracts import EXTRA_FIELDS, Column, RawTable

_BUCKET = (
    Column("bucket_starting_at", "TIMESTAMPTZ"),
    Column("bucket_ending_at", "TIMESTAMPTZ"),
)

MESSAGES_USAGE = RawTable(
    slug="anthropic_usage",
    name="messages_usage",
    period_column="bucket_starting_at",
    columns=(
        *_BUCKET,
        Column("api_key_id", "VARCHAR", required=False),
        Column("workspace_id", "VARCHAR", required=False),
        Column("model", "VARCHAR", required=False),
        Column("service_tier", "VARCHAR", required=False),
        Column("context_window", "VARCHAR", required=False),
        Column("inference_geo", "VARCHAR", required=False),
        Column("speed", "VARCHAR", required=False),
        # Disjoint buckets, as the report sends them: total input is their sum.
        Column("uncached_input_tokens", "BIGINT"),
        Column("cache_creation_ephemeral_5m_input_tokens", "BIGINT"),
        Column("cache_creation_ephemeral_1h_input_tokens", "BIGINT"),
        Column("cache_read_input_tokens", "BIGINT"),
        Column("output_tokens", "BIGINT"),
        Column("server_tool_use_web_search_requests", "BIGINT", required=False),
        # Fields of the result this contract does not know, as sent (schema drift, reported).
        Column(EXTRA_FIELDS, "JSON", required=False),
    ),
)

COST_REPORT = RawTable(
    slug="anthropic_usage",
    name="cost_report",
    period_column="bucket_starting_at",
    columns=(
        *_BUCKET,
        Column("workspace_id", "VARCHAR", required=False),
        Column("description", "VARCHAR", required=False),
        Column("cost_type", "VARCHAR", required=False),
        Column("model", "VARCHAR", required=False),
        Column("token_type", "VARCHAR", required=False),
        Column("service_tier", "VARCHAR", required=False),
        Column("context_window", "VARCHAR", required=False),
        Column("inference_geo", "VARCHAR", required=False),
        Column("currency", "VARCHAR", not_null=True),
        # The report's decimal string in the currency's lowest unit (cents), exactly as sent.
        Column("amount_cents", "DECIMAL(38, 12)", not_null=True),
        Column(EXTRA_FIELDS, "JSON", required=False),
    ),
)
