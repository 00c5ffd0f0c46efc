{#-
    The FOCUS cost-and-usage table: FOCUS 1.2 columns in the spec's PascalCase (plus the eight FOCUS 1.3
    columns), then `x_` extensions for AI dimensions, attribution and lineage. One row per charge.

    Incremental by billing period (macros/rebuilt_periods.sql): a run rebuilds the periods whose loads
    changed, bills and request logs alike (the allocation of a period's charges depends on its requests).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('BillingPeriodStart') }}",
    )
}}

with

charge_groups as (
    select
        source,
        charge_id,
        charge_group_id
    from {{ ref('int_allocation_charges_classified') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_periods('billing_period_start') }}
    {%- endif %}
),

-- How each charge's group was allocated (fct_ai_costs_allocated): the FOCUS 1.3 Allocated* columns.
-- A charge split among several owners names them in AllocatedMethodDetails; AllocatedTags is set
-- when its whole group went to one owner.
allocations as (
    select
        charge_group_id,
        case when count(distinct allocated_method_id) = 1 then min(allocated_method_id) else 'mixed' end
            as allocated_method_id,
        {{ json_object_of([
            ('charge_group_id', 'charge_group_id'),
            ('allocation_kind', 'min(allocation_kind)'),
            ('targets', 'count(*)'),
            ('methods', ordered_string_agg('allocated_method_id', ',', 'allocated_method_id', distinct=true)),
            ('teams', ordered_string_agg('team', ',', 'team', distinct=true)),
        ]) }} as allocated_method_details,
        case when count(*) = 1 then min(cast(allocated_tags as string)) end as allocated_tags
    from {{ ref('fct_ai_costs_allocated') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_periods('billing_period_start') }}
    {%- endif %}
    group by charge_group_id
),

charges as (
    select
        attributed.*,
        allocations.allocated_method_id,
        allocations.allocated_method_details,
        allocations.allocated_tags
    from {{ ref('int_cost_and_usage_attributed') }} as attributed
    left join charge_groups
        on attributed.source = charge_groups.source and attributed.charge_id = charge_groups.charge_id
    left join allocations on charge_groups.charge_group_id = allocations.charge_group_id
    {% if is_incremental() -%}
        where {{ in_rebuilt_periods('attributed.billing_period_start') }}
    {%- endif %}
)

select
    availability_zone as AvailabilityZone,
    billed_cost as BilledCost,
    billing_account_id as BillingAccountId,
    billing_account_name as BillingAccountName,
    cast(null as string) as BillingAccountType,
    billing_currency as BillingCurrency,
    billing_period_end as BillingPeriodEnd,
    billing_period_start as BillingPeriodStart,
    cast(null as string) as CapacityReservationId,
    cast(null as string) as CapacityReservationStatus,
    charge_category as ChargeCategory,
    charge_class as ChargeClass,
    charge_description as ChargeDescription,
    charge_frequency as ChargeFrequency,
    -- FOCUS periods are [start, end): a bill line with an instant for a period (a one-time fee stamped with
    -- start = end) gets a one-second period rather than breaking the table's conformance.
    case
        when charge_period_end > charge_period_start then charge_period_end
        else charge_period_start + interval 1 second
    end as ChargePeriodEnd,
    charge_period_start as ChargePeriodStart,
    commitment_discount_category as CommitmentDiscountCategory,
    commitment_discount_id as CommitmentDiscountId,
    commitment_discount_id as CommitmentDiscountName,
    commitment_discount_quantity as CommitmentDiscountQuantity,
    commitment_discount_status as CommitmentDiscountStatus,
    commitment_discount_type as CommitmentDiscountType,
    commitment_discount_unit as CommitmentDiscountUnit,
    consumed_quantity as ConsumedQuantity,
    {{ focus_unit("consumed_unit") }} as ConsumedUnit,
    contracted_cost as ContractedCost,
    contracted_unit_price as ContractedUnitPrice,
    effective_cost as EffectiveCost,
    -- Providers that do not put an invoice id on each line (OpenAI, Azure EA, estimated CUR lines) invoice
    -- per billing account and month: the reference is derived from those, and x_InvoiceIdSource says so.
    coalesce(invoice_id, billing_account_id || '-' || {{ year_month('billing_period_start') }}) as InvoiceId,
    invoice_issuer_name as InvoiceIssuerName,
    list_cost as ListCost,
    list_unit_price as ListUnitPrice,
    pricing_category as PricingCategory,
    cast(null as string) as PricingCurrency,
    cast(null as {{ money_type() }}) as PricingCurrencyContractedUnitPrice,
    cast(null as {{ money_type() }}) as PricingCurrencyEffectiveCost,
    cast(null as {{ money_type() }}) as PricingCurrencyListUnitPrice,
    pricing_quantity as PricingQuantity,
    {{ focus_unit("pricing_unit") }} as PricingUnit,
    provider_name as ProviderName,
    publisher_name as PublisherName,
    region_id as RegionId,
    region_id as RegionName,
    resource_id as ResourceId,
    resource_id as ResourceName,
    cast(null as string) as ResourceType,
    service_category as ServiceCategory,
    service_name as ServiceName,
    service_subcategory as ServiceSubcategory,
    sku_id as SkuId,
    sku_meter as SkuMeter,
    sku_price_details as SkuPriceDetails,
    sku_id as SkuPriceId,
    sub_account_id as SubAccountId,
    sub_account_name as SubAccountName,
    cast(null as string) as SubAccountType,
    cast(tags as {{ json_type() }}) as Tags,
    provider_name as ServiceProviderName,
    coalesce(host_provider_name, provider_name) as HostProviderName,
    cast(null as {{ json_type() }}) as ContractApplied,
    allocated_method_id as AllocatedMethodId,
    allocated_method_details as AllocatedMethodDetails,
    cast(null as string) as AllocatedResourceId,
    cast(null as string) as AllocatedResourceName,
    cast(allocated_tags as {{ json_type() }}) as AllocatedTags,
    model_id as x_ModelId,
    model_family as x_ModelFamily,
    model_creator as x_ModelCreator,
    model_tier as x_ModelTier,
    token_type as x_TokenType,
    token_count as x_TokenCount,
    service_tier as x_ServiceTier,
    inference_region_scope as x_InferenceRegionScope,
    instance_type as x_InstanceType,
    gpu_count as x_GpuCount,
    iam_principal as x_IamPrincipal,
    cost_category as x_CostCategory,
    team as x_Team,
    application as x_Application,
    environment as x_Environment,
    cost_centre_id as x_CostCentreId,
    cost_centre_name as x_CostCentreName,
    attribution_method as x_AttributionMethod,
    case when invoice_id is null then 'derived' else 'provider' end as x_InvoiceIdSource,
    invoicing_entity as x_InvoicingEntity,
    reporting_currency as x_ReportingCurrency,
    billing_currency_rate_to_reporting as x_ReportingCurrencyRate,
    cast(billed_cost * billing_currency_rate_to_reporting as {{ money_type() }}) as x_ReportingBilledCost,
    cast(effective_cost * billing_currency_rate_to_reporting as {{ money_type() }}) as x_ReportingEffectiveCost,
    source as x_Source,
    source_dataset as x_SourceDataset,
    charge_id as x_ChargeId,
    _source_file as x_SourceFile,
    _source_row as x_SourceRow
from charges
