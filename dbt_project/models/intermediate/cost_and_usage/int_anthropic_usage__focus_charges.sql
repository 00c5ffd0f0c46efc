{#-
    Anthropic cost report results as FOCUS charges: amounts were in cents (staging made them dollars); token
    counts come from the usage report where its groups match.
    One mapping model per bill, all under the shared `focus_charge` contract (_cost_and_usage__models.yml):
    the union int_cost_and_usage_unioned is a loop over them.
-#}

with

charges as (
    select
        'anthropic_usage' as source,
        'cost_report' as source_dataset,
        '{{ var("anthropic_organization_id") }}' as billing_account_id,
        'Anthropic organization' as billing_account_name,
        coalesce(workspace_id, 'default') as sub_account_id,
        coalesce(workspace_id, 'Default workspace') as sub_account_name,
        'Anthropic' as invoice_issuer_name,
        'Anthropic, PBC' as invoicing_entity,
        'Anthropic' as provider_name,
        'Anthropic' as host_provider_name,
        'Anthropic' as publisher_name,
        'Claude API' as service_name,
        coalesce(description, 'Claude API usage') as charge_description,
        inference_geo as region_id,
        description as sku_id,
        coalesce(report_token_type, cost_type) as sku_meter,
        case
            when model_id is not null
                then {{ json_object_of([('x_ModelId', 'model_id'), ('x_TokenType', 'token_type'), ('x_CacheTtl', 'cache_ttl'), ('x_ContextWindow', 'context_window')]) }}
        end as sku_price_details,
        case when token_count is not null then 'Tokens' end as pricing_unit,
        cast(token_count as {{ money_type() }}) as pricing_quantity,
        case when token_count is not null then 'Tokens' end as consumed_unit,
        cast(token_count as {{ money_type() }}) as consumed_quantity,
        currency_code as billing_currency,
        model_id,
        token_type,
        cast(token_count as {{ money_type() }}) as token_count,
        service_tier,
        -- Anthropic's inference_geo is global or a geography (us): the latter keeps data in a zone.
        case when inference_geo = 'global' then 'global' when inference_geo is not null then 'data_zone' end
            as inference_region_scope,
        'anthropic_workspace' as account_key_type,
        coalesce(workspace_id, 'default') as account_key,
        {{ provider_api_charge_columns() }}
    from {{ ref('int_anthropic_usage__costs_classified') }}
)

select {{ contract_columns() }}
from charges
