{#-
    OpenAI costs API results as FOCUS charges (the invoice of direct OpenAI usage).
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    select
        'openai_usage' as source,
        'costs_api' as source_dataset,
        '{{ var("openai_organization_id") }}' as billing_account_id,
        'OpenAI organization' as billing_account_name,
        project_id as sub_account_id,
        project_id as sub_account_name,
        'OpenAI' as invoice_issuer_name,
        'OpenAI, L.L.C.' as invoicing_entity,
        'OpenAI' as provider_name,
        'OpenAI' as host_provider_name,
        'OpenAI' as publisher_name,
        'OpenAI API' as service_name,
        coalesce(line_item, 'OpenAI usage') as charge_description,
        cast(null as string) as region_id,
        line_item as sku_id,
        line_item as sku_meter,
        case
            when model_id is not null
                then {{ json_object_of([('x_ModelId', 'model_id'), ('x_TokenType', 'token_type')]) }}
        end as sku_price_details,
        case when token_type is not null then 'Tokens' end as pricing_unit,
        quantity as pricing_quantity,
        case when token_type is not null then 'Tokens' end as consumed_unit,
        quantity as consumed_quantity,
        currency_code as billing_currency,
        model_id,
        token_type,
        case when token_type is not null then quantity end as token_count,
        service_tier,
        cast(null as string) as inference_region_scope,
        'openai_project' as account_key_type,
        project_id as account_key,
        {{ provider_api_charge_columns() }}
    from {{ ref('int_openai_usage__costs_classified') }}
)

select {{ contract_columns() }}
from charges
