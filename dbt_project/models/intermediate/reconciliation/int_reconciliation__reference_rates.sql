{#-
    The standard rate of each provider, model, token type and day, per million tokens in the billing
    currency: what the reconciliation prices volumes at (the gateway's tokens, tokens it did not see, tokens
    billed at a batch or flex tier). The bill's own rate comes first (list cost of its standard-tier token
    charges / their tokens), so a catalogue that differs from what the provider charges never passes for a
    variance; the dated catalogue's standard price (converted from USD at the day's rate) only where the
    bill has no standard charge for the key. One row per key the bill or a request has.
-#}

{%- set token_types = ['input', 'cache_read', 'cache_write', 'output'] %}

with

invoice as (
    select * from {{ ref('int_reconciliation__invoice_daily') }}
),

requests as (
    select * from {{ ref('int_reconciliation__requests_daily') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current and service_tier = 'standard' and min_context_tokens = 0
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
    where to_currency = '{{ var("reporting_currency") }}'
),

keyed as (
    select
        usage_date,
        provider_name,
        model_id,
        token_type,
        billing_currency,
        standard_list_cost,
        standard_tokens
    from invoice
    where token_type <> ''
    {%- for token_type in token_types %}
        union all
        select
            usage_date,
            provider_name,
            model_id,
            '{{ token_type }}' as token_type,
            billing_currency,
            cast(0 as {{ money_type() }}) as standard_list_cost,
            0 as standard_tokens
        from requests
        where {{ token_type }}_tokens > 0
    {%- endfor %}
),

keys as (
    select
        usage_date,
        provider_name,
        model_id,
        token_type,
        billing_currency,
        sum(standard_list_cost) as standard_list_cost,
        sum(standard_tokens) as standard_tokens
    from keyed
    group by usage_date, provider_name, model_id, token_type, billing_currency
),

converted as (
    select
        keys.*,
        -- USD (the catalogue's and the gateway's currency) into the billing currency, at the day's rates
        case
            when keys.billing_currency = 'USD' then 1.0
            else
                (case when '{{ var("reporting_currency") }}' = 'USD' then 1.0 else usd.rate end)
                / (case when keys.billing_currency = '{{ var("reporting_currency") }}' then 1.0 else billing.rate end)
        end as usd_to_billing_rate,
        case keys.token_type
            when 'input' then prices.input_usd_per_mtok
            when 'cache_read' then prices.cache_read_usd_per_mtok
            when 'cache_write' then prices.cache_write_5m_usd_per_mtok
            when 'output' then prices.output_usd_per_mtok
        end as catalogue_usd_per_mtok
    from keys
    left join fx_rates as usd
        on
            usd.from_currency = 'USD'
            and keys.usage_date >= usd.valid_from
            and keys.usage_date < usd.valid_to
    left join fx_rates as billing
        on
            keys.billing_currency = billing.from_currency
            and keys.usage_date >= billing.valid_from
            and keys.usage_date < billing.valid_to
    left join prices
        on
            prices.price_provider = case keys.provider_name
                when 'Amazon Web Services' then 'aws'
                when 'OpenAI' then 'openai'
                when 'Microsoft' then 'azure'
                when 'Google Cloud' then 'google'
                when 'Anthropic' then 'anthropic'
            end
            and keys.model_id = prices.model_id
            and keys.usage_date = prices.price_date
)

select
    usage_date,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    cast(usd_to_billing_rate as double) as usd_to_billing_rate,
    case
        when standard_tokens > 0 then 'invoice'
        when catalogue_usd_per_mtok is not null and usd_to_billing_rate is not null then 'catalogue'
    end as rate_source,
    cast(
        case
            when standard_tokens > 0 then standard_list_cost * 1000000 / standard_tokens
            else catalogue_usd_per_mtok * usd_to_billing_rate
        end as {{ money_type() }}
    ) as reference_rate_per_mtok
from converted
