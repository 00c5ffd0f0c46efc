"""Raw contract of ``raw_otel_genai.spans``: one row per GenAI span, prompt and response content excluded."""

from pipelines.load.contracts import Column, RawTable

SPANS = RawTable(
    slug="otel_genai",
    name="spans",
    period_column="start_time",
    # A span exported twice (a collector retry, an overlapping file) counts once: the first load wins.
    unique_key=("trace_id", "span_id"),
    columns=(
        Column("trace_id", "VARCHAR", not_null=True),
        Column("span_id", "VARCHAR", not_null=True),
        Column("parent_span_id", "VARCHAR", required=False),
        Column("span_name", "VARCHAR", required=False),
        Column("start_time", "TIMESTAMPTZ", not_null=True),
        Column("end_time", "TIMESTAMPTZ", required=False),
        Column("status_code", "VARCHAR", required=False),
        Column("service_name", "VARCHAR", required=False),
        Column("deployment_environment", "VARCHAR", required=False),
        Column("operation_name", "VARCHAR", required=False),
        # gen_ai.provider.name, or the deprecated gen_ai.system when only that is sent
        Column("provider_name", "VARCHAR", required=False),
        Column("request_model", "VARCHAR", required=False),
        Column("response_model", "VARCHAR", required=False),
        Column("response_id", "VARCHAR", required=False),
        # aws.request_id of an AWS SDK span (a Bedrock call made without the gateway)
        Column("aws_request_id", "VARCHAR", required=False),
        Column("input_tokens", "BIGINT", required=False),
        Column("output_tokens", "BIGINT", required=False),
        Column("cache_read_input_tokens", "BIGINT", required=False),
        Column("cache_creation_input_tokens", "BIGINT", required=False),
        Column("reasoning_output_tokens", "BIGINT", required=False),
        Column("conversation_id", "VARCHAR", required=False),
        Column("agent_id", "VARCHAR", required=False),
        Column("agent_name", "VARCHAR", required=False),
        Column("tool_name", "VARCHAR", required=False),
        # Only the attributes configured as attribution keys (AICOST_OTEL_ATTRIBUTE_KEYS), never content.
        Column("attribution_attributes", "JSON", required=False),
    ),
)
