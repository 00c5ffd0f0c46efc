{#-
    The allocated AI cost (fct_ai_costs_allocated, effective basis) spread over the LLM requests that caused
    it: one row per allocated piece and request. A piece is keyed by day, provider, model, token type and
    attribution key (team, application, environment, cost centre, customer, feature); it is spread over the
    requests with the same key, exactly (allocate_exactly), so the rows of a piece add up to it:
    - token pieces the request data explains (`request_usage`) by the request's tokens of that token type
      (reasoning tokens are billed as output);
    - provisioned capacity (`tokens_served`) by the request's total tokens, the basis of its allocation;
    - tax, credits and commitment pieces on a service requests use (an LLM API) by the request's list cost
      (by its total tokens where none of the matching requests is priced); a piece without a model
      matches the key without the model.
    Gateway cache hits never reached the provider: they get nothing. Pieces no request explains (tokens the
    bill alone saw, GPU instances, idle capacity, unused commitments, Unallocated bill lines) stay
    workload-level: see int_request_costs_unlinked.

    Incremental by billing period (the allocation's billing_period; macros/rebuilt_periods.sql): a piece is
    spread over the requests of its own day, so the rows of a period come from that period's allocated
    pieces and requests alone (the services requests call are those of the period), and the rebuilt
    periods are deleted and spread again.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('billing_period', period_text=true) }}",
    )
}}

with

allocated as (
    select * from {{ ref('fct_ai_costs_allocated') }}
    where
        is_ai
    {% if is_incremental() -%}
        and {{ in_rebuilt_periods('billing_period', period_text=true) }}
    {%- endif %}
),

-- The services requests call in each period: the LLM APIs whose usage was allocated by request tokens or
-- tokens served.
request_services as (
    select distinct
        billing_period,
        service_name
    from allocated
    where allocated_method_id in ('request_usage', 'tokens_served')
),

pieces as (
    select
        allocation_id as charge_group_id,
        charge_date,
        provider_name,
        model_id,
        case when token_type = 'reasoning' then 'output' else token_type end as token_type,
        team,
        application,
        environment,
        cost_centre_id,
        customer_id,
        feature,
        effective_cost,
        case
            when allocated_method_id = 'request_usage' then 'tokens'
            when allocated_method_id = 'tokens_served' then 'capacity'
            else 'cost'
        end as spread_basis
    from allocated
    where
        allocated_method_id in ('request_usage', 'tokens_served')
        or (
            allocated_method_id in ('shared_proportional', 'commitment_usage')
            and exists (
                select 1 from request_services
                where
                    request_services.billing_period = allocated.billing_period
                    and request_services.service_name = allocated.service_name
            )
        )
),

requests as (
    select
        request_source,
        request_id,
        request_source || '|' || request_id as target_key,
        request_date,
        provider_name,
        model_id,
        team,
        application,
        environment,
        cost_centre_id,
        coalesce(customer_id, '') as customer_id,
        coalesce(feature, '') as feature,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        output_tokens + reasoning_tokens as output_tokens,
        total_tokens,
        {{ money_to_units('coalesce(list_cost, 0)') }} as list_cost_units
    from {{ ref('fct_llm_requests') }}
    -- A gateway cache hit never reached the provider: no piece of the invoice is its.
    where
        not coalesce(is_cache_hit, false)
    {% if is_incremental() -%}
        and {{ in_rebuilt_periods('request_date') }}
    {%- endif %}
),

matched as (
    select
        pieces.charge_group_id,
        pieces.spread_basis,
        requests.request_source,
        requests.request_id,
        requests.target_key,
        requests.total_tokens,
        requests.list_cost_units,
        case pieces.token_type
            {%- for token_type in ['input', 'cache_read', 'cache_write', 'output'] %}
                when '{{ token_type }}' then requests.{{ token_type }}_tokens
            {%- endfor %}
        end as type_tokens
    from pieces
    inner join requests
        on
            pieces.charge_date = requests.request_date
            and pieces.provider_name = requests.provider_name
            and (pieces.model_id = requests.model_id or (pieces.model_id = '' and pieces.spread_basis <> 'tokens'))
            and pieces.team = requests.team
            and pieces.application = requests.application
            and pieces.environment = requests.environment
            and pieces.cost_centre_id = requests.cost_centre_id
            and pieces.customer_id = requests.customer_id
            and pieces.feature = requests.feature
),

weights as (
    select
        charge_group_id,
        request_source,
        request_id,
        target_key,
        cast(case
            when spread_basis = 'tokens' then coalesce(type_tokens, 0)
            when spread_basis = 'capacity' then coalesce(total_tokens, 0)
            -- by list cost; by tokens where no matching request is priced
            when sum(list_cost_units) over (partition by charge_group_id) > 0 then list_cost_units
            else coalesce(total_tokens, 0)
        end as {{ big_int_type() }}) as weight
    from matched
),

spread as (
    {{ allocate_exactly('pieces', 'weights', ['request_source', 'request_id'], amounts=['effective_cost']) }}
)

select
    spread.charge_group_id as allocation_id,
    spread.request_source,
    spread.request_id,
    allocated.billing_period,
    allocated.billing_currency,
    allocated.allocation_kind,
    case
        when allocated.allocated_method_id = 'request_usage'
            then case when allocated.token_type = 'reasoning' then 'output' else allocated.token_type end
        when allocated.allocated_method_id = 'tokens_served' then 'capacity'
        else 'shared'
    end as cost_type,
    spread.effective_cost as allocated_cost
from spread
inner join allocated on spread.charge_group_id = allocated.allocation_id
