{#-
    Opportunity `batch_pricing`: non-interactive traffic (int_optimization_requests.is_batch_eligible: no end
    user waits for it, and it runs in a batch environment or a background workload named in the vars) rated
    at on-demand prices, per billing period, team, application, host and model.

    The same tokens are rated at the host's batch list price for the model that day (catalogue service tier
    `batch`, same context band); where the catalogue has no batch price and the host is one whose batch
    discount is known (var `optimization_batch_discount_providers`, e.g. Bedrock batch inference), at that
    discount off the list cost (var `optimization_batch_discount_pct`). Requests with neither are left out.
    Savings = list cost now - batch cost, only where positive.
-#}

{%- set token_prices = {
    'input_tokens': 'input',
    'cache_read_tokens': 'cache_read',
    'cache_write_tokens': 'cache_write_5m',
    'output_tokens': 'output',
    'reasoning_tokens': 'reasoning',
} %}
{%- set discount_pct = var('optimization_batch_discount_pct') %}

with

requests as (
    select
        {{ star_except(['list_cost']) }},  -- noqa: RF02
        list_cost as current_cost
    from {{ ref('int_optimization_requests') }}
    where is_batch_eligible
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current and service_tier = 'batch'
),

rated as (
    select
        requests.*,
        prices.model_id is not null as has_batch_price,
        {{ list_cost_columns('requests', 'prices', token_prices) }}
    from requests
    left join prices
        on {{ price_join('requests', 'prices', 'requests.price_provider', 'requests.model_id', "'batch'",
            'requests.request_date', 'requests.prompt_tokens') }}
),

batch_costs as (
    select
        *,
        case
            when has_batch_price then list_cost
            when price_provider in ('{{ var("optimization_batch_discount_providers") | join("', '") }}')
                then current_cost - current_cost * cast({{ discount_pct }} as decimal(9, 4)) * cast(0.01 as decimal(3, 2))
        end as batch_cost
    from rated
),

grouped as (
    select
        billing_period,
        team,
        application,
        provider_name,
        model_id,
        cost_currency as billing_currency,
        count(*) as requests,
        sum(prompt_tokens + output_tokens + reasoning_tokens) as tokens,
        count(*) filter (where has_batch_price) as catalogue_priced_requests,
        sum(current_cost) as current_cost,
        sum(batch_cost) as batch_cost
    from batch_costs
    where batch_cost is not null
    group by all
)

select
    'batch_pricing' as opportunity_type,
    billing_period,
    team,
    application,
    provider_name,
    model_id,
    cast(null as string) as resource_id,
    'Send the non-interactive calls of ' || application || ' on ' || model_id || ' through the batch API'
        as suggested_action,
    current_cost,
    current_cost - batch_cost as estimated_savings,
    billing_currency,
    cast(requests as string) || ' requests without an end user in a batch-eligible workload ('
    || cast(tokens as string) || ' tokens) cost ' || cast(cast(current_cost as decimal(38, 2)) as string) || ' '
    || billing_currency || ' at on-demand list prices; at '
    || case
        when catalogue_priced_requests = requests then 'the catalogue''s batch prices'
        when catalogue_priced_requests = 0 then 'the {{ discount_pct }}% batch discount'
        else 'batch prices (catalogue, else the {{ discount_pct }}% discount)'
    end
    || ' they would cost ' || cast(cast(batch_cost as decimal(38, 2)) as string) || ' ' || billing_currency || '.'
        as evidence,
    requests,
    tokens
from grouped
where current_cost > batch_cost
