{#-
    Amazon Bedrock model invocations as LLM requests (the shared `llm_request` contract,
    _requests__models.yml). Bedrock logs every call of the account, the gateway's too, under the gateway's
    own identity: an invocation by a role of seed `gateway_identities` is a call the gateway counts, so it is
    left out here. A call an AWS SDK span also saw carries the same AWS request id and is counted once
    downstream (int_llm_requests_deduplicated).

    Incremental by load, as int_litellm__requests: invocations of loads not yet here are appended, rows of
    loads a newer version of their file replaced (no longer in staging) are deleted first. The seed joined
    here (gateway_identities) is the same for every load: a seed change makes the run rebuild everything.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_replaced_loads(ref('stg_bedrock_invocation_logs__invocations')) }}",
    )
}}

with

invocations as (
    select * from {{ ref('stg_bedrock_invocation_logs__invocations') }}
    {% if is_incremental() -%}
        where _load_id not in (select distinct _load_id from {{ this }})
    {%- endif %}
),

gateway_identities as (
    select * from {{ ref('gateway_identities') }}
),

own_calls as (
    select invocations.*
    from invocations
    where not exists (
        select 1 from gateway_identities
        where
            gateway_identities.iam_role_name = invocations.caller_role_name
            and coalesce(gateway_identities.aws_account_id, invocations.caller_account_id)
            = invocations.caller_account_id
    )
)

select
    'bedrock_invocation_logs' as request_source,
    request_id,
    request_id as provider_request_id,
    cast(null as string) as trace_id,
    cast(null as string) as session_id,
    cast(null as string) as agent_id,
    cast(null as string) as end_user_id,
    cast(null as string) as customer_id,
    cast(null as string) as feature,
    cast(null as string) as api_key_hash,
    cast(null as string) as gateway_team_id,
    metadata_team as team_attribute,
    cast(null as string) as service_name,
    account_id as cloud_account_id,
    identity_arn as iam_principal,
    case
        when model_id like 'arn:aws%:bedrock:%:application-inference-profile/%' then model_id
    end as inference_profile_arn,
    cast(null as {{ json_type() }}) as gateway_tags,
    cast(null as {{ json_type() }}) as gateway_metadata,
    metadata_application as application,
    metadata_environment as environment,
    'aws' as price_provider,
    model_name,
    operation as call_type,
    cast(null as string) as tool_name,
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
from own_calls
