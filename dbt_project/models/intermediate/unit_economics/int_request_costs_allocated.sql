{#-
    One row per LLM request (fct_llm_requests) with its share of the allocated AI cost (effective basis,
    int_request_cost_pieces), by cost type, the cache savings of its prompt-cache reads and a retry flag.

    - allocated_cost: what the invoice charged for the request, provisioned capacity and tax included; 0
      for a gateway cache hit, a request whose day the bill has not reached, or one nothing attributes.
    - cache_savings: cache-read tokens x (input price - cache-read price), at the list prices the request
      was rated at (int_llm_prices_daily, as fct_llm_requests' list_cost); null where unpriced.
    - is_retry: the previous request (by started_at, then request id) of the same team, application,
      conversation (session id, else trace id) and model failed. A request with neither id is never a retry.

    Incremental by billing period (month of request_date; macros/rebuilt_periods.sql): a request's cost
    pieces are of its own day (int_request_cost_pieces, same period), so the rebuilt months are deleted and
    built again. The retry flag looks back across months: the conversations are sequenced from the first
    rebuilt month on, after the last request of each before it.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('request_date') }}",
    )
}}

{%- set sequence_keys = ['team', 'application', 'conversation_key', 'model_id'] %}

with

requests as (
    select
        *,
        coalesce(session_id, trace_id) as conversation_key,
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens
    from {{ ref('fct_llm_requests') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
),

pieces as (
    select
        request_source,
        request_id,
        min(billing_currency) as billing_currency,
        {%- for cost_type in ['input', 'cache_read', 'cache_write', 'output', 'capacity', 'shared'] %}
            coalesce(sum(allocated_cost) filter (where cost_type = '{{ cost_type }}'), 0) as {{ cost_type }}_cost,
        {%- endfor %}
        sum(allocated_cost) as allocated_cost
    from {{ ref('int_request_cost_pieces') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('billing_period', period_text=true) }} {%- endif %}
    group by request_source, request_id
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current
),

conversations_since as (
    select
        request_source,
        request_id,
        team,
        application,
        coalesce(session_id, trace_id) as conversation_key,
        model_id,
        started_at,
        is_success
    from {{ ref('fct_llm_requests') }}
    where
        coalesce(session_id, trace_id) is not null
    {% if is_incremental() -%}
        and {{ since_rebuilt_periods('request_date') }}
    {%- endif %}
),

conversations as (
    select * from conversations_since
    {% if is_incremental() -%}
        -- the last earlier request of each conversation that goes on in the rebuilt months: the previous one of
        -- its first request there
        union all
        select
            {{ value_at_max('request_source', ['started_at', 'request_source', 'request_id']) }} as request_source,
            {{ value_at_max('request_id', ['started_at', 'request_source', 'request_id']) }} as request_id,
            {{ sequence_keys | join(', ') }},
            max(started_at) as started_at,
            {{ value_at_max('is_success', ['started_at', 'request_source', 'request_id']) }} as is_success
        from (
            select
                *,
                coalesce(session_id, trace_id) as conversation_key
            from {{ ref('fct_llm_requests') }}
            where {{ before_rebuilt_periods('request_date') }}
        ) as earlier
        where exists (
            select 1 from conversations_since
            where
                {%- for key in sequence_keys %}
                    {{ 'and ' if not loop.first }}conversations_since.{{ key }} is not distinct from earlier.{{ key }}
                {%- endfor %}
        )
        group by {{ sequence_keys | join(', ') }}
    {%- endif %}
),

sequenced as (
    select
        request_source,
        request_id,
        lag(is_success) over (
            partition by {{ sequence_keys | join(', ') }}
            order by started_at, request_source, request_id
        ) as previous_is_success
    from conversations
)

select
    requests.request_id,
    requests.request_source,
    requests.request_date,
    {{ period_of('requests.request_date') }} as billing_period,
    requests.started_at,
    requests.provider_name,
    requests.model_id,
    requests.model_tier,
    requests.team,
    requests.application,
    requests.environment,
    requests.cost_centre_id,
    coalesce(requests.customer_id, '') as customer_id,
    coalesce(requests.feature, '') as feature,
    requests.end_user_id,
    requests.session_id,
    requests.trace_id,
    requests.status,
    coalesce(pieces.billing_currency, '{{ var("reporting_currency") }}') as billing_currency,
    requests.input_tokens,
    requests.cache_read_tokens,
    requests.cache_write_tokens,
    requests.output_tokens,
    requests.reasoning_tokens,
    requests.total_tokens,
    requests.list_cost,
    coalesce(pieces.allocated_cost, cast(0 as {{ money_type() }})) as allocated_cost,
    {%- for cost_type in ['input', 'cache_read', 'cache_write', 'output', 'capacity', 'shared'] %}
        coalesce(pieces.{{ cost_type }}_cost, cast(0 as {{ money_type() }})) as {{ cost_type }}_cost,
    {%- endfor %}
    case
        when requests.cache_read_tokens = 0 or coalesce(requests.is_cache_hit, false)
            then cast(0 as {{ money_type() }})
        else {{ cost_of_tokens('requests.cache_read_tokens', '(prices.input_usd_per_mtok - prices.cache_read_usd_per_mtok)') }}
    end as cache_savings,
    requests.is_success,
    coalesce(requests.is_cache_hit, false) as is_cache_hit,
    coalesce(sequenced.previous_is_success = false, false) as is_retry,
    pieces.request_id is not null as is_cost_allocated
from requests
left join pieces
    on requests.request_source = pieces.request_source and requests.request_id = pieces.request_id
left join sequenced
    on requests.request_source = sequenced.request_source and requests.request_id = sequenced.request_id
left join prices
    on {{ price_join('requests', 'prices', 'requests.price_provider', 'requests.model_id', "'standard'",
        'requests.request_date', 'requests.prompt_tokens') }}
