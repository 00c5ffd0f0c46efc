{#-
    Amazon Bedrock model invocations as LLM requests (the shared `llm_request` contract,
    _requests__models.yml). A call through the gateway is in the gateway's log too, under the same AWS
    request id: int_llm_requests_deduplicated counts it once. Calls by a principal listed in dbt var
    `gateway_iam_principals` are the gateway's own and left to its log, for gateways whose spend logs do not
    keep the provider's request id.
-#}
{%- set gateway_principals = var('gateway_iam_principals', []) -%}

with

invocations as (
    select * from {{ ref('stg_bedrock_invocation_logs__invocations') }}
    {% if gateway_principals -%}
        where identity_arn not in ({% for arn in gateway_principals %}'{{ arn }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endif %}
)

select
    'bedrock_invocation_logs' as request_source,
    request_id,
    request_id as provider_request_id,
    cast(null as varchar) as trace_id,
    cast(null as varchar) as session_id,
    cast(null as varchar) as agent_id,
    cast(null as varchar) as end_user_id,
    cast(null as varchar) as customer_id,
    cast(null as varchar) as feature,
    cast(null as varchar) as api_key_hash,
    cast(null as varchar) as gateway_team_id,
    metadata_team as team_attribute,
    cast(null as varchar) as service_name,
    account_id as cloud_account_id,
    identity_arn as iam_principal,
    metadata_application as application,
    metadata_environment as environment,
    'aws' as price_provider,
    model_name,
    operation as call_type,
    cast(null as varchar) as tool_name,
    case when error_code is null then 'success' else 'failure' end as status,
    error_code is null as is_success,
    input_tokens,
    cache_read_tokens,
    cache_write_tokens,
    output_tokens,
    cast(0 as bigint) as reasoning_tokens,
    input_tokens + cache_read_tokens + cache_write_tokens + output_tokens as total_tokens,
    cast(null as {{ money_type() }}) as gateway_cost,
    cast(null as bigint) as request_duration_ms,
    false as is_cache_hit,
    invoked_at as started_at,
    cast(null as timestamp) as ended_at,
    _source_file,
    _source_row,
    _loaded_at,
    _load_id
from invocations
