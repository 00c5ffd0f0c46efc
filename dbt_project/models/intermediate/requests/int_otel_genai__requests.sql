{#-
    OpenTelemetry GenAI spans of model calls as LLM requests (the shared `llm_request` contract,
    _requests__models.yml). Only spans of model calls count: agent, tool and workflow spans wrap model calls
    whose tokens their children already report. A span without gen_ai.response.id is identified by its trace
    and span ids. The same call exported twice, or also logged by the gateway, is resolved downstream in
    int_llm_requests_deduplicated.

    Incremental by load, as int_litellm__requests: spans of loads not yet here are appended, rows of loads
    a newer version of their file replaced (no longer in staging) are deleted first. A table, so that
    int_llm_requests_deduplicated reads a rebuilt month's spans without parsing every span's attributes.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_replaced_loads(ref('stg_otel_genai__spans')) }}",
    )
}}

with

spans as (
    select * from {{ ref('stg_otel_genai__spans') }}
    where
        coalesce(operation_name, 'chat') in ('chat', 'generate_content', 'text_completion', 'embeddings')
    {% if is_incremental() -%}
        and _load_id not in (select distinct _load_id from {{ this }})
    {%- endif %}
)

select
    'otel_genai' as request_source,
    coalesce(response_id, trace_id || ':' || span_id) as request_id,
    provider_request_id,
    trace_id,
    conversation_id as session_id,
    agent_id,
    end_user_id,
    customer_id,
    feature,
    cast(null as string) as api_key_hash,
    cast(null as string) as gateway_team_id,
    team_attribute,
    service_name,
    cast(null as string) as cloud_account_id,
    cast(null as string) as iam_principal,
    cast(null as string) as inference_profile_arn,
    cast(null as {{ json_type() }}) as gateway_tags,
    cast(null as {{ json_type() }}) as gateway_metadata,
    cast(null as string) as application,
    deployment_environment as environment,
    price_provider,
    model_name,
    operation_name as call_type,
    tool_name,
    case when status_code = 'ERROR' then 'failure' else 'success' end as status,
    status_code <> 'ERROR' as is_success,
    input_tokens,
    cache_read_tokens,
    cache_write_tokens,
    output_tokens,
    reasoning_tokens,
    input_tokens_total + output_tokens_total as total_tokens,
    cast(null as {{ money_type() }}) as gateway_cost,
    cast({{ timestamp_diff('millisecond', 'started_at', 'ended_at') }} as bigint) as request_duration_ms,
    false as is_cache_hit,
    started_at,
    ended_at,
    _source_file,
    _source_row,
    _loaded_at,
    _load_id
from spans
