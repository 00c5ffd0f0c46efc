{#-
    The priced LLM requests that are candidates for one of the request-level optimization opportunities,
    one row per request, with the flags saying which:
    - is_short_simple: an expensive tier (var `optimization_expensive_tiers`) on a short call (prompt and
      output below the `optimization_short_call_*` vars) that used no tool;
    - is_batch_eligible: no end user waits for it (no end_user_id) and it runs in a batch environment or a
      background workload (vars `optimization_batch_environments`, `optimization_batch_workloads`);
    - is_context_resend: prompt bodies are never stored, so a re-sent conversation is inferred from metadata:
      the call's prompt is at least the previous cacheable call's (prompt of at least var
      `optimization_cache_min_prefix_tokens`) in the same conversation (trace, else session, within the team
      and application, as session ids repeat across applications) on the same host and model, sent recently
      enough for a warm cache (var `optimization_cache_max_gap_minutes`).
    Gateway cache hits and calls that used no tokens cost nothing, and unpriced requests have no list cost to
    save on: all are left out (of the conversations too).
    A table: the three opportunity models read it, and it holds only the candidates.

    Incremental by billing period (month of request_date; macros/rebuilt_periods.sql): the rebuilt months
    are deleted and flagged again from their requests. The conversation sequence looks back across months:
    it is read from the first rebuilt month on, after the last cacheable call of each conversation before.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('request_date') }}",
    )
}}

{%- set conversation_keys = ['team', 'application', 'conversation_id', 'price_provider', 'model_id'] %}

with

priced as (
    select
        request_source,
        request_id,
        coalesce(trace_id, session_id) as conversation_id,
        end_user_id,
        team,
        application,
        environment,
        feature,
        provider_name,
        price_provider,
        model_id,
        model_creator,
        model_tier,
        call_type,
        tool_name,
        cost_currency,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        output_tokens,
        reasoning_tokens,
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens,
        list_cost,
        started_at,
        request_date
    from {{ ref('fct_llm_requests') }}
    where not coalesce(is_cache_hit, false) and list_cost > 0
),

requests as (
    select * from priced
    {% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
),

-- Only calls long enough to cache are sequenced (a short call in between does not evict a cached prefix),
-- which also keeps the window small.
cacheable_calls_since as (
    select
        request_source,
        request_id,
        {{ conversation_keys | join(', ') }},
        started_at,
        prompt_tokens
    from priced
    where
        conversation_id is not null and prompt_tokens >= {{ var('optimization_cache_min_prefix_tokens') }}
    {% if is_incremental() -%}
        and {{ since_rebuilt_periods('request_date') }}
    {%- endif %}
),

cacheable_calls as (
    select * from cacheable_calls_since
    {% if is_incremental() -%}
        -- the last earlier cacheable call of each conversation that goes on in the rebuilt months: the previous
        -- one of its first call there
        union all
        select
            {{ value_at_max('request_source', ['started_at', 'request_id']) }} as request_source,
            {{ value_at_max('request_id', ['started_at', 'request_id']) }} as request_id,
            {{ conversation_keys | join(', ') }},
            max(started_at) as started_at,
            {{ value_at_max('prompt_tokens', ['started_at', 'request_id']) }} as prompt_tokens
        from priced as earlier
        where
            conversation_id is not null and prompt_tokens >= {{ var('optimization_cache_min_prefix_tokens') }}
            and {{ before_rebuilt_periods('request_date') }}
            and exists (
                select 1 from cacheable_calls_since
                where
                    {%- for key in conversation_keys %}
                        {{ 'and ' if not loop.first }}cacheable_calls_since.{{ key }} is not distinct from earlier.{{ key }}
                    {%- endfor %}
            )
        group by {{ conversation_keys | join(', ') }}
    {%- endif %}
),

cacheable as (
    select
        request_source,
        request_id,
        lag(prompt_tokens) over conversation as previous_prompt_tokens,
        {{ seconds_between('lag(started_at) over conversation', 'started_at') }} as seconds_since_previous
    from cacheable_calls
    window conversation as (
        partition by {{ conversation_keys | join(', ') }}
        order by started_at, request_id
    )
),

sequenced as (
    select
        requests.*,
        cacheable.previous_prompt_tokens,
        cacheable.seconds_since_previous
    from requests
    left join cacheable
        on requests.request_source = cacheable.request_source and requests.request_id = cacheable.request_id
),

flagged as (
    select
        *,
        coalesce(
            model_tier in ('{{ var("optimization_expensive_tiers") | join("', '") }}')
            and prompt_tokens < {{ var('optimization_short_call_max_input_tokens') }}
            and output_tokens + reasoning_tokens < {{ var('optimization_short_call_max_output_tokens') }}
            and tool_name is null,
            false
        ) as is_short_simple,
        coalesce(
            end_user_id is null
            and (
                environment in ('{{ var("optimization_batch_environments") | join("', '") }}')
                or application in ('{{ var("optimization_batch_workloads") | join("', '") }}')
                or application || '/' || coalesce(feature, '')
                in ('{{ var("optimization_batch_workloads") | join("', '") }}')
            ),
            false
        ) as is_batch_eligible,
        coalesce(
            prompt_tokens >= previous_prompt_tokens
            and seconds_since_previous <= {{ var('optimization_cache_max_gap_minutes') }} * 60,
            false
        ) as is_context_resend
    from sequenced
)

select
    request_source,
    request_id,
    conversation_id,
    end_user_id,
    team,
    application,
    environment,
    feature,
    provider_name,
    price_provider,
    model_id,
    model_creator,
    model_tier,
    call_type,
    cost_currency,
    input_tokens,
    cache_read_tokens,
    cache_write_tokens,
    output_tokens,
    reasoning_tokens,
    prompt_tokens,
    previous_prompt_tokens,
    seconds_since_previous,
    list_cost,
    is_short_simple,
    is_batch_eligible,
    is_context_resend,
    request_date,
    {{ period_of('request_date') }} as billing_period
from flagged
where is_short_simple or is_batch_eligible or is_context_resend
