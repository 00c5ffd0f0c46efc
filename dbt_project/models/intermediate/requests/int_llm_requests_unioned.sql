{#-
    Every LLM request seen by a gateway (LiteLLM) or by OpenTelemetry instrumentation, one row per call.

    A call can be seen by both: an application instrumented with OTel that calls through the gateway. Its
    span's gen_ai.response.id is the id the gateway logged as request_id, so the span is left out and the
    gateway row (with the gateway's team and key) counts it once. Only spans of model calls count: agent,
    tool and workflow spans wrap model calls whose tokens their children already report.
-#}
with

gateway as (
    select * from {{ ref('int_llm_requests_tokenised') }}
),

spans as (
    select * from {{ ref('stg_otel_genai__spans') }}
    where coalesce(operation_name, 'chat') in ('chat', 'generate_content', 'text_completion', 'embeddings')
    -- A call exported twice (a collector retry, overlapping files) counts once: the first load wins.
    qualify row_number() over (
        partition by coalesce(response_id, trace_id || ':' || span_id)
        order by _loaded_at, _source_file, _source_row
    ) = 1
),

gateway_rows as (
    select
        'litellm' as request_source,
        request_id,
        cast(null as varchar) as trace_id,
        session_id,
        agent_id,
        end_user_id,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as feature,
        api_key_hash,
        team_id as gateway_team_id,
        cast(null as varchar) as team_attribute,
        cast(null as varchar) as service_name,
        application,
        environment,
        case custom_llm_provider
            when 'bedrock' then 'aws'
            when 'vertex_ai' then 'google'
            when 'vertex_ai_beta' then 'google'
            when 'gemini' then 'google'
            else custom_llm_provider
        end as price_provider,
        gateway_model as model_name,
        call_type,
        mcp_tool_name as tool_name,
        status,
        status = 'success' as is_success,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        output_tokens,
        reasoning_tokens,
        total_tokens,
        gateway_cost,
        request_duration_ms,
        is_cache_hit,
        started_at,
        ended_at,
        _source_file,
        _source_row
    from gateway
),

span_rows as (
    select
        'otel_genai' as request_source,
        coalesce(spans.response_id, spans.trace_id || ':' || spans.span_id) as request_id,
        spans.trace_id,
        spans.conversation_id as session_id,
        spans.agent_id,
        spans.end_user_id,
        spans.customer_id,
        spans.feature,
        cast(null as varchar) as api_key_hash,
        cast(null as varchar) as gateway_team_id,
        spans.team_attribute,
        spans.service_name,
        cast(null as varchar) as application,
        spans.deployment_environment as environment,
        spans.price_provider,
        spans.model_name,
        spans.operation_name as call_type,
        spans.tool_name,
        case when spans.status_code = 'ERROR' then 'failure' else 'success' end as status,
        spans.status_code <> 'ERROR' as is_success,
        spans.input_tokens,
        spans.cache_read_tokens,
        spans.cache_write_tokens,
        spans.output_tokens,
        spans.reasoning_tokens,
        spans.input_tokens_total + spans.output_tokens_total as total_tokens,
        cast(null as {{ money_type() }}) as gateway_cost,
        cast(date_diff('millisecond', spans.started_at, spans.ended_at) as bigint) as request_duration_ms,
        false as is_cache_hit,
        spans.started_at,
        spans.ended_at,
        spans._source_file,
        spans._source_row
    from spans
    left join gateway on spans.response_id = gateway.request_id
    where gateway.request_id is null
)

select * from gateway_rows
union all
select * from span_rows
