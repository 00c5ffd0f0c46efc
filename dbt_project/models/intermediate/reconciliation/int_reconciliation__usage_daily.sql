{#-
    The providers' usage reports (fct_llm_usage_daily: OpenAI usage API, Anthropic usage report) per day,
    provider, model and token type, priced at list: the dated catalogue at the report's own tier (batch usage
    at the batch price) and context band, 5-minute and 1-hour cache writes each at their price. Keyed by the
    provider's billing currency; amounts in USD. Reasoning tokens count as output, as the bills count them.
    usage_api_cost is null when some of the row's tokens have no catalogue price (see rpt_unpriced_usage).
-#}

{#- token type -> (token count column, catalogue price) pairs -#}
{%- set token_prices = {
    'input': [('input_tokens', 'input')],
    'cache_read': [('cache_read_tokens', 'cache_read')],
    'cache_write': [('cache_write_5m_tokens', 'cache_write_5m'), ('cache_write_1h_tokens', 'cache_write_1h')],
    'output': [('output_tokens', 'output'), ('reasoning_tokens', 'reasoning')],
} %}

with

usage_rows as (
    select
        *,
        -- the catalogue's name of the host (fct_llm_usage_daily names the provider the FOCUS way)
        case provider_name when 'OpenAI' then 'openai' when 'Anthropic' then 'anthropic' end as price_provider,
        -- Anthropic's long-context band starts at 200k input tokens per request
        case when context_window = '200k-1M' then 200000 else 0 end as context_tokens
    from {{ ref('fct_llm_usage_daily') }}
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
        usage_rows.usage_date,
        usage_rows.provider_name,
        {%- for token_type, parts in token_prices.items() %}
            {%- for tokens, price in parts %}
                usage_rows.{{ tokens }},
                case
                    when usage_rows.{{ tokens }} = 0 then cast(0 as {{ money_type() }})
                    else {{ cost_of_tokens('usage_rows.' ~ tokens, 'prices.' ~ price ~ '_usd_per_mtok') }}
                end as {{ tokens }}_list_cost,
            {%- endfor %}
        {%- endfor %}
        coalesce(usage_rows.model_id, '') as model_id,
        coalesce(currencies.billing_currency, usage_rows.cost_currency) as billing_currency
    from usage_rows
    left join currencies on usage_rows.provider_name = currencies.provider_name
    left join prices
        on {{ price_join('usage_rows', 'prices', 'usage_rows.price_provider', 'usage_rows.model_id',
            'usage_rows.service_tier', 'usage_rows.usage_date', 'usage_rows.context_tokens') }}
),

by_token_type as (
    {%- for token_type, parts in token_prices.items() %}
        select
            usage_date,
            provider_name,
            model_id,
            '{{ token_type }}' as token_type,
            billing_currency,
            {% for tokens, _ in parts %}{{ tokens }}{{ ' + ' if not loop.last }}{% endfor %} as usage_api_tokens,
            {% for tokens, _ in parts %}{{ tokens }}_list_cost{{ ' + ' if not loop.last }}{% endfor %}
                as usage_api_cost
        from rated
        where {% for tokens, _ in parts %}{{ tokens }}{{ ' + ' if not loop.last }}{% endfor %} > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    usage_date,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    sum(usage_api_tokens) as usage_api_tokens,
    case when count(usage_api_cost) = count(*) then sum(usage_api_cost) end as usage_api_cost
from by_token_type
group by usage_date, provider_name, model_id, token_type, billing_currency
