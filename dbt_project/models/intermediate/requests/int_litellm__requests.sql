{#-
    LiteLLM gateway requests as LLM requests (the shared `llm_request` contract, _requests__models.yml), with
    disjoint token types: the expensive part of fct_llm_requests (JSON parsing of tens of millions of
    metadata documents), kept incremental because spend logs are append-only.
    LiteLLM's prompt_tokens include cache reads and writes (OpenAI convention) and completion_tokens include
    reasoning tokens: input + cache_read + cache_write = prompt tokens, output + reasoning = completion tokens.

    Incremental by load: rows of loads not yet here are appended; rows of loads that a newer version of
    their file replaced (no longer in staging) are deleted first. No seed is joined here, so a mapping
    change never needs a full refresh: attribution happens downstream in fct_llm_requests.

    One row per request id: when an export repeats ids already loaded (an overlapping re-export), the first
    load counts (earliest load, then file and row). The loader records how many ids a load repeated
    (raw._loads.duplicate_rows); those loads are looked at again on every run, so when the file that counted
    goes away, the repeated requests are taken from the next one and nothing is lost.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_replaced_loads(ref('stg_litellm__spend_logs')) }}",
    )
}}

with

candidates as (
    -- the alias is used by the incremental filter only (sqlfluff lints the first-run rendering)
    select * from {{ ref('stg_litellm__spend_logs') }} as candidates_source  -- noqa: AL05
    {% if is_incremental() -%}
        where (
            _load_id not in (select distinct _load_id from {{ this }})
            or _load_id in (
                select load_id from {{ source('loader', '_loads') }}
                where duplicate_rows > 0 and status in ('loaded', 'superseded')
            )
        )
        and not exists (select 1 from {{ this }} as counted where counted.request_id = candidates_source.request_id)
    {%- endif %}
),

requests as (
    select * from (
        select
            *,
            row_number() over (partition by request_id order by _loaded_at, _source_file, _source_row) as load_rank
        from candidates
    ) as ranked_candidates
    where load_rank = 1
)

select
    'litellm' as request_source,
    request_id,
    -- the spend logs do not keep the provider's id of the call (Bedrock calls are matched by the
    -- gateway's IAM role instead, in int_bedrock_invocation_logs__requests)
    cast(null as string) as provider_request_id,
    cast(null as string) as trace_id,
    session_id,
    agent_id,
    end_user_id,
    customer_id,
    feature,
    api_key_hash,
    team_id as gateway_team_id,
    cast(null as string) as team_attribute,
    cast(null as string) as service_name,
    cast(null as string) as cloud_account_id,
    cast(null as string) as iam_principal,
    cast(null as string) as inference_profile_arn,
    request_tags as gateway_tags,
    requester_metadata as gateway_metadata,
    application,
    environment,
    -- the upstream provider in the price catalogue's vocabulary
    case custom_llm_provider
        when 'bedrock' then 'aws'
        when 'vertex_ai' then 'google'
        when 'vertex_ai_beta' then 'google'
        when 'gemini' then 'google'
        else custom_llm_provider
    end as price_provider,
    gateway_model as model_name,
    call_type,
    mcp_namespaced_tool_name as tool_name,
    status,
    status = 'success' as is_success,
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
    _loaded_at,
    _load_id
from requests
