{#-
    One row per LLM request, from the gateway (LiteLLM), OpenTelemetry spans or Bedrock invocation logs
    (deduplicated upstream), attributed to team, application and cost centre through int_attribution_keys
    (gateway team, then a team the call names, then the span's service, then the cloud account), with the
    canonical model and a list cost from the price catalogue.

    A view: the heavy work is materialised incrementally upstream, and the joins here are with small seeds
    and the daily price table, so a mapping or price change applies at once with nothing to rebuild (writing
    tens of millions of wide rows each run would cost more than evaluating the joins). The marts that
    aggregate requests read the daily rollup fct_llm_requests_daily, which evaluates them once per run.
    The seeds' uniqueness tests guarantee the joins never duplicate a request.
    Gateway cache writes carry no duration: they are rated at the 5-minute cache-write price.
-#}
{{ config(materialized='view') }}

{%- set token_prices = {
    'input_tokens': 'input',
    'cache_read_tokens': 'cache_read',
    'cache_write_tokens': 'cache_write_5m',
    'output_tokens': 'output',
    'reasoning_tokens': 'reasoning',
} %}

with

requests as (
    select
        *,
        cast(started_at as date) as request_date,
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens
    from {{ ref('int_llm_requests_deduplicated') }}
),

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current
),

attributed as (
    select
        requests.*,
        coalesce(model_names.model_id, requests.model_name) as model_id,
        model_names.model_id is not null as is_model_known,
        model_names.model_family,
        model_names.model_creator,
        model_names.model_tier,
        coalesce(gateway_team.team, named_team.team, service.team, account.team, 'Unallocated') as team,
        coalesce(requests.application, service.application, account.application, 'Unallocated')
            as resolved_application,
        coalesce(requests.environment, account.environment) as resolved_environment
    from requests
    left join model_names on requests.model_name = model_names.model_name
    left join keys as gateway_team
        on gateway_team.key_type = 'litellm_team' and requests.gateway_team_id = gateway_team.key_value
    left join keys as named_team on named_team.key_type = 'team' and requests.team_attribute = named_team.key_value
    left join keys as service on service.key_type = 'otel_service' and requests.service_name = service.key_value
    left join keys as account
        on account.key_type = 'aws_account' and requests.cloud_account_id = account.key_value
)

select
    attributed.request_source,
    attributed.request_id,
    attributed.provider_request_id,
    attributed.trace_id,
    attributed.session_id,
    attributed.agent_id,
    attributed.end_user_id,
    attributed.customer_id,
    attributed.feature,
    attributed.api_key_hash,
    attributed.gateway_team_id,
    attributed.service_name,
    attributed.cloud_account_id,
    attributed.iam_principal,
    attributed.model_family,
    attributed.model_creator,
    attributed.model_tier,
    attributed.model_name as gateway_model,
    attributed.call_type,
    attributed.tool_name,
    attributed.status,
    'USD' as cost_currency,
    attributed.input_tokens,
    attributed.cache_read_tokens,
    attributed.cache_write_tokens,
    attributed.output_tokens,
    attributed.reasoning_tokens,
    attributed.total_tokens,
    attributed.gateway_cost,
    {{ list_cost_columns('attributed', 'prices', token_prices, free_when='attributed.is_cache_hit') }},
    prices.has_override as is_price_overridden,
    prices.catalogue_version,
    attributed.request_duration_ms,
    attributed.is_cache_hit,
    attributed.started_at,
    attributed.ended_at,
    attributed._source_file,
    attributed._source_row,
    attributed.team,
    attributed.resolved_application as application,
    coalesce(attributed.resolved_environment, 'unknown') as environment,
    coalesce(team_key.cost_centre_id, 'Unallocated') as cost_centre_id,
    case attributed.price_provider
        when 'aws' then 'Amazon Web Services'
        when 'openai' then 'OpenAI'
        when 'azure' then 'Microsoft'
        when 'google' then 'Google Cloud'
        when 'anthropic' then 'Anthropic'
        else attributed.price_provider
    end as provider_name,
    attributed.price_provider,
    attributed.model_id,
    attributed.is_success,
    attributed.is_model_known,
    attributed.request_date
from attributed
left join keys as team_key on team_key.key_type = 'team' and attributed.team = team_key.key_value
left join prices
    on {{ price_join('attributed', 'prices', 'attributed.price_provider', 'attributed.model_id', "'standard'",
        'attributed.request_date', 'attributed.prompt_tokens') }}
