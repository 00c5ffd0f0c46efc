-- Bedrock's invocation logs hold every call of an account, the gateway's too (under the gateway's IAM role).
-- A day on which the gateway called Bedrock, whose logs recognise none of their invocations as the
-- gateway's (seed gateway_identities) while holding at least as many invocations as the gateway made,
-- means the gateway's role is missing from the seed: its calls would count twice, once from each log.
-- Each failing row is such a day.
{{ config(meta={'dagster': {'ref': {'name': 'int_bedrock_invocation_logs__requests'}}}) }}

with

gateway_days as (
    select
        cast(started_at as date) as call_date,
        count(*) as gateway_bedrock_calls
    from {{ ref('int_litellm__requests') }}
    where price_provider = 'aws' and is_success and not is_cache_hit
    group by 1
),

logged_days as (
    select
        cast(invoked_at as date) as call_date,
        count(*) as invocations
    from {{ ref('stg_bedrock_invocation_logs__invocations') }}
    group by 1
),

own_days as (
    select
        cast(started_at as date) as call_date,
        count(*) as own_invocations
    from {{ ref('int_bedrock_invocation_logs__requests') }}
    group by 1
)

select
    gateway_days.call_date,
    gateway_days.gateway_bedrock_calls,
    logged_days.invocations,
    own_days.own_invocations
from gateway_days
inner join logged_days on gateway_days.call_date = logged_days.call_date
inner join own_days on gateway_days.call_date = own_days.call_date
where
    own_days.own_invocations = logged_days.invocations
    and own_days.own_invocations >= gateway_days.gateway_bedrock_calls
