{#-
    Unit costs per day, team, application, feature and currency, from the requests' allocated AI cost
    (int_request_costs_allocated: the invoice's cost, provisioned capacity counted against the tokens it
    served). Per request, per million tokens (all, and per token type), per active user, per customer and
    per session; token efficiency, prompt caching, errors and retries with their cost, the model-tier mix
    (share of cost per tier) and P50/P95/P99 of the cost per request.

    Cost per million tokens of a token type (input, cache_read, cache_write, output: output and reasoning
    tokens, billed as output) counts the tokens of requests that reached a provider (gateway cache hits
    served no token): the charges of that type, plus the cost not billed per token (provisioned capacity,
    commitments, tax and credits) shared over all four types by their number of tokens. Each is one exact
    integer division of 1e-12 units (one rounding, half away from zero); products stay in HUGEINT.

    Incremental by billing period (month of cost_date; macros/rebuilt_periods.sql): a day's rows come from
    that day's requests only, so the rebuilt months are deleted and summed again.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('cost_date') }}",
    )
}}

{%- set token_types = ['input', 'cache_read', 'cache_write', 'output'] %}
{%- set tiers = ['frontier', 'reasoning', 'mid', 'small'] %}
{%- set day_keys = 'request_date, team, application, feature, billing_currency' %}

with

requests as (
    select
        *,
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens,
        output_tokens + reasoning_tokens as completion_tokens,
        capacity_cost + shared_cost as untyped_cost,
        coalesce(session_id, trace_id) as conversation_key,
        -- the cost per request's rank among the day's requests that reached a provider, for its quantiles
        {{ quantile_rank('allocated_cost', day_keys, where='not is_cache_hit') }} as provider_cost_rank,
        {{ quantile_count('allocated_cost', day_keys, where='not is_cache_hit') }} as provider_costs
    from {{ ref('int_request_costs_allocated') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
),

daily as (
    select
        request_date as cost_date,
        team,
        application,
        feature,
        billing_currency,
        count(*) as requests,
        count(*) filter (where not is_cache_hit) as provider_requests,
        sum(allocated_cost) as allocated_cost,
        cast(sum(total_tokens) as {{ big_int_type() }}) as total_tokens,
        cast(sum(prompt_tokens) as {{ big_int_type() }}) as prompt_tokens,
        cast(sum(completion_tokens) as {{ big_int_type() }}) as completion_tokens,
        {%- for token_type in token_types %}
            {{ money_to_units('sum(' ~ token_type ~ '_cost)') }} as {{ token_type }}_units,
            coalesce(sum(
                {{- 'completion_tokens' if token_type == 'output' else token_type ~ '_tokens' -}}
            ) filter (where not is_cache_hit), 0) as {{ token_type }}_served_tokens,
        {%- endfor %}
        {{ money_to_units('sum(untyped_cost)') }} as untyped_units,
        {{ money_to_units('sum(allocated_cost)') }} as allocated_units,
        sum(cache_read_tokens) as cache_read_tokens,
        count(distinct end_user_id) as active_users,
        count(distinct nullif(customer_id, '')) as customers,
        count(distinct conversation_key) as sessions,
        sum(cache_savings) as cache_savings,
        count(*) filter (where not is_success) as errors,
        coalesce(sum(allocated_cost) filter (where not is_success), 0) as error_cost,
        count(*) filter (where is_retry) as retries,
        coalesce(sum(allocated_cost) filter (where is_retry), 0) as retry_cost,
        {%- for tier in tiers %}
            coalesce(sum(allocated_cost) filter (where model_tier = '{{ tier }}'), 0) as {{ tier }}_cost,
        {%- endfor %}
        coalesce(sum(allocated_cost) filter (where model_tier is null), 0) as unlisted_cost,
        -- requests that reached a provider, those that cost nothing (unbilled failures) included
        {{ quantile_from_ranks('allocated_cost', 0.5, 'provider_cost_rank', 'provider_costs') }} as p50_cost_per_request,
        {{ quantile_from_ranks('allocated_cost', 0.95, 'provider_cost_rank', 'provider_costs') }} as p95_cost_per_request,
        {{ quantile_from_ranks('allocated_cost', 0.99, 'provider_cost_rank', 'provider_costs') }} as p99_cost_per_request
    from requests
    group by all
),

served as (
    select
        *,
        cast(
            input_served_tokens + cache_read_served_tokens + cache_write_served_tokens + output_served_tokens
            as {{ big_int_type() }}
        ) as provider_tokens
    from daily
)

select
    cost_date,
    team,
    application,
    feature,
    billing_currency,
    requests,
    provider_requests,
    cast(allocated_cost as {{ money_type() }}) as allocated_cost,
    cast({{ divide_money('allocated_cost', 'requests') }} as {{ money_type() }}) as cost_per_request,
    total_tokens,
    provider_tokens,
    case
        when provider_tokens > 0
            then {{ units_to_money(round_half_away_divide('allocated_units * 1000000', 'provider_tokens')) }}
    end as cost_per_million_tokens,
    {%- for token_type in token_types %}
        -- (type charges + untyped cost x type tokens / provider tokens) x 1e6 / type tokens, one division
        case
            when {{ token_type }}_served_tokens > 0 then {{ units_to_money(round_half_away_divide(
                '(' ~ token_type ~ '_units * provider_tokens + untyped_units * ' ~ token_type ~ '_served_tokens)'
                ~ ' * 1000000',
                '(' ~ token_type ~ '_served_tokens * provider_tokens)'
            )) }}
        end as cost_per_million_{{ token_type }}_tokens,
    {%- endfor %}
    active_users,
    cast({{ divide_money('allocated_cost', 'nullif(active_users, 0)') }} as {{ money_type() }})
        as cost_per_active_user,
    customers,
    cast({{ divide_money('allocated_cost', 'nullif(customers, 0)') }} as {{ money_type() }}) as cost_per_customer,
    sessions,
    cast({{ divide_money('allocated_cost', 'nullif(sessions, 0)') }} as {{ money_type() }}) as cost_per_session,
    prompt_tokens,
    completion_tokens,
    cast(
        {{ divide_money('cast(completion_tokens as decimal(38, 12))', 'nullif(prompt_tokens, 0)') }}
        as decimal(38, 12)
    ) as output_input_ratio,
    cast({{ divide_money('cast(prompt_tokens as decimal(38, 12))', 'requests') }} as decimal(38, 12))
        as avg_context_tokens,
    cast(
        {{ divide_money('cast(cache_read_tokens as decimal(38, 12))', 'nullif(prompt_tokens, 0)') }}
        as decimal(38, 12)
    ) as cache_hit_rate,
    cast(cache_savings as {{ money_type() }}) as cache_savings,
    errors,
    cast({{ divide_money('cast(errors as decimal(38, 12))', 'requests') }} as decimal(38, 12)) as error_rate,
    cast(error_cost as {{ money_type() }}) as error_cost,
    retries,
    cast({{ divide_money('cast(retries as decimal(38, 12))', 'requests') }} as decimal(38, 12)) as retry_rate,
    cast(retry_cost as {{ money_type() }}) as retry_cost,
    cast(p50_cost_per_request as {{ money_type() }}) as p50_cost_per_request,
    cast(p95_cost_per_request as {{ money_type() }}) as p95_cost_per_request,
    cast(p99_cost_per_request as {{ money_type() }}) as p99_cost_per_request,
    {%- for tier in tiers + ['unlisted'] %}
        {{ ratio(tier ~ '_cost', 'allocated_cost') }} as tier_{{ tier }}_cost_share
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
from served
