{#-
    One row per LLM request, from the gateway (LiteLLM), OpenTelemetry spans or Bedrock invocation logs
    (deduplicated upstream), attributed to team, application and cost centre through int_attribution_keys,
    with the canonical model and a list cost from the price catalogue.

    Attribution: every key the request carries (the gateway metadata's fields and tags, a team it names, the
    gateway key and team, the Bedrock application inference profile, the IAM principal, the instrumented
    service, the cloud account) is looked up as of the request's day (request_date within the key's
    [valid_from, valid_to)); of the keys that map, the one whose key type has the smallest precedence (seed
    `attribution_key_types`) gives the team and cost centre. Application and environment are the request's
    own (gateway metadata or tags, the span's resource), else those of the best-ranked matching key that
    names them. The order of the keys below only breaks ties between key types without a precedence.

    Incremental by billing period (month of request_date; macros/rebuilt_periods.sql): the rows of the
    rebuilt months are deleted and rated again from int_llm_requests_deduplicated's rows of those months
    (an incremental table too, so the read prunes by started_at). The seeds and the price catalogue it
    joins are the same for every period: a change to them makes the run rebuild everything. A table: a
    dozen models and tests read it, and as a view each read evaluated the attribution and price joins of
    every request again.
    The seeds' uniqueness and non-overlap tests guarantee the joins never duplicate a request.
    Gateway cache writes carry no duration: they are rated at the 5-minute cache-write price.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('request_date') }}",
    )
}}

{#- The keys a request carries in a column of its own: key type, SQL of the key value (after the gateway's
    metadata fields and tags, in the seed's precedence order). -#}
{%- set request_key_columns = [
    ('team', 'team_attribute'),
    ('api_key', 'api_key_hash'),
    ('litellm_team', 'gateway_team_id'),
    ('bedrock_inference_profile', 'inference_profile_arn'),
    ('iam_principal', 'iam_principal_key'),
    ('otel_resource_attribute', "'service.name=' || service_name"),
    ('aws_account', 'cloud_account_id'),
] %}

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
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens,
        -- an assumed-role session is its role's key
        {{ regex_replace(
            'iam_principal', '^arn:(aws[a-z-]*):sts::([0-9]+):assumed-role/([^/]+)/.*$', 'arn:\\1:iam::\\2:role/\\3'
        ) }} as iam_principal_key
    from {{ ref('int_llm_requests_deduplicated') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('started_at') }} {%- endif %}
),

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
),

-- the fields of the caller's gateway metadata (field=value) and the gateway tags, one row each
gateway_metadata_fields as (
    select
        request_source,
        request_id,
        request_date,
        {{ json_object_entries('gateway_metadata') }} as field
    from requests
    where gateway_metadata is not null
),

gateway_tags as (
    select
        request_source,
        request_id,
        request_date,
        {{ json_text_array_elements('gateway_tags') }} as tag
    from requests
    where gateway_tags is not null
),

-- each key a request carries, one row per key
request_keys as (
    select
        request_source,
        request_id,
        request_date,
        1 as key_position,
        'litellm_metadata' as key_type,
        -- field is a struct (key, value): bracket access reads the same on both engines
        field['key'] || '=' || field['value'] as key_value
    from gateway_metadata_fields
    where field['value'] is not null
    union all
    select
        request_source,
        request_id,
        request_date,
        2 as key_position,
        'litellm_tag' as key_type,
        tag as key_value
    from gateway_tags
    where tag is not null
    {%- for key_type, key_value in request_key_columns %}
        union all
        select
            request_source,
            request_id,
            request_date,
            {{ loop.index + 2 }} as key_position,
            '{{ key_type }}' as key_type,
            {{ key_value }} as key_value
        from requests
        where {{ key_value }} is not null
    {%- endfor %}
),

matched_keys as (
    select
        request_keys.request_source,
        request_keys.request_id,
        keys.key_type,
        keys.key_value,
        keys.team,
        keys.application,
        keys.environment,
        keys.cost_centre_id,
        coalesce(keys.precedence, 1000) as precedence,
        request_keys.key_position
    from request_keys
    inner join keys
        on
            request_keys.key_type = keys.key_type
            and request_keys.key_value = keys.key_value
            and (keys.valid_from is null or request_keys.request_date >= keys.valid_from)
            and (keys.valid_to is null or request_keys.request_date < keys.valid_to)
),

best_keys as (
    select
        request_source,
        request_id,
        {{ first_by('key_type', ['precedence', 'key_position', 'key_value']) }} as key_type,
        {{ first_by('key_value', ['precedence', 'key_position', 'key_value']) }} as key_value,
        {{ first_by('team', ['precedence', 'key_position', 'key_value']) }} as team,
        {{ first_by('cost_centre_id', ['precedence', 'key_position', 'key_value']) }} as cost_centre_id,
        {{ first_by('application', ['precedence', 'key_position', 'key_value'], where='application is not null') }} as application,
        {{ first_by('environment', ['precedence', 'key_position', 'key_value'], where='environment is not null') }} as environment
    from matched_keys
    group by request_source, request_id
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
        coalesce(best_keys.team, 'Unallocated') as team,
        coalesce(requests.application, best_keys.application, 'Unallocated') as resolved_application,
        coalesce(requests.environment, best_keys.environment) as resolved_environment,
        best_keys.cost_centre_id as resolved_cost_centre_id,
        best_keys.key_type as attribution_key_type,
        best_keys.key_value as attribution_key_value
    from requests
    left join model_names on requests.model_name = model_names.model_name
    left join best_keys
        on requests.request_source = best_keys.request_source and requests.request_id = best_keys.request_id
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
    coalesce(attributed.resolved_cost_centre_id, 'Unallocated') as cost_centre_id,
    attributed.attribution_key_type,
    attributed.attribution_key_value,
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
left join prices
    on {{ price_join('attributed', 'prices', 'attributed.price_provider', 'attributed.model_id', "'standard'",
        'attributed.request_date', 'attributed.prompt_tokens') }}
