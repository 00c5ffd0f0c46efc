{#-
    A provider's unit spelled the way FOCUS UnitFormat asks: `GB-Mo` -> `GB-Months`, `Obj-Month` ->
    `Obj-Months`, `Hrs` -> `Hours`. Other units pass through unchanged.
-#}
{% macro focus_unit(column) -%}
    case
        when {{ column }} in ('Hrs', 'Hour', 'hrs') then 'Hours'
        else {{ regex_replace(regex_replace(column, '-(Mo|Month|Mos)$', '-Months'), '-(Hrs|Hour)$', '-Hours') }}
    end
{%- endmacro %}

{#-
    Staging of a provider's FOCUS export: every FOCUS column as loaded, timestamps as UTC wall-clock
    timestamps like the rest of the warehouse, and a stable charge_id.
-#}
{% macro focus_export_staging(relation) -%}
with

source as (
    -- rows of a billing scope that a newer delivery of another export also covers do not count
    select * from {{ relation }}
    where _superseded_by is null
)

select
    md5(_source_file || ':' || cast(_source_row as string)) as charge_id,
    {{ star_replace(relation, {
        'BillingPeriodStart': to_utc('BillingPeriodStart'),
        'BillingPeriodEnd': to_utc('BillingPeriodEnd'),
        'ChargePeriodStart': to_utc('ChargePeriodStart'),
        'ChargePeriodEnd': to_utc('ChargePeriodEnd'),
    }, exclude=['_superseded_by']) }}
from source
{%- endmacro %}

{#-
    A provider's FOCUS export as FOCUS charges (sub accounts attributed as `account_key_type` keys;
    `ai_columns` when the relation already has model_id, token_type, token_count, service_tier and
    inference_region_scope). The export is an alternative to the provider's native bill: for a billing
    account and period the native charges (`native_charges`, that bill's `int_<source>__focus_charges`)
    also have, the export's rows are left out so nothing counts twice.
-#}
{% macro focus_export_charges(relation, source_slug, native_charges, account_key_type, ai_columns=false) -%}
    select
        '{{ source_slug }}' as source,
        'focus_export' as source_dataset,
        f.charge_id,
        f.BillingAccountId as billing_account_id,
        f.BillingAccountName as billing_account_name,
        f.SubAccountId as sub_account_id,
        f.SubAccountName as sub_account_name,
        f.InvoiceId as invoice_id,
        f.InvoiceIssuerName as invoice_issuer_name,
        f.InvoiceIssuerName as invoicing_entity,
        f.ProviderName as provider_name,
        f.ProviderName as host_provider_name,
        f.PublisherName as publisher_name,
        f.ServiceName as service_name,
        f.ServiceCategory as service_category,
        f.ServiceSubcategory as service_subcategory,
        f.ChargeCategory as charge_category,
        f.ChargeClass as charge_class,
        f.ChargeFrequency as charge_frequency,
        f.ChargeDescription as charge_description,
        f.ResourceId as resource_id,
        f.RegionId as region_id,
        f.AvailabilityZone as availability_zone,
        f.SkuId as sku_id,
        f.SkuMeter as sku_meter,
        f.SkuPriceDetails as sku_price_details,
        f.PricingUnit as pricing_unit,
        f.PricingQuantity as pricing_quantity,
        f.ConsumedUnit as consumed_unit,
        f.ConsumedQuantity as consumed_quantity,
        f.BillingCurrency as billing_currency,
        f.BilledCost as billed_cost,
        f.EffectiveCost as effective_cost,
        f.ListCost as list_cost,
        f.ContractedCost as contracted_cost,
        f.ListUnitPrice as list_unit_price,
        f.ContractedUnitPrice as contracted_unit_price,
        f.PricingCategory as pricing_category,
        f.CommitmentDiscountId as commitment_discount_id,
        f.CommitmentDiscountCategory as commitment_discount_category,
        f.CommitmentDiscountType as commitment_discount_type,
        f.CommitmentDiscountStatus as commitment_discount_status,
        f.CommitmentDiscountQuantity as commitment_discount_quantity,
        f.CommitmentDiscountUnit as commitment_discount_unit,
        cast(null as {{ money_type() }}) as commitment_unused_quantity,
        f.BillingPeriodStart as billing_period_start,
        f.BillingPeriodEnd as billing_period_end,
        f.ChargePeriodStart as charge_period_start,
        f.ChargePeriodEnd as charge_period_end,
        f.Tags as tags,
        cast(null as {{ json_type() }}) as cost_category,
        {%- if ai_columns %}
        f.model_id,
        f.token_type,
        f.token_count,
        f.service_tier,
        f.inference_region_scope,
        {%- else %}
        cast(null as string) as model_id,
        cast(null as string) as token_type,
        cast(null as {{ money_type() }}) as token_count,
        cast(null as string) as service_tier,
        cast(null as string) as inference_region_scope,
        {%- endif %}
        cast(null as string) as instance_type,
        cast(null as integer) as gpu_count,
        coalesce({{ json_text('f.Tags', '$.team') }}, {{ json_text('f.Tags', '$.user_team') }}) as tag_team,
        coalesce({{ json_text('f.Tags', '$.application') }}, {{ json_text('f.Tags', '$.user_application') }})
            as tag_application,
        coalesce({{ json_text('f.Tags', '$.environment') }}, {{ json_text('f.Tags', '$.user_environment') }})
            as tag_environment,
        '{{ account_key_type }}' as account_key_type,
        f.SubAccountId as account_key,
        cast(null as string) as iam_principal,
        f._source_file,
        f._source_row
    from {{ relation }} as f
    where not exists (
        select 1 from {{ native_charges }} as native
        where
            native.billing_account_id = f.BillingAccountId
            and native.billing_period_start = f.BillingPeriodStart
    )
{%- endmacro %}

{#-
    Bedrock usage types: {REGION}-{BillingModelName}-{token type}[-{tier}][-cross-region-global|-cross-region-geo].
    Groups: 1 billing model name, 2 token kind, 3 tier, 4 cross-region scope.
-#}
{% macro bedrock_usage_type_pattern() -%}
^(?:[A-Z]{2,4}[0-9]-)?(.+?)-(mantle-input-tokens|mantle-output-tokens|input-tokens|output-tokens|cache-read-input-token-count|cache-write-input-token-count)(?:-(standard|flex|priority|batch))?(?:-(cross-region-global|cross-region-geo))?$
{%- endmacro %}

{#- Disjoint token type of a Bedrock usage-type token kind (group 2 of the pattern). -#}
{% macro bedrock_token_type(kind) -%}
    case
        when {{ kind }} is null then null
        when {{ kind }} like 'cache-read%' then 'cache_read'
        when {{ kind }} like 'cache-write%' then 'cache_write'
        when {{ kind }} like '%output-tokens' then 'output'
        else 'input'
    end
{%- endmacro %}

{#- Inference region scope of a Bedrock usage type: global, geo (cross-region) or regional. -#}
{% macro bedrock_region_scope(kind, scope) -%}
    case
        when {{ kind }} is null then null
        when {{ scope }} = 'cross-region-global' then 'global'
        when {{ scope }} = 'cross-region-geo' then 'geo'
        else 'regional'
    end
{%- endmacro %}

{#-
    The columns every provider API cost row (OpenAI costs, Anthropic cost report) shares in the FOCUS union:
    usage charges of one time bucket, billed as listed, without commitments, resources or tags. The
    relation must have amount, bucket_start_at, bucket_end_at, _source_file and _source_row.
-#}
{% macro provider_api_charge_columns() -%}
    md5(_source_file || ':' || cast(_source_row as string)) as charge_id,
        cast(null as string) as invoice_id,
        'AI and Machine Learning' as service_category,
        'Generative AI' as service_subcategory,
        'Usage' as charge_category,
        cast(null as string) as charge_class,
        'Usage-Based' as charge_frequency,
        cast(null as string) as resource_id,
        cast(null as string) as availability_zone,
        amount as billed_cost,
        amount as effective_cost,
        amount as list_cost,
        amount as contracted_cost,
        cast(null as {{ money_type() }}) as list_unit_price,
        cast(null as {{ money_type() }}) as contracted_unit_price,
        'Standard' as pricing_category,
        {{ no_commitment_discount_columns() }},
        {{ month_start('bucket_start_at') }} as billing_period_start,
        {{ month_start('bucket_start_at') }} + interval 1 month as billing_period_end,
        bucket_start_at as charge_period_start,
        bucket_end_at as charge_period_end,
        cast(null as {{ json_type() }}) as tags,
        cast(null as {{ json_type() }}) as cost_category,
        cast(null as string) as instance_type,
        cast(null as integer) as gpu_count,
        cast(null as string) as tag_team,
        cast(null as string) as tag_application,
        cast(null as string) as tag_environment,
        cast(null as string) as iam_principal,
        _source_file,
        _source_row
{%- endmacro %}

{#- The FOCUS commitment discount columns of a charge no commitment applies to (all null, typed). -#}
{% macro no_commitment_discount_columns() -%}
    cast(null as string) as commitment_discount_id,
        cast(null as string) as commitment_discount_category,
        cast(null as string) as commitment_discount_type,
        cast(null as string) as commitment_discount_status,
        cast(null as {{ money_type() }}) as commitment_discount_quantity,
        cast(null as string) as commitment_discount_unit,
        cast(null as {{ money_type() }}) as commitment_unused_quantity
{%- endmacro %}
