{#-
    Request-level usage as the allocation reads it: tokens per day, provider, model, token type, the AWS
    account a call was made in (when the request data knows it) and attribution key (team, application,
    environment, cost centre, customer, feature), from every request source, each call counted once
    (fct_llm_requests), leaving out gateway cache hits (the provider never saw them). Only token types an invoice bills appear (reasoning tokens are billed as output).
    Incremental by billing period (month of usage_date; macros/rebuilt_periods.sql): a day's rows come from
    that day's requests only, so the rebuilt months are deleted and summed again.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('usage_date') }}",
    )
}}

with

requests as (
    select * from {{ ref('fct_llm_requests') }}
    {% if is_incremental() -%} where {{ in_rebuilt_periods('request_date') }} {%- endif %}
),

by_key as (
    select
        request_date as usage_date,
        provider_name,
        model_id,
        coalesce(cloud_account_id, '') as account_id,
        team,
        application,
        environment,
        cost_centre_id,
        coalesce(customer_id, '') as customer_id,
        coalesce(feature, '') as feature,
        sum(input_tokens) as input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_tokens) as cache_write_tokens,
        sum(output_tokens) + sum(reasoning_tokens) as output_tokens
    from requests
    -- A gateway cache hit never reached the provider: the invoice holds no tokens of it.
    where model_id is not null and not coalesce(is_cache_hit, false)
    group by all
),

unpivoted as (
    {%- for token_type in ['input', 'cache_read', 'cache_write', 'output'] %}
        select
            usage_date,
            provider_name,
            model_id,
            account_id,
            team,
            application,
            environment,
            cost_centre_id,
            customer_id,
            feature,
            '{{ token_type }}' as token_type,
            {{ token_type }}_tokens as tokens
        from by_key
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from unpivoted
where tokens > 0
