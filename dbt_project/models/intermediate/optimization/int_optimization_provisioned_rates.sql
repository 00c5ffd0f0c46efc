{#-
    What a month of provisioned capacity costs, per host and model, as observed on the bill: the default
    deployment price of int_optimization_provisioning_candidates (var `optimization_provisioned_monthly_prices`
    overrides it). A deployment's hourly rate is its effective cost (fct_ai_costs_allocated, allocation_kind
    `provisioned`, busy and idle lines alike, so a reservation the organisation holds counts) over the hours
    it was billed (24 a day); a month is `optimization_provisioned_hours_per_month` hours. The models it
    carried are those of the requests the allocation counts against it (same host and day, its account or an
    unknown one; cache hits aside). A model several deployments carried takes the cheapest one's rate. The
    bill does not give a deployment's throughput: the price is that of a deployment of the observed size.
        hourly_rate = capacity cost / (billed days x 24)
        monthly_price = hourly_rate x hours per month
-#}

with

capacity as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    where allocation_kind = 'provisioned'
),

deployments as (
    select
        provider_name,
        resource_id,
        billing_currency,
        count(distinct charge_date) as billed_days,
        sum(effective_cost) as capacity_cost
    from capacity
    group by all
),

carried as (
    select distinct
        capacity.resource_id,
        requests.price_provider,
        requests.model_id
    from (
        select distinct
            provider_name,
            billing_account_id,
            sub_account_id,
            resource_id,
            charge_date
        from capacity
    ) as capacity
    inner join {{ ref('fct_llm_requests') }} as requests
        on
            capacity.provider_name = requests.provider_name
            and capacity.charge_date = requests.request_date
            and (
                requests.cloud_account_id is null
                or requests.cloud_account_id in (capacity.sub_account_id, capacity.billing_account_id)
            )
    where not coalesce(requests.is_cache_hit, false) and requests.model_id is not null
),

rated as (
    select
        carried.price_provider,
        carried.model_id,
        deployments.provider_name,
        deployments.resource_id,
        deployments.billing_currency,
        deployments.billed_days,
        deployments.capacity_cost,
        {{ divide_money('deployments.capacity_cost', 'deployments.billed_days * 24') }} as hourly_rate
    from carried
    inner join deployments on carried.resource_id = deployments.resource_id
    where deployments.capacity_cost > 0
),

-- a model several deployments carried: the cheapest one's rate first
ranked_rates as (
    select
        *,
        row_number() over (
            partition by price_provider, model_id, billing_currency order by hourly_rate asc, resource_id asc
        ) as rate_rank
    from rated
)

select
    price_provider,
    model_id,
    provider_name,
    resource_id,
    billing_currency,
    billed_days,
    capacity_cost,
    hourly_rate,
    hourly_rate * {{ var('optimization_provisioned_hours_per_month') }} as monthly_price
from ranked_rates
where rate_rank = 1
