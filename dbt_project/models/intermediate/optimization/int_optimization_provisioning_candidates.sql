{#-
    Opportunity `provisioned_break_even`, direction 2: on-demand spend that would pay for provisioned
    capacity. Throughput per provisioned unit is not in the data, so this needs the monthly price of a
    deployment that carries the model's traffic: by default the one observed on the bill
    (int_optimization_provisioned_rates: the hourly rate of a deployment that served the model, for a
    month), overridden per host and model by var `optimization_provisioned_monthly_prices` (a list of
    {price_provider, model_id, monthly_price}, in the requests' currency); a model neither prices is left out.
    A model's standard list spend on days its host had no provisioned capacity (traffic on those days is
    direction 1, int_optimization_provisioned_savings), across teams, above that price:
        savings = on-demand list spend - monthly price, only where positive
-#}

{%- set monthly_prices = var('optimization_provisioned_monthly_prices') %}

with

capacity_days as (
    select distinct
        provider_name,
        charge_date
    from {{ ref('fct_ai_costs_allocated') }}
    where allocation_kind = 'provisioned'
),

on_demand_spend as (
    select
        {{ period_of('daily.request_date') }} as billing_period,
        daily.provider_name,
        daily.price_provider,
        daily.model_id,
        daily.cost_currency as billing_currency,
        sum(daily.requests) as requests,
        sum(daily.total_tokens) as tokens,
        sum(daily.list_cost) as on_demand_cost
    from {{ ref('fct_llm_requests_daily') }} as daily
    where
        not exists (
            select 1 from capacity_days
            where capacity_days.provider_name = daily.provider_name and capacity_days.charge_date = daily.request_date
        )
    group by all
),

configured_prices as (
    {%- for price in monthly_prices %}
        select
            '{{ price.price_provider }}' as price_provider,
            '{{ price.model_id }}' as model_id,
            cast({{ price.monthly_price }} as {{ money_type() }}) as monthly_price
        {% if not loop.last %}union all{% endif %}
    {%- else %}
        select
            cast(null as string) as price_provider,
            cast(null as string) as model_id,
            cast(null as {{ money_type() }}) as monthly_price
        where false
    {%- endfor %}
),

deployment_prices as (
    select
        price_provider,
        model_id,
        cast(null as string) as billing_currency,
        monthly_price,
        'set in var optimization_provisioned_monthly_prices' as price_source
    from configured_prices
    union all
    select
        observed.price_provider,
        observed.model_id,
        observed.billing_currency,
        observed.monthly_price,
        'observed: deployment ' || observed.resource_id || ' cost '
        || cast(cast(observed.hourly_rate as decimal(38, 2)) as string) || ' ' || observed.billing_currency
        || ' an hour over ' || cast(observed.billed_days as string) || ' days' as price_source
    from {{ ref('int_optimization_provisioned_rates') }} as observed
    where not exists (
        select 1 from configured_prices
        where configured_prices.price_provider = observed.price_provider and configured_prices.model_id = observed.model_id
    )
)

select
    'provisioned_break_even' as opportunity_type,
    on_demand_spend.billing_period,
    'All teams' as team,
    'All applications' as application,
    on_demand_spend.provider_name,
    on_demand_spend.model_id,
    cast(null as string) as resource_id,
    'Provision capacity for ' || on_demand_spend.model_id as suggested_action,
    on_demand_spend.on_demand_cost as current_cost,
    on_demand_spend.on_demand_cost - deployment_prices.monthly_price as estimated_savings,
    on_demand_spend.billing_currency,
    cast(on_demand_spend.requests as string) || ' on-demand requests (' || cast(on_demand_spend.tokens as string)
    || ' tokens) of ' || on_demand_spend.model_id || ' cost ' || cast(cast(on_demand_spend.on_demand_cost as decimal(38, 2)) as string)
    || ' ' || on_demand_spend.billing_currency || ' at list prices, above the '
    || cast(cast(deployment_prices.monthly_price as decimal(38, 2)) as string) || ' a month of a provisioned deployment ('
    || deployment_prices.price_source || ').' as evidence,
    on_demand_spend.requests,
    on_demand_spend.tokens
from on_demand_spend
inner join deployment_prices
    on
        on_demand_spend.price_provider = deployment_prices.price_provider
        and on_demand_spend.model_id = deployment_prices.model_id
        and on_demand_spend.billing_currency = coalesce(deployment_prices.billing_currency, on_demand_spend.billing_currency)
where on_demand_spend.on_demand_cost > deployment_prices.monthly_price
