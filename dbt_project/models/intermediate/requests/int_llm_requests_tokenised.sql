{#-
    Gateway requests with disjoint token types: the expensive part of fct_llm_requests (JSON parsing of
    tens of millions of metadata documents), kept incremental because spend logs are append-only.
    LiteLLM's prompt_tokens include cache reads and writes (OpenAI convention) and completion_tokens include
    reasoning tokens: input + cache_read + cache_write = prompt tokens, output + reasoning = completion tokens.

    Incremental by load: rows of loads not yet here are appended; rows of loads that a newer version of
    their file replaced (no longer in staging) are deleted first. No seed is joined here, so a mapping
    change never needs a full refresh: attribution happens downstream in fct_llm_requests.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{% if is_incremental() %}delete from {{ this }} where _load_id not in "
            ~ "(select distinct _load_id from {{ ref('stg_litellm__spend_logs') }}){% endif %}"
        ],
    )
}}

with

requests as (
    select * from {{ ref('stg_litellm__spend_logs') }}
    {% if is_incremental() -%}
        where _load_id not in (select distinct _load_id from {{ this }})
    {%- endif %}
)

select
    request_id,
    session_id,
    agent_id,
    end_user_id,
    api_key_hash,
    team_id,
    application,
    environment,
    custom_llm_provider,
    gateway_model,
    call_type,
    status,
    mcp_namespaced_tool_name as mcp_tool_name,
    prompt_tokens - cache_read_tokens - cache_write_tokens as input_tokens,
    cache_read_tokens,
    cache_write_tokens,
    completion_tokens - reasoning_tokens as output_tokens,
    reasoning_tokens,
    prompt_tokens + completion_tokens as total_tokens,
    gateway_cost,
    request_duration_ms,
    is_cache_hit,
    started_at,
    ended_at,
    _source_file,
    _source_row,
    _load_id
from requests
