{#-
    List cost as first rated and as restated by the current catalogue, per day, rated data, provider and
    model: what a price change did to the list-price view of past usage. Rows where nothing changed show a
    zero restatement.
-#}
with

ratings as (
    select * from {{ ref('fct_llm_list_cost_ratings') }}
),

current_version as (
    select max(catalogue_version) as catalogue_version
    from {{ ref('stg_prices__catalogue_prices') }}
    where is_current
),

first_rated as (
    select * from (
        select
            *,
            row_number() over (
                partition by usage_date, rated_data, provider_name, model_id
                order by rated_at, catalogue_version
            ) as rating_rank
        from ratings
    ) as ranked_ratings
    where rating_rank = 1
)

select
    first_rated.usage_date,
    first_rated.rated_data,
    first_rated.provider_name,
    first_rated.model_id,
    first_rated.catalogue_version as first_catalogue_version,
    first_rated.rated_at as first_rated_at,
    first_rated.list_cost as first_list_cost,
    restated.catalogue_version as current_catalogue_version,
    restated.rated_at as restated_at,
    restated.list_cost as current_list_cost,
    restated.list_cost - first_rated.list_cost as restatement
from first_rated
inner join current_version on true
left join ratings as restated
    on
        first_rated.usage_date = restated.usage_date
        and first_rated.rated_data = restated.rated_data
        and first_rated.provider_name = restated.provider_name
        and first_rated.model_id = restated.model_id
        and current_version.catalogue_version = restated.catalogue_version
