"""Raw contract of ``raw_litellm.spend_logs``: the ``LiteLLM_SpendLogs`` table, bodies excluded.

Column names keep LiteLLM's camelCase (``startTime``). ``messages``, ``response`` and
``proxy_server_request`` hold prompt and response bodies: they are never selected from a file.
"""

from pipelines.load.contracts import MONEY, Column, RawTable, RowCheck

_COUNTS = ("total_tokens", "prompt_tokens", "completion_tokens", "request_duration_ms")
# Token breakdowns LiteLLM keeps in the metadata's usage object (staging reads them): whole numbers >= 0.
_USAGE_PATHS = {
    "cache_read": ("$.usage_object.cache_read_input_tokens", "$.usage_object.prompt_tokens_details.cached_tokens"),
    "cache_write": ("$.usage_object.cache_creation_input_tokens",),
    "reasoning": ("$.usage_object.completion_tokens_details.reasoning_tokens",),
}


def _usage(kind: str) -> str:
    """SQL of a token breakdown from the metadata (0 when absent), as staging reads it."""
    values = ", ".join(f"try_cast(json_extract_string(metadata, '{path}') AS BIGINT)" for path in _USAGE_PATHS[kind])
    return f"coalesce({values}, 0)"


_PATH_CHECKS = tuple(
    RowCheck(
        "metadata",
        f"json_extract_string(metadata, '{path}') IS NULL "
        f"OR coalesce(try_cast(json_extract_string(metadata, '{path}') AS BIGINT), -1) >= 0",
        f"has {path.removeprefix('$.')} that is not a whole number >= 0",
    )
    for paths in _USAGE_PATHS.values()
    for path in paths
)
_BREAKDOWN_CHECKS = (
    RowCheck(
        "prompt_tokens",
        f"{_usage('cache_read')} + {_usage('cache_write')} <= coalesce(prompt_tokens, 0)",
        "is less than the cache reads and writes the metadata reports (they are part of the prompt tokens)",
    ),
    RowCheck(
        "completion_tokens",
        f"{_usage('reasoning')} <= coalesce(completion_tokens, 0)",
        "is less than the reasoning tokens the metadata reports (they are part of the completion tokens)",
    ),
)

SPEND_LOGS = RawTable(
    slug="litellm",
    name="spend_logs",
    period_column="startTime",
    excluded=frozenset({"messages", "response", "proxy_server_request"}),
    # the customer's end-user id: hashed at load when AICOST_PSEUDONYM_SALT is set
    pseudonymised=frozenset({"end_user"}),
    # One request id is one request: a re-export repeating ids counts them once (the first load wins).
    unique_key=("request_id",),
    checks=(
        *(RowCheck(c, f'"{c}" >= 0', "is negative: token counts and durations cannot be") for c in _COUNTS),
        *_PATH_CHECKS,
        *_BREAKDOWN_CHECKS,
    ),
    columns=(
        Column("request_id", "VARCHAR", not_null=True),
        Column("call_type", "VARCHAR", required=False),
        Column("api_key", "VARCHAR", required=False),
        Column("spend", MONEY),
        Column("total_tokens", "BIGINT", required=False),
        Column("prompt_tokens", "BIGINT", required=False),
        Column("completion_tokens", "BIGINT", required=False),
        Column("startTime", "TIMESTAMPTZ", not_null=True),
        Column("endTime", "TIMESTAMPTZ", required=False),
        Column("request_duration_ms", "BIGINT", required=False),
        Column("completionStartTime", "TIMESTAMPTZ", required=False),
        Column("model", "VARCHAR"),
        Column("model_id", "VARCHAR", required=False),
        Column("model_group", "VARCHAR", required=False),
        Column("custom_llm_provider", "VARCHAR", required=False),
        Column("api_base", "VARCHAR", required=False),
        Column("user", "VARCHAR", required=False),
        Column("metadata", "JSON", required=False),
        Column("cache_hit", "VARCHAR", required=False),
        Column("cache_key", "VARCHAR", required=False),
        Column("request_tags", "JSON", required=False),
        Column("team_id", "VARCHAR", required=False),
        Column("organization_id", "VARCHAR", required=False),
        Column("end_user", "VARCHAR", required=False),
        Column("requester_ip_address", "VARCHAR", required=False),
        Column("session_id", "VARCHAR", required=False),
        Column("status", "VARCHAR", required=False),
        Column("mcp_namespaced_tool_name", "VARCHAR", required=False),
        Column("agent_id", "VARCHAR", required=False),
    ),
)
