"""Demo LiteLLM spend logs: one file per day of the calls that went through the gateway.

A customer-facing call names its customer in the request's metadata (``requester_metadata.customer_id``) and
every application with features tags its calls ``feature:<name>``, as LiteLLM users do for spend tracking.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.demo.world import DemoWorld


def _write_litellm(con: duckdb.DuckDBPyConnection, options: DemoWorld, start: datetime) -> int:
    out = options.landing / "litellm" / "spend_logs"
    out.mkdir(parents=True, exist_ok=True)
    ext = "csv.gz" if options.text_formats else "parquet"
    fmt = "(FORMAT csv, HEADER, COMPRESSION gzip)" if options.text_formats else "(FORMAT parquet)"
    ts = "strftime({col}, '%Y-%m-%d %H:%M:%S.%g')" if options.text_formats else "{col}::TIMESTAMP"
    spend = "CAST(CAST(spend AS DOUBLE) AS VARCHAR)" if options.text_formats else "CAST(spend AS DOUBLE)"
    con.execute(
        f"""
        CREATE TABLE spend_logs AS
        SELECT
            'chatcmpl-' || printf('%016x', hash({int(options.seed)}, call_id, 99)) AS request_id,
            CASE endpoint WHEN 'embeddings' THEN 'aembedding' ELSE 'acompletion' END AS call_type,
            litellm_api_key AS api_key,
            CASE WHEN is_gateway_cache_hit OR is_failed THEN 0 ELSE list_cost END AS spend,
            CASE WHEN is_failed THEN 0 ELSE input_total + output_tokens END AS total_tokens,
            CASE WHEN is_failed THEN 0 ELSE input_total END AS prompt_tokens,
            CASE WHEN is_failed THEN 0 ELSE output_tokens END AS completion_tokens,
            started_at AS start_ts,
            started_at + to_milliseconds(duration_ms) AS end_ts,
            duration_ms AS request_duration_ms,
            started_at + to_milliseconds(duration_ms // 4) AS first_token_ts,
            litellm_model AS model,
            md5(litellm_model) AS model_id,
            split_part(litellm_model, '/', -1) AS model_group,
            CASE provider WHEN 'vertex' THEN 'vertex_ai' ELSE provider END AS custom_llm_provider,
            CASE provider WHEN 'bedrock' THEN 'https://bedrock-runtime.us-east-1.amazonaws.com'
                 WHEN 'azure' THEN 'https://contoso-aoai.openai.azure.com'
                 WHEN 'vertex' THEN 'https://us-central1-aiplatform.googleapis.com'
                 ELSE 'https://api.openai.com/v1' END AS api_base,
            coalesce(application, 'unknown') || '-svc' AS "user",
            json_object(
                'user_api_key_alias', coalesce(application, 'unknown'),
                'user_api_key_team_alias', team,
                -- what the application sent with the request; the customer only when the call served one
                'requester_metadata', json_merge_patch(
                    json_object('application', application, 'environment', environment),
                    json_object('customer_id', customer_id)),
                'usage_object', CASE WHEN is_failed THEN json_object(
                    'prompt_tokens', 0, 'completion_tokens', 0) ELSE json_object(
                    'prompt_tokens', input_total, 'completion_tokens', output_tokens,
                    'prompt_tokens_details', json_object('cached_tokens', cache_read_tokens),
                    'cache_read_input_tokens', cache_read_tokens,
                    'cache_creation_input_tokens', cache_write_tokens) END
            )::VARCHAR AS metadata,
            CASE WHEN is_gateway_cache_hit THEN 'True' ELSE 'False' END AS cache_hit,
            CASE WHEN is_gateway_cache_hit THEN printf('%016x', hash(call_id, 7)) ELSE '' END AS cache_key,
            to_json(list_concat(
                ['app:' || coalesce(application, 'unknown'), 'env:' || environment],
                CASE WHEN feature IS NOT NULL THEN ['feature:' || feature] ELSE []::VARCHAR[] END
            ))::VARCHAR AS request_tags,
            litellm_team_id AS team_id,
            'org-demo' AS organization_id,
            CASE WHEN u_cache_read < 0.5 THEN 'customer-' || (hash(call_id, 12) % 500)::VARCHAR END AS end_user,
            '10.0.' || (workload_id % 250)::VARCHAR || '.' || (call_id % 250)::VARCHAR AS requester_ip_address,
            -- Bodies: real exports carry them; the loader must never read these columns.
            '[{{"role":"user","content":"DEMO PROMPT BODY MUST NOT BE LOADED"}}]' AS messages,
            '{{"content":"DEMO RESPONSE BODY MUST NOT BE LOADED"}}' AS response,
            '{{"body":"DEMO REQUEST BODY MUST NOT BE LOADED"}}' AS proxy_server_request,
            'session-' || printf('%08x', hash(session_no, 13)) AS session_id,
            CASE WHEN is_failed THEN 'failure' ELSE 'success' END AS status,
            NULL::VARCHAR AS mcp_namespaced_tool_name,
            CASE WHEN application = 'support-assistant' THEN 'agent-support-v2' END AS agent_id,
            call_id
        FROM calls WHERE via_gateway
        """
    )
    days = [r[0] for r in con.execute("SELECT DISTINCT start_ts::DATE FROM spend_logs ORDER BY 1").fetchall()]
    select = (
        "request_id, call_type, api_key, {spend} AS spend, total_tokens, prompt_tokens, completion_tokens, "
        '{start} AS "startTime", {end} AS "endTime", request_duration_ms, {first} AS "completionStartTime", '
        'model, model_id, model_group, custom_llm_provider, api_base, "user", metadata, cache_hit, cache_key, '
        "request_tags, team_id, organization_id, end_user, requester_ip_address, messages, response, "
        "proxy_server_request, session_id, status, mcp_namespaced_tool_name, agent_id"
    ).format(
        spend=spend,
        start=ts.format(col="start_ts"),
        end=ts.format(col="end_ts"),
        first=ts.format(col="first_token_ts"),
    )
    for day in days:
        path = out / f"spend_logs_{day.isoformat()}.{ext}"
        con.execute(
            f"COPY (SELECT {select} FROM spend_logs WHERE start_ts::DATE = DATE '{day.isoformat()}' "
            f"ORDER BY start_ts, call_id) TO '{path}' {fmt}"
        )
    return con.execute("SELECT count(*) FROM spend_logs").fetchone()[0]


def write(world: DemoWorld) -> int:
    """Writes the month's spend logs under ``litellm/spend_logs/``; returns the gateway requests."""
    return _write_litellm(world.con, world, world.start)
