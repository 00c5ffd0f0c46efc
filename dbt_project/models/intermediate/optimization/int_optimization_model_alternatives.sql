{#-
    The cheaper model to price a short, simple call at, per host, expensive model and day a candidate call
    (int_optimization_requests.is_short_simple) was made: the seed `model_alternatives`' when the host prices
    it that day, else the cheapest model (input + output price per million tokens) of a cheaper tier (var
    `optimization_cheaper_tiers`) from the same creator that the host prices that day at the standard tier
    and that produces text (has an output price); ties by model id. No row when there is none.
-#}

with

request_days as (
    select distinct
        price_provider,
        model_id,
        model_creator,
        request_date
    from {{ ref('int_optimization_requests') }}
    where is_short_simple
),

models as (
    select * from {{ ref('models') }}
),

pinned as (
    select * from {{ ref('model_alternatives') }}
),

prices as (
    select * from {{ ref('int_llm_prices_daily') }}
    where is_current and service_tier = 'standard'
),

-- models a host prices at the standard tier on a day (base context band), with tier and creator
offered as (
    select
        prices.price_provider,
        prices.model_id,
        prices.price_date,
        models.model_creator,
        models.model_tier,
        prices.input_usd_per_mtok + prices.output_usd_per_mtok as unit_price
    from prices
    inner join models on prices.model_id = models.model_id
    where prices.min_context_tokens = 0 and prices.output_usd_per_mtok is not null
),

ranked_alternatives as (
    select
        request_days.price_provider,
        request_days.model_id,
        request_days.request_date,
        offered.model_id as alternative_model_id,
        pinned.model_id is not null as is_pinned,
        row_number() over (
            partition by request_days.price_provider, request_days.model_id, request_days.request_date
            order by pinned.model_id is null, offered.unit_price nulls last, offered.model_id
        ) as alternative_rank
    from request_days
    inner join offered
        on
            request_days.price_provider = offered.price_provider
            and request_days.request_date = offered.price_date
            and request_days.model_id <> offered.model_id
    left join pinned
        on request_days.model_id = pinned.model_id and offered.model_id = pinned.alternative_model_id
    where
        pinned.model_id is not null
        or (
            offered.model_creator = request_days.model_creator
            and offered.model_tier in ('{{ var("optimization_cheaper_tiers") | join("', '") }}')
        )
)

select
    price_provider,
    model_id,
    request_date,
    alternative_model_id,
    is_pinned
from ranked_alternatives
where alternative_rank = 1
