{#-
    The list price of every host, model, service tier and context band on every day, per catalogue version,
    with one column per disjoint token type (USD per million tokens; null = no price).

    Expanding validity intervals into days makes two things simple and exact: an override beats the
    catalogue only on the days it is valid, and rating a request is an equality join on its day.
    (About 60 price keys x 6 years of days: a few hundred thousand rows.)
-#}
{{ config(materialized='table') }}

{%- set token_types = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output', 'reasoning'] %}

with

catalogue as (
    select * from {{ ref('stg_prices__catalogue_prices') }}
),

versions as (
    select distinct
        catalogue_version,
        is_current
    from catalogue
),

overrides as (
    select * from {{ ref('price_overrides') }}
),

days as (
    {{ day_spine(var('price_calendar_start'), var('price_calendar_end')) }}
),

-- Overrides apply to every catalogue version: a restatement changes catalogue prices, not contracts.
priced as (
    select
        catalogue.catalogue_version,
        catalogue.is_current,
        catalogue.price_provider,
        catalogue.model_id,
        catalogue.service_tier,
        catalogue.token_type,
        catalogue.min_context_tokens,
        catalogue.valid_from,
        catalogue.valid_to,
        catalogue.usd_per_mtok,
        1 as precedence
    from catalogue
    union all
    select
        versions.catalogue_version,
        versions.is_current,
        overrides.price_provider,
        overrides.model_id,
        overrides.service_tier,
        overrides.token_type,
        overrides.min_context_tokens,
        overrides.valid_from,
        overrides.valid_to,
        overrides.usd_per_mtok,
        0 as precedence
    from overrides
    cross join versions
),

daily as (
    select * from (
        select
            priced.*,
            days.day as price_date,
            row_number() over (
                partition by
                    priced.catalogue_version, priced.price_provider, priced.model_id, priced.service_tier,
                    priced.token_type, priced.min_context_tokens, days.day
                order by priced.precedence
            ) as precedence_rank
        from priced
        inner join days
            on
                priced.valid_from <= days.day
                and (priced.valid_to is null or priced.valid_to > days.day)
    ) as ranked_daily
    where precedence_rank = 1
),

pivoted as (
    select
        catalogue_version,
        is_current,
        price_provider,
        model_id,
        service_tier,
        min_context_tokens,
        price_date,
        {% for token_type in token_types -%}
            max(case when token_type = '{{ token_type }}' then usd_per_mtok end) as {{ token_type }}_usd_per_mtok,
        {% endfor -%}
        min(precedence) = 0 as has_override
    from daily
    group by all
)

select
    *,
    -- The band ends where the next one of the same key starts.
    lead(min_context_tokens) over (
        partition by catalogue_version, price_provider, model_id, service_tier, price_date
        order by min_context_tokens nulls last
    ) as max_context_tokens
from pivoted
