{#-
    GenAI spans with disjoint token types. OTel's input_tokens include cache reads and writes, and its
    output_tokens include reasoning (the OpenAI convention, as in LiteLLM): input + cache_read + cache_write
    = input_tokens_total, output + reasoning = output_tokens_total.
-#}
{#-
    Attribution attributes (those the loader keeps: AICOST_OTEL_ATTRIBUTE_KEYS, span or resource): the team
    (app.team), the customer the call served (app.customer_id, else customer.id), the product feature
    (app.feature, else feature.name) and the end user (enduser.id, a person, not the customer).
-#}
{%- set attribution_paths = [
    '$."app.team"',
    '$."app.feature"',
    '$."app.customer_id"',
    '$."enduser.id"',
    '$."customer.id"',
    '$."feature.name"',
] -%}

with

source as (
    select * from {{ source('otel_genai', 'spans') }}
),

extracted as (
    select
        *,
        {{ json_texts('attribution_attributes', attribution_paths) }} as attribution_values
    from source
),

renamed as (
    select
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        service_name,
        deployment_environment,
        operation_name,
        provider_name as otel_provider_name,
        -- one host vocabulary for pricing (genai-prices ids) and FOCUS-style provider names
        case
            when provider_name in ('aws.bedrock') then 'aws'
            when provider_name in ('azure.ai.openai', 'azure.ai.inference', 'az.ai.openai') then 'azure'
            when provider_name in ('gcp.vertex_ai', 'gcp.gemini', 'gcp.gen_ai', 'vertex_ai') then 'google'
            else provider_name
        end as price_provider,
        request_model,
        coalesce(response_model, request_model) as model_name,
        response_id,
        aws_request_id as provider_request_id,
        conversation_id,
        agent_id,
        agent_name,
        tool_name,
        attribution_attributes,
        {{ list_at('attribution_values', 1) }} as team_attribute,
        coalesce({{ list_at('attribution_values', 2) }}, {{ list_at('attribution_values', 6) }}) as feature,
        coalesce({{ list_at('attribution_values', 3) }}, {{ list_at('attribution_values', 5) }}) as customer_id,
        {{ list_at('attribution_values', 4) }} as end_user_id,
        coalesce(input_tokens, 0) as input_tokens_total,
        coalesce(output_tokens, 0) as output_tokens_total,
        coalesce(cache_read_input_tokens, 0) as cache_read_tokens,
        coalesce(cache_creation_input_tokens, 0) as cache_write_tokens,
        coalesce(reasoning_output_tokens, 0) as reasoning_tokens,
        coalesce(input_tokens, 0) - coalesce(cache_read_input_tokens, 0) - coalesce(cache_creation_input_tokens, 0)
            as input_tokens,
        coalesce(output_tokens, 0) - coalesce(reasoning_output_tokens, 0) as output_tokens,
        status_code,
        {{ to_utc('start_time') }} as started_at,
        {{ to_utc('end_time') }} as ended_at,
        _source_file,
        _source_row,
        _loaded_at,
        _load_id
    from extracted
)

select * from renamed
