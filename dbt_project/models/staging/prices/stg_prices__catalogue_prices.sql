{#- Every catalogue version's prices; is_current marks the newest version (the one requests are rated with). -#}
with

source as (
    select * from {{ source('prices', 'genai_prices') }}
),

versions as (
    select
        catalogue_version,
        min(loaded_at) as catalogue_loaded_at
    from source
    group by catalogue_version
),

renamed as (
    select
        source.catalogue_version,
        versions.catalogue_loaded_at,
        source.price_provider,
        source.model_id,
        source.catalogue_model_id,
        source.service_tier,
        source.token_type,
        source.min_context_tokens,
        source.valid_from,
        source.valid_to,
        source.usd_per_mtok,
        versions.catalogue_loaded_at = max(versions.catalogue_loaded_at) over () as is_current
    from source
    inner join versions on source.catalogue_version = versions.catalogue_version
)

select * from renamed
