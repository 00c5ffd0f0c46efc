{#-
    Rating token counts with the list-price catalogue (int_llm_prices_daily).

    token_prices maps each disjoint token count column of the rated row to the catalogue's token type.
    A row is priced only when every token type it used has a price: list_cost is null otherwise (never a
    silent zero) and unpriced_token_types names what was missing. Rows matching free_when (a gateway cache
    hit: no provider was called) cost nothing.
-#}
{% macro list_cost_columns(row, prices, token_prices, free_when=none) -%}
    case
        {%- if free_when %}
        when {{ free_when }} then cast(0 as {{ money_type() }})
        {%- endif %}
        when
            {%- for tokens, token_type in token_prices.items() %}
            ({{ row }}.{{ tokens }} = 0 or {{ prices }}.{{ token_type }}_usd_per_mtok is not null)
            {%- if not loop.last %} and{% endif %}
            {%- endfor %}
            then
                {%- for tokens, token_type in token_prices.items() %}
                coalesce({{ cost_of_tokens(row ~ '.' ~ tokens, prices ~ '.' ~ token_type ~ '_usd_per_mtok') }}, 0)
                {%- if not loop.last %} +{% endif %}
                {%- endfor %}
    end as list_cost,
    case when {{ free_when or 'false' }} then null else nullif(concat_ws(
        ',',
        {%- for tokens, token_type in token_prices.items() %}
        case
            when {{ row }}.{{ tokens }} > 0 and {{ prices }}.{{ token_type }}_usd_per_mtok is null
                then '{{ token_type }}'
        end{% if not loop.last %},{% endif %}
        {%- endfor %}
    ), '') end as unpriced_token_types
{%- endmacro %}

{#- The join condition of a row to its day's price: host, model, tier, day and context band. -#}
{% macro price_join(row, prices, price_provider, model_id, service_tier, price_date, context_tokens) -%}
    {{ prices }}.is_current
    and {{ prices }}.price_provider = {{ price_provider }}
    and {{ prices }}.model_id = {{ model_id }}
    and {{ prices }}.service_tier = {{ service_tier }}
    and {{ prices }}.price_date = {{ price_date }}
    and {{ context_tokens }} >= {{ prices }}.min_context_tokens
    and ({{ prices }}.max_context_tokens is null or {{ context_tokens }} < {{ prices }}.max_context_tokens)
{%- endmacro %}
