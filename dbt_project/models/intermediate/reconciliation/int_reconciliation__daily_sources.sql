{#-
    The reconciliation's sources side by side, one row per usage day x provider x model x token type x
    billing currency that any of them has: the bill's AI charges by kind (int_reconciliation__invoice_daily),
    the gateway's estimate split by token type (int_reconciliation__gateway_estimates), every request-level
    source and the usage APIs at list, the standard rate volumes are priced at, and whether the provider's
    bill covers the day yet. Missing amounts are 0; request and usage-API list costs stay null when unpriced.
    rpt_reconciliation_daily explains the variance from these columns.
-#}

{%- set token_types = ['input', 'cache_read', 'cache_write', 'output'] %}
{%- set grain = ['usage_date', 'provider_name', 'model_id', 'token_type', 'billing_currency'] %}

with

invoice as (
    select * from {{ ref('int_reconciliation__invoice_daily') }}
),

gateway as (
    select * from {{ ref('int_reconciliation__gateway_estimates') }}
),

usage_api as (
    select * from {{ ref('int_reconciliation__usage_daily') }}
),

rates as (
    select * from {{ ref('int_reconciliation__reference_rates') }}
),

currencies as (
    select * from {{ ref('int_reconciliation__billing_currencies') }}
),

requests as (
    -- every request-level source, each call once (fct_llm_requests), per token type
    select
        {{ grain | join(', ') }},
        sum(tokens) as request_tokens,
        case when count(list_cost) = count(*) then sum(list_cost) end as request_list_cost
    from (
        {%- for token_type in token_types %}
            select
                usage_date,
                provider_name,
                model_id,
                '{{ token_type }}' as token_type,
                billing_currency,
                {{ token_type }}_tokens as tokens,
                {{ token_type }}_list_cost as list_cost
            from {{ ref('int_reconciliation__requests_daily') }}
            where {{ token_type }}_tokens > 0
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as by_token_type
    group by {{ grain | join(', ') }}
),

keys as (
    {%- for source in ['invoice', 'gateway', 'requests', 'usage_api'] %}
        select {{ grain | join(', ') }} from {{ source }}
        {% if not loop.last %}union{% endif %}
    {%- endfor %}
),

joined as (
    select
        keys.*,
        coalesce(invoice.billing_period, {{ period_of('keys.usage_date') }}) as billing_period,
        coalesce(gateway.gateway_estimated_cost, 0) as gateway_estimated_cost,
        coalesce(gateway.gateway_estimated_cost_billing, 0) as gateway_estimated_cost_billing,
        requests.request_list_cost,
        usage_api.usage_api_cost,
        coalesce(invoice.billed_cost, 0) as invoiced_billed_cost,
        coalesce(invoice.effective_cost, 0) as invoiced_cost,
        coalesce(invoice.standard_effective_cost, 0) as standard_effective_cost,
        coalesce(invoice.standard_list_cost, 0) as standard_list_cost,
        -- token counts are whole numbers (FOCUS keeps them as decimals)
        cast(coalesce(invoice.standard_tokens, 0) as bigint) as standard_tokens,
        coalesce(invoice.tiered_effective_cost, 0) as tiered_effective_cost,
        cast(coalesce(invoice.tiered_tokens, 0) as bigint) as tiered_tokens,
        coalesce(invoice.provisioned_cost, 0) as provisioned_cost,
        coalesce(invoice.tax_cost, 0) as tax_cost,
        coalesce(invoice.credit_cost, 0) as credit_cost,
        coalesce(invoice.discount_cost, 0) as discount_cost,
        coalesce(invoice.non_token_cost, 0) as non_token_cost,
        invoice.invoiced_tokens,
        coalesce(requests.request_tokens, 0) as request_tokens,
        coalesce(gateway.gateway_tokens, 0) as gateway_tokens,
        coalesce(usage_api.usage_api_tokens, 0) as usage_api_tokens,
        rates.reference_rate_per_mtok,
        coalesce(keys.usage_date <= currencies.invoiced_through, false) as is_invoiced
    from keys
    left join invoice
        on
            keys.usage_date = invoice.usage_date
            and keys.provider_name = invoice.provider_name
            and keys.model_id = invoice.model_id
            and keys.token_type = invoice.token_type
            and keys.billing_currency = invoice.billing_currency
    left join gateway
        on
            keys.usage_date = gateway.usage_date
            and keys.provider_name = gateway.provider_name
            and keys.model_id = gateway.model_id
            and keys.token_type = gateway.token_type
            and keys.billing_currency = gateway.billing_currency
    left join requests
        on
            keys.usage_date = requests.usage_date
            and keys.provider_name = requests.provider_name
            and keys.model_id = requests.model_id
            and keys.token_type = requests.token_type
            and keys.billing_currency = requests.billing_currency
    left join usage_api
        on
            keys.usage_date = usage_api.usage_date
            and keys.provider_name = usage_api.provider_name
            and keys.model_id = usage_api.model_id
            and keys.token_type = usage_api.token_type
            and keys.billing_currency = usage_api.billing_currency
    left join rates
        on
            keys.usage_date = rates.usage_date
            and keys.provider_name = rates.provider_name
            and keys.model_id = rates.model_id
            and keys.token_type = rates.token_type
            and keys.billing_currency = rates.billing_currency
    left join currencies on keys.provider_name = currencies.provider_name
)

select * from joined
