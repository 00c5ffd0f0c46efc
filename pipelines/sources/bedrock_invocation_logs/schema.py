"""Raw contract of ``raw_bedrock_invocation_logs.invocations``: one row per model invocation, bodies excluded."""

from pipelines.load.contracts import Column, RawTable, RowCheck

# Fields of a ModelInvocationLog record the loader reads, by their dotted path in the record.
FIELDS = {
    "requestId": "request_id",
    "timestamp": "invoked_at",
    "accountId": "account_id",
    "region": "region",
    "identity.arn": "identity_arn",
    "operation": "operation",
    "modelId": "model_id",
    "inferenceRegion": "inference_region",
    "errorCode": "error_code",
    "schemaVersion": "schema_version",
    "input.inputTokenCount": "input_token_count",
    "input.cacheReadInputTokenCount": "cache_read_input_token_count",
    "input.cacheWriteInputTokenCount": "cache_write_input_token_count",
    "output.outputTokenCount": "output_token_count",
    "requestMetadata": "request_metadata",
}
# Fields known and deliberately not loaded: the prompt and response bodies (or where they were put).
BODY_FIELDS = frozenset(
    {
        "input.inputBodyJson",
        "input.inputBodyText",
        "input.inputBodyS3Path",
        "output.outputBodyJson",
        "output.outputBodyText",
        "output.outputBodyS3Path",
    }
)
# Fields known and not needed (a record's type, content types, the containers of the fields above).
OTHER_KNOWN_FIELDS = frozenset(
    {"schemaType", "identity", "input", "output", "input.inputContentType", "output.outputContentType"}
)
TOKEN_COLUMNS = (
    "input_token_count",
    "cache_read_input_token_count",
    "cache_write_input_token_count",
    "output_token_count",
)

INVOCATIONS = RawTable(
    slug="bedrock_invocation_logs",
    name="invocations",
    period_column="invoked_at",
    # Bedrock delivers each record once, but an S3 copy and a CloudWatch export of the same calls overlap.
    unique_key=("request_id",),
    columns=(
        Column("request_id", "VARCHAR", not_null=True),
        Column("invoked_at", "TIMESTAMPTZ", not_null=True),
        Column("account_id", "VARCHAR", required=False),
        Column("region", "VARCHAR", required=False),
        Column("identity_arn", "VARCHAR", required=False),
        Column("operation", "VARCHAR", required=False),
        # a model id, an inference profile id (us.anthropic...) or the ARN of either
        Column("model_id", "VARCHAR", required=False),
        Column("inference_region", "VARCHAR", required=False),
        Column("error_code", "VARCHAR", required=False),
        Column("schema_version", "VARCHAR", required=False),
        Column("input_token_count", "BIGINT", required=False),
        Column("cache_read_input_token_count", "BIGINT", required=False),
        Column("cache_write_input_token_count", "BIGINT", required=False),
        Column("output_token_count", "BIGINT", required=False),
        # Converse's requestMetadata: key-value pairs the caller attached for its own tracking (never content)
        Column("request_metadata", "JSON", required=False),
    ),
    checks=tuple(
        RowCheck(column, f"{column} >= 0", "is negative (a token count never is)") for column in TOKEN_COLUMNS
    ),
    known_columns=frozenset(FIELDS) | OTHER_KNOWN_FIELDS,
    excluded=BODY_FIELDS,
)
