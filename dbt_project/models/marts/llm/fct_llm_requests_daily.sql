{#-
    LLM requests per day and attribution, with tokens, the gateway's estimate and the list cost: the daily
    rollup of fct_llm_requests that showback, unpriced usage and the rating history read, so the price joins
    of tens of millions of requests are read once per run.
    Incremental by billing period (month of request_date; macros/rebuilt_periods.sql): a day's rows come
    from that day's requests only, so the rebuilt months are deleted and summed again.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('request_date') }}",
    )
}}

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
    cast(sum(input_tokens) as {{ big_int_type() }}) as input_tokens,
    cast(sum(cache_read_tokens) as {{ big_int_type() }}) as cache_read_tokens,
    cast(sum(cache_write_tokens) as {{ big_int_type() }}) as cache_write_tokens,
    cast(sum(output_tokens) as {{ big_int_type() }}) as output_tokens,
    cast(sum(reasoning_tokens) as {{ big_int_type() }}) as reasoning_tokens,
    cast(sum(total_tokens) as {{ big_int_type() }}) as total_tokens,
    sum(gateway_cost) as gateway_cost,
    sum(list_cost) as list_cost
from {{ ref('fct_llm_requests') }}
{% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
group by all
