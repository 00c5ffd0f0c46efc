{#-
    The gateway's (LiteLLM's) cost estimate per day, provider, model and token type. LiteLLM logs one cost
    per request, not per token type, so the gateway's price of each token type is recovered from its own
    estimates: a least-squares fit over the day's requests of the model,
        estimate of a request ~ sum over token types of (the gateway's price of the type x its tokens),
    solved exactly from the normal equations (Cramer's rule on the 4 x 4 system of sums of products; a
    type the day does not use drops out). When the gateway prices each type at a fixed rate, as gateways
    do, the fit is exact and each row gets what the gateway charged for that type; what a fit leaves over
    (prices that changed within the day, context-length bands) goes to input and output, never to cache
    rows. So a cache read or write priced unlike the bill shows on the cache rows alone.
    When the requests cannot separate the types (fewer requests than types used, or token mixes that are
    proportional) or the fit gives a negative price, nothing is claimed about cache: cache rows get their
    tokens at the bill's standard rate (int_reconciliation__reference_rates) and input and output the rest
    of the estimate, in proportion to their value; a day with tokens of a type no rate prices is then split
    in proportion to tokens.
    The fit reads exact sums (int_reconciliation__requests_daily); only the solve is floating point, so every
    run gives the same split. The largest share takes the rounding remainder: per day and model the split
    sums exactly to the estimate. gateway_estimated_cost is in the gateway's currency (USD);
    gateway_estimated_cost_billing is converted to the billing currency at the day's rate.
-#}

{%- set token_types = ['input', 'cache_read', 'cache_write', 'output'] %}
{#- the 24 permutations of (0, 1, 2, 3) and their signs: a 4 x 4 determinant term by term -#}
{%- set permutations = [
    ('0123', 1), ('0132', -1), ('0213', -1), ('0231', 1), ('0312', 1), ('0321', -1),
    ('1023', -1), ('1032', 1), ('1203', 1), ('1230', -1), ('1302', -1), ('1320', 1),
    ('2013', 1), ('2031', -1), ('2103', -1), ('2130', 1), ('2301', 1), ('2310', -1),
    ('3012', -1), ('3021', 1), ('3102', 1), ('3120', -1), ('3201', -1), ('3210', 1),
] %}

{#- The determinant of the normal matrix n_<row><column> (determinants[0]), and with column k swapped for the
    right-hand side rhs_<row> (determinants[k + 1], Cramer's rule), as SQL expressions. -#}
{%- set determinants = [] %}
{%- for replaced in [none, 0, 1, 2, 3] %}
    {%- set terms = [] %}
    {%- for permutation, sign in permutations %}
        {%- set factors = [] %}
        {%- for row in range(4) %}
            {%- set column = permutation[row] | int %}
            {%- do factors.append(('rhs_' ~ row) if column == replaced else ('n_' ~ row ~ column)) %}
        {%- endfor %}
        {%- do terms.append(('+ ' if sign > 0 else '- ') ~ factors | join(' * ')) %}
    {%- endfor %}
    {%- do determinants.append('(' ~ terms | join(' ') ~ ')') %}
{%- endfor %}

with

gateway as (
    select * from {{ ref('int_reconciliation__requests_daily') }}
    where request_source = 'litellm'
),

rates as (
    -- one row per day and model, a rate column per token type
    select
        usage_date,
        provider_name,
        model_id,
        billing_currency,
        {%- for token_type in token_types %}
            max(case when token_type = '{{ token_type }}' then reference_rate_per_mtok end)
                as {{ token_type }}_rate_per_mtok,
        {%- endfor %}
        max(usd_to_billing_rate) as usd_to_billing_rate
    from {{ ref('int_reconciliation__reference_rates') }}
    group by usage_date, provider_name, model_id, billing_currency
),

normal_equations as (
    -- tokens in millions, so prices come out per million tokens and the sums stay near 1
    select
        *,
        {%- for row in range(4) %}
            {%- for column in range(4) %}
                {%- set first = token_types[[row, column] | min] %}
                {%- set second = token_types[[row, column] | max] %}
                {%- if row == column %}
                    -- a type the day does not use: 1 on the diagonal, so its price solves to 0
                    case
                        when {{ first }}_x_{{ second }}_tokens = 0 then 1.0
                        else cast({{ first }}_x_{{ second }}_tokens as double) / 1000000000000
                    end as n_{{ row }}{{ column }},
                {%- else %}
                    cast({{ first }}_x_{{ second }}_tokens as double) / 1000000000000 as n_{{ row }}{{ column }},
                {%- endif %}
            {%- endfor %}
            cast({{ token_types[row] }}_tokens_x_gateway_cost as double) / 1000000 as rhs_{{ row }},
        {%- endfor %}
        coalesce(gateway_cost, 0) as estimate
    from gateway
),

solved as (
    select
        *,
        {{ determinants[0] }} as normal_determinant
    from normal_equations
),

fitted as (
    select
        *,
        {%- for token_type in token_types %}
            {{ determinants[loop.index] }} / nullif(normal_determinant, 0) as {{ token_type }}_price_per_mtok,
        {%- endfor %}
        -- Hadamard's ratio: 1 for independent token mixes, 0 when some are proportional
        normal_determinant / (n_00 * n_11 * n_22 * n_33) as conditioning
    from solved
),

priced as (
    select
        fitted.*,
        {%- for token_type in token_types %}
            coalesce(
                {{ cost_of_tokens('fitted.' ~ token_type ~ '_tokens', 'rates.' ~ token_type ~ '_rate_per_mtok') }}, 0
            ) as {{ token_type }}_value,
            fitted.{{ token_type }}_tokens > 0 and rates.{{ token_type }}_rate_per_mtok is null
                as is_{{ token_type }}_unrated,
            cast(fitted.{{ token_type }}_tokens as double) * fitted.{{ token_type }}_price_per_mtok / 1000000
                as {{ token_type }}_fitted,
        {%- endfor %}
        rates.usd_to_billing_rate
    from fitted
    left join rates
        on
            fitted.usage_date = rates.usage_date
            and fitted.provider_name = rates.provider_name
            and fitted.model_id = rates.model_id
            and fitted.billing_currency = rates.billing_currency
),

totals as (
    select
        *,
        coalesce(
            conditioning > 0.000000001
            and input_price_per_mtok >= 0
            and cache_read_price_per_mtok >= 0
            and cache_write_price_per_mtok >= 0
            and output_price_per_mtok >= 0,
            false
        ) as has_fit,
        input_fitted + output_fitted as uncached_fitted,
        input_fitted + cache_read_fitted + cache_write_fitted + output_fitted as all_fitted,
        input_value + output_value as uncached_value,
        cache_read_value + cache_write_value as cache_value,
        is_input_unrated or is_cache_read_unrated or is_cache_write_unrated or is_output_unrated as is_unrated,
        input_tokens + cache_read_tokens + cache_write_tokens + output_tokens as day_tokens
    from priced
),

shares as (
    {%- for token_type in token_types %}
        {%- set is_cache = token_type in ['cache_read', 'cache_write'] %}
        select
            usage_date,
            provider_name,
            model_id,
            billing_currency,
            '{{ token_type }}' as token_type,
            {{ loop.index }} as token_type_order,
            {{ token_type }}_tokens as tokens,
            estimate,
            usd_to_billing_rate,
            cast(
                case
                    -- the gateway's own prices; what the fit leaves goes to input and output
                    {%- if is_cache %}
                        when has_fit and uncached_fitted > 0 then {{ token_type }}_fitted
                    {%- else %}
                        when has_fit and uncached_fitted > 0
                            then {{ token_type }}_fitted + (estimate - all_fitted) * {{ token_type }}_fitted / uncached_fitted
                    {%- endif %}
                    when has_fit and all_fitted > 0 then estimate * {{ token_type }}_fitted / all_fitted
                    -- no fit: cache tokens at the bill's rate, input and output the rest
                    {%- if is_cache %}
                        when not is_unrated and uncached_value > 0 then {{ token_type }}_value
                    {%- else %}
                        when not is_unrated and uncached_value > 0
                            then (estimate - cache_value) * {{ token_type }}_value / uncached_value
                    {%- endif %}
                    when not is_unrated and cache_value > 0 then estimate * {{ token_type }}_value / cache_value
                    when day_tokens > 0 then estimate * {{ token_type }}_tokens / day_tokens
                    else 0
                end as {{ money_type() }}
            ) as raw_share
        from totals
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

exact as (
    select
        *,
        -- the rounding remainder goes to the largest share
        case
            when
                row_number() over (
                    partition by usage_date, provider_name, model_id, billing_currency
                    order by abs(raw_share) desc, tokens desc, token_type_order asc
                ) = 1
                then raw_share + estimate - sum(raw_share) over (
                    partition by usage_date, provider_name, model_id, billing_currency
                )
            else raw_share
        end as gateway_estimated_cost
    from shares
)

select
    usage_date,
    provider_name,
    model_id,
    token_type,
    billing_currency,
    tokens as gateway_tokens,
    gateway_estimated_cost,
    case
        when billing_currency = 'USD' or usd_to_billing_rate is null then gateway_estimated_cost
        else cast(gateway_estimated_cost * usd_to_billing_rate as {{ money_type() }})
    end as gateway_estimated_cost_billing
from exact
where tokens > 0 or gateway_estimated_cost <> 0
