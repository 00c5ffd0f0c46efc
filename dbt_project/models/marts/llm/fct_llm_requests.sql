{#-
    One row per gateway request with disjoint token types (from int_llm_requests_tokenised), attributed to
    team, application and cost centre through the mapping seeds, with the canonical model.

    A view: the heavy work is materialised incrementally upstream, and the joins here are with small seeds,
    so a mapping change applies at once with nothing to rebuild. The seeds' uniqueness tests guarantee the
    joins never duplicate a request.
-#}
{{ config(materialized='view') }}

with

requests as (
    select * from {{ ref('int_llm_requests_tokenised') }}
),

aliases as (
    select
        alias,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'gateway_model'
),

models as (
    select * from {{ ref('models') }}
),

team_keys as (
    select
        key_value,
        team
    from {{ ref('attribution_keys') }}
    where key_type = 'litellm_team'
),

teams as (
    select * from {{ ref('teams') }}
)

select
    requests.request_id,
    requests.session_id,
    requests.agent_id,
    requests.end_user_id,
    requests.api_key_hash,
    requests.team_id as gateway_team_id,
    models.model_family,
    models.model_creator,
    models.model_tier,
    requests.gateway_model,
    requests.call_type,
    requests.status,
    'USD' as cost_currency,
    requests.input_tokens,
    requests.cache_read_tokens,
    requests.cache_write_tokens,
    requests.output_tokens,
    requests.reasoning_tokens,
    requests.total_tokens,
    requests.gateway_cost,
    requests.request_duration_ms,
    requests.is_cache_hit,
    requests.started_at,
    requests.ended_at,
    requests._source_file,
    requests._source_row,
    coalesce(team_keys.team, 'Unallocated') as team,
    coalesce(requests.application, 'Unallocated') as application,
    coalesce(requests.environment, 'unknown') as environment,
    coalesce(teams.cost_centre_id, 'Unallocated') as cost_centre_id,
    case requests.custom_llm_provider
        when 'bedrock' then 'Amazon Web Services'
        when 'openai' then 'OpenAI'
        when 'azure' then 'Microsoft'
        when 'vertex_ai' then 'Google Cloud'
        when 'anthropic' then 'Anthropic'
        else requests.custom_llm_provider
    end as provider_name,
    coalesce(aliases.model_id, requests.gateway_model) as model_id,
    requests.status = 'success' as is_success,
    aliases.model_id is not null as is_model_known,
    cast(requests.started_at as date) as request_date
from requests
left join aliases on requests.gateway_model = aliases.alias
left join models on coalesce(aliases.model_id, requests.gateway_model) = models.model_id
left join team_keys on requests.team_id = team_keys.key_value
left join teams on team_keys.team = teams.team
