{#-
    LLM requests (fct_llm_requests: the gateway's, and calls only OpenTelemetry or Bedrock's invocation logs
    saw, each once) per day, provider, model and source, with their tokens and list cost per token
    type: the list cost fct_llm_requests rates (dated catalogue, standard tier, the request's context band),
    kept apart by type. Keyed by the provider's billing currency (int_reconciliation__billing_currencies);
    amounts stay in the gateway's and catalogue's currency, USD.

    Gateway cache hits never reached a provider: their tokens count 0 (their estimate, 0 in LiteLLM, is kept).
    Reasoning tokens count as output, as every bill counts them. A type's list cost is null when a request
    used it and the catalogue has no price (never a silent 0).
    The sums of products per request (token counts of two types, token count x the gateway's estimate) are
    what the gateway split's least-squares fit needs (int_reconciliation__gateway_estimates); exact integers
    and decimals, so the fit is the same on every run.
    A table: the one pass over every request, read by the gateway split and by the mart.

    Incremental by billing period (month of usage_date; macros/rebuilt_periods.sql): a day's rows come from
    that day's requests, so the rebuilt months are deleted and summed again. The billing currency is the
    one exception, a provider's across all its bills: when a bill of another month changes it, every row
    of that provider is deleted too (pre-hook) and summed again (the provider no longer has a row here).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}{{ delete_rows(this, alias='stored', condition=
            in_rebuilt_periods('usage_date')
            ~ \" or stored.billing_currency is distinct from coalesce(
                (select currencies.billing_currency from \" ~ ref('int_reconciliation__billing_currencies')
                ~ \" as currencies where currencies.provider_name = stored.provider_name), 'USD')\"
        ) }}{% endif %}",
    )
}}

{#- token type -> (token count column, catalogue price) pairs; reasoning is billed as output -#}
{%- set token_prices = {
    'input': [('input_tokens', 'input')],
    'cache_read': [('cache_read_tokens', 'cache_read')],
    'cache_write': [('cache_write_tokens', 'cache_write_5m')],
    'output': [('output_tokens', 'output'), ('reasoning_tokens', 'reasoning')],
} %}
{%- set token_types = token_prices.keys() | list %}

with

requests as (
    select
        *,
        input_tokens + cache_read_tokens + cache_write_tokens as prompt_tokens
    from {{ ref('fct_llm_requests') }}
    {% if is_incremental() -%}
        -- (cost_currency, the fallback of billing_currency, is USD on every request: see the pre-hook)
        where
            {{ in_rebuilt_periods('request_date') }}
            or provider_name not in (
                select distinct stored.provider_name from {{ this }} as stored where stored.provider_name is not null
            )
    {%- endif %}
),

currencies as (
    select * from {{ ref('int_reconciliation__billing_currencies') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current
),

rated as (
    select
        requests.request_date as usage_date,
        requests.provider_name,
        requests.model_id,
        coalesce(currencies.billing_currency, requests.cost_currency) as billing_currency,
        requests.request_source,
        coalesce(requests.gateway_cost, 0) as gateway_cost,
        {%- for token_type, parts in token_prices.items() %}
            case
                when requests.is_cache_hit then 0
                else {% for tokens, _ in parts %}requests.{{ tokens }}{{ ' + ' if not loop.last }}{% endfor %}
            end as {{ token_type }}_tokens,
            {%- for tokens, price in parts %}
                case
                    when requests.is_cache_hit or requests.{{ tokens }} = 0 then cast(0 as {{ money_type() }})
                    else {{ cost_of_tokens('requests.' ~ tokens, 'prices.' ~ price ~ '_usd_per_mtok') }}
                end{{ ' +' if not loop.last else ' as ' ~ token_type ~ '_list_cost,' }}
            {%- endfor %}
        {%- endfor %}
        requests.gateway_cost is not null as has_gateway_cost
    from requests
    left join currencies on requests.provider_name = currencies.provider_name
    left join prices
        on {{ price_join('requests', 'prices', 'requests.price_provider', 'requests.model_id', "'standard'",
            'requests.request_date', 'requests.prompt_tokens') }}
)

select
    usage_date,
    provider_name,
    model_id,
    billing_currency,
    request_source,
    {%- for token_type in token_types %}
        sum({{ token_type }}_tokens) as {{ token_type }}_tokens,
        -- null when any request's tokens of this type could not be priced
        case
            when count({{ token_type }}_list_cost) = count(*) then sum({{ token_type }}_list_cost)
        end as {{ token_type }}_list_cost,
    {%- endfor %}
    {%- for first in token_types %}
        {%- for second in token_types[loop.index0:] %}
            sum(cast({{ first }}_tokens as decimal(38, 0)) * {{ second }}_tokens) as {{ first }}_x_{{ second }}_tokens,
        {%- endfor %}
        sum({{ first }}_tokens * gateway_cost) as {{ first }}_tokens_x_gateway_cost,
    {%- endfor %}
    count(*) as requests,
    case when bool_or(has_gateway_cost) then sum(gateway_cost) end as gateway_cost
from rated
group by usage_date, provider_name, model_id, billing_currency, request_source
