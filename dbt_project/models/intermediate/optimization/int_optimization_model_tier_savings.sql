{#-
    Opportunity `cheaper_model_tier`: short, simple calls on a frontier or reasoning model
    (int_optimization_requests.is_short_simple) priced at a cheaper model on the same host, per billing
    period, team, application, host and model.

    The alternative is int_optimization_model_alternatives' (the seed `model_alternatives`' or the cheapest
    cheaper-tier model of the same creator on the same host that day). The same tokens of each request are
    rated at the alternative's standard list price exactly as fct_llm_requests rates them (same day, context
    band and token types); a request the alternative cannot price (a token type it has no price for) is left
    out. Savings = list cost now - cost at the alternative, only where positive.
-#}

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
        {{ star_except(['list_cost']) }},  -- noqa: RF02
        list_cost as current_cost
    from {{ ref('int_optimization_requests') }}
    where is_short_simple
),

alternatives as (
    select * from {{ ref('int_optimization_model_alternatives') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current and service_tier = 'standard'
),

repriced as (
    select
        requests.*,
        alternatives.alternative_model_id,
        current_prices.input_usd_per_mtok,
        current_prices.output_usd_per_mtok,
        prices.input_usd_per_mtok as alternative_input_usd_per_mtok,
        prices.output_usd_per_mtok as alternative_output_usd_per_mtok,
        {{ list_cost_columns('requests', 'prices', token_prices) }}
    from requests
    inner join alternatives
        on
            requests.price_provider = alternatives.price_provider
            and requests.model_id = alternatives.model_id
            and requests.request_date = alternatives.request_date
    inner join prices
        on {{ price_join('requests', 'prices', 'requests.price_provider', 'alternatives.alternative_model_id',
            "'standard'", 'requests.request_date', 'requests.prompt_tokens') }}
    left join prices as current_prices
        on {{ price_join('requests', 'current_prices', 'requests.price_provider', 'requests.model_id',
            "'standard'", 'requests.request_date', 'requests.prompt_tokens') }}
),

grouped as (
    select
        billing_period,
        team,
        application,
        provider_name,
        model_id,
        alternative_model_id,
        cost_currency as billing_currency,
        count(*) as requests,
        sum(prompt_tokens) as prompt_tokens,
        sum(output_tokens + reasoning_tokens) as output_tokens,
        sum(current_cost) as current_cost,
        sum(list_cost) as alternative_cost,
        max(input_usd_per_mtok) as input_usd_per_mtok,
        max(output_usd_per_mtok) as output_usd_per_mtok,
        max(alternative_input_usd_per_mtok) as alternative_input_usd_per_mtok,
        max(alternative_output_usd_per_mtok) as alternative_output_usd_per_mtok
    from repriced
    where list_cost is not null
    group by all
)

select
    'cheaper_model_tier' as opportunity_type,
    billing_period,
    team,
    application,
    provider_name,
    model_id,
    cast(null as string) as resource_id,
    'Route short, simple calls of ' || model_id || ' to ' || alternative_model_id as suggested_action,
    current_cost,
    current_cost - alternative_cost as estimated_savings,
    billing_currency,
    cast(requests as string) || ' calls with under {{ var("optimization_short_call_max_input_tokens") }} prompt and '
    || '{{ var("optimization_short_call_max_output_tokens") }} output tokens and no tool ('
    || cast(prompt_tokens as string) || ' prompt, ' || cast(output_tokens as string) || ' output tokens) cost '
    || cast(cast(current_cost as decimal(38, 2)) as string) || ' ' || billing_currency || ' on ' || model_id
    || ' (' || coalesce({{ decimal_text('input_usd_per_mtok') }}, '?') || ' / '
    || coalesce({{ decimal_text('output_usd_per_mtok') }}, '?') || ' ' || billing_currency
    || ' per million input / output tokens); at ' || alternative_model_id || ' ('
    || {{ decimal_text('alternative_input_usd_per_mtok') }} || ' / ' || {{ decimal_text('alternative_output_usd_per_mtok') }}
    || ') they would cost ' || cast(cast(alternative_cost as decimal(38, 2)) as string) || ' ' || billing_currency
    || '.' as evidence,
    requests,
    prompt_tokens + output_tokens as tokens
from grouped
where current_cost > alternative_cost
