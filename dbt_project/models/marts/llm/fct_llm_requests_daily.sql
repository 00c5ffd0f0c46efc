{#-
    LLM requests per day and attribution, with tokens, the gateway's estimate and the list cost: the daily
    rollup of fct_llm_requests that showback, unpriced usage and the rating history read, so the price joins
    of tens of millions of requests are evaluated once per run (fct_llm_requests stays a view).
-#}
{{ config(materialized='table') }}

select
    request_date,
    request_source,
    provider_name,
    price_provider,
    team,
    application,
    environment,
    cost_centre_id,
    model_id,
    gateway_model,
    is_model_known,
    cost_currency,
    unpriced_token_types,
    catalogue_version,
    count(*) as requests,
    sum(input_tokens) as input_tokens,
    sum(cache_read_tokens) as cache_read_tokens,
    sum(cache_write_tokens) as cache_write_tokens,
    sum(output_tokens) as output_tokens,
    sum(reasoning_tokens) as reasoning_tokens,
    sum(total_tokens) as total_tokens,
    sum(gateway_cost) as gateway_cost,
    sum(list_cost) as list_cost
from {{ ref('fct_llm_requests') }}
group by all
