"""Raw contract of ``raw_litellm.spend_logs``: the ``LiteLLM_SpendLogs`` table, bodies excluded.

Column names keep LiteLLM's camelCase (``startTime``). ``messages``, ``response`` and
``proxy_server_request`` hold prompt and response bodies: they are never selected from a file.
"""

from pipelines.contracts import MONEY, Column, RawTable

SPEND_LOGS = RawTable(
    slug="litellm",
    name="spend_logs",
    period_column="startTime",
    excluded=frozenset({"messages", "response", "proxy_server_request"}),
    # the customer's end-user id: hashed at load when AICOST_PSEUDONYM_SALT is set
    pseudonymised=frozenset({"end_user"}),
    columns=(
        Column("request_id", "VARCHAR"),
        Column("call_type", "VARCHAR", required=False),
        Column("api_key", "VARCHAR", required=False),
        Column("spend", MONEY),
        Column("total_tokens", "BIGINT", required=False),
        Column("prompt_tokens", "BIGINT", required=False),
        Column("completion_tokens", "BIGINT", required=False),
        Column("startTime", "TIMESTAMPTZ"),
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
