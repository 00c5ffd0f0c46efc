"""The raw contract of a FOCUS 1.2 cost-and-usage export, shared by every source that delivers FOCUS.

Providers' native FOCUS exports (AWS Data Exports FOCUS 1.2, Azure Cost Management "FocusCost", and others)
load as-is into ``raw_<slug>.focus_costs`` with this contract and go to ``focus_cost_and_usage`` without
re-interpretation. The mandatory columns of FOCUS 1.0 are required (so 1.0 exports load too); the 1.2
columns and the providers' common ``x_`` extensions are optional.
"""

from pipelines.load.contracts import MONEY, QUANTITY, Column, RawTable, RowCheck

# The 57 FOCUS 1.2 columns (reference/focus/focus_1.2_columns.csv), typed: String -> VARCHAR,
# Date/Time -> TIMESTAMPTZ, Decimal -> DECIMAL(38, 12), JSON -> JSON.
FOCUS_1_2_COLUMNS: tuple[Column, ...] = (
    Column("AvailabilityZone", "VARCHAR", required=False),
    Column("BilledCost", MONEY, not_null=True),
    Column("BillingAccountId", "VARCHAR", not_null=True),
    Column("BillingAccountName", "VARCHAR", required=False),
    Column("BillingAccountType", "VARCHAR", required=False),
    Column("BillingCurrency", "VARCHAR", not_null=True),
    Column("BillingPeriodEnd", "TIMESTAMPTZ", not_null=True),
    Column("BillingPeriodStart", "TIMESTAMPTZ", not_null=True),
    Column("CapacityReservationId", "VARCHAR", required=False),
    Column("CapacityReservationStatus", "VARCHAR", required=False),
    Column("ChargeCategory", "VARCHAR", not_null=True),
    Column("ChargeClass", "VARCHAR", required=False),
    Column("ChargeDescription", "VARCHAR", required=False),
    Column("ChargeFrequency", "VARCHAR", required=False),
    Column("ChargePeriodEnd", "TIMESTAMPTZ", not_null=True),
    Column("ChargePeriodStart", "TIMESTAMPTZ", not_null=True),
    Column("CommitmentDiscountCategory", "VARCHAR", required=False),
    Column("CommitmentDiscountId", "VARCHAR", required=False),
    Column("CommitmentDiscountName", "VARCHAR", required=False),
    Column("CommitmentDiscountQuantity", QUANTITY, required=False),
    Column("CommitmentDiscountStatus", "VARCHAR", required=False),
    Column("CommitmentDiscountType", "VARCHAR", required=False),
    Column("CommitmentDiscountUnit", "VARCHAR", required=False),
    Column("ConsumedQuantity", QUANTITY, required=False),
    Column("ConsumedUnit", "VARCHAR", required=False),
    Column("ContractedCost", MONEY, required=False),
    Column("ContractedUnitPrice", MONEY, required=False),
    Column("EffectiveCost", MONEY, not_null=True),
    Column("InvoiceId", "VARCHAR", required=False),
    Column("InvoiceIssuerName", "VARCHAR", required=False),
    Column("ListCost", MONEY, required=False),
    Column("ListUnitPrice", MONEY, required=False),
    Column("PricingCategory", "VARCHAR", required=False),
    Column("PricingCurrency", "VARCHAR", required=False),
    Column("PricingCurrencyContractedUnitPrice", MONEY, required=False),
    Column("PricingCurrencyEffectiveCost", MONEY, required=False),
    Column("PricingCurrencyListUnitPrice", MONEY, required=False),
    Column("PricingQuantity", QUANTITY, required=False),
    Column("PricingUnit", "VARCHAR", required=False),
    Column("ProviderName", "VARCHAR"),
    Column("PublisherName", "VARCHAR", required=False),
    Column("RegionId", "VARCHAR", required=False),
    Column("RegionName", "VARCHAR", required=False),
    Column("ResourceId", "VARCHAR", required=False),
    Column("ResourceName", "VARCHAR", required=False),
    Column("ResourceType", "VARCHAR", required=False),
    Column("ServiceCategory", "VARCHAR", required=False),
    Column("ServiceName", "VARCHAR"),
    Column("ServiceSubcategory", "VARCHAR", required=False),
    Column("SkuId", "VARCHAR", required=False),
    Column("SkuMeter", "VARCHAR", required=False),
    Column("SkuPriceDetails", "JSON", required=False),
    Column("SkuPriceId", "VARCHAR", required=False),
    Column("SubAccountId", "VARCHAR", required=False),
    Column("SubAccountName", "VARCHAR", required=False),
    Column("SubAccountType", "VARCHAR", required=False),
    Column("Tags", "JSON", required=False),
)

# Extensions the providers' exports carry that the warehouse keeps (others are ignored).
PROVIDER_EXTENSIONS: tuple[Column, ...] = (
    Column("x_ServiceCode", "VARCHAR", required=False),
    Column("x_Operation", "VARCHAR", required=False),
    Column("x_UsageType", "VARCHAR", required=False),
    Column("x_Discounts", "JSON", required=False),
    Column("x_SkuMeterName", "VARCHAR", required=False),
    Column("x_PricingBlockSize", QUANTITY, required=False),
    Column("x_ResourceGroupName", "VARCHAR", required=False),
)


# Columns of FOCUS 1.0 to 1.3 not loaded (1.3 additions, 1.0 names), and the extensions providers document:
# known, not schema drift.
KNOWN_FOCUS_COLUMNS = frozenset(
    {
        "ServiceProviderName",
        "HostProviderName",
        "ContractApplied",
        "AllocatedMethodId",
        "AllocatedMethodDetails",
        "AllocatedResourceId",
        "AllocatedResourceName",
        "AllocatedTags",
        "Id",  # the FinOps Foundation's sample data numbers its rows
        "x_AccountName",
        "x_AccountOwnerId",
        "x_BilledCostInUsd",
        "x_BilledUnitPrice",
        "x_BillingAccountAgreement",
        "x_BillingAccountId",
        "x_BillingAccountName",
        "x_BillingExchangeRate",
        "x_BillingExchangeRateDate",
        "x_BillingProfileId",
        "x_BillingProfileName",
        "x_ContractedCostInUsd",
        "x_CostAllocationRuleName",
        "x_CostCenter",
        "x_CustomerId",
        "x_CustomerName",
        "x_EffectiveCostInUsd",
        "x_EffectiveUnitPrice",
        "x_InvoiceIssuerId",
        "x_InvoiceSectionId",
        "x_InvoiceSectionName",
        "x_ListCostInUsd",
        "x_PartnerCreditApplied",
        "x_PartnerCreditRate",
        "x_PricingBlockSize",
        "x_PricingCurrency",
        "x_PricingSubcategory",
        "x_PricingUnitDescription",
        "x_PublisherCategory",
        "x_PublisherId",
        "x_ResellerId",
        "x_ResellerName",
        "x_ResourceGroupName",
        "x_ResourceType",
        "x_ServicePeriodEnd",
        "x_ServicePeriodStart",
        "x_SkuDescription",
        "x_SkuDetails",
        "x_SkuIsCreditEligible",
        "x_SkuMeterCategory",
        "x_SkuMeterId",
        "x_SkuMeterName",
        "x_SkuMeterSubcategory",
        "x_SkuOfferId",
        "x_SkuOrderId",
        "x_SkuOrderName",
        "x_SkuPartNumber",
        "x_SkuRegion",
        "x_SkuServiceFamily",
        "x_SkuTerm",
        "x_SkuTier",
    }
)
_CHARGE_CATEGORIES = "('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')"


def focus_costs_table(slug: str) -> RawTable:
    """The ``raw_<slug>.focus_costs`` contract of a source delivering a FOCUS export."""
    return RawTable(
        slug=slug,
        name="focus_costs",
        period_column="BillingPeriodStart",
        columns=FOCUS_1_2_COLUMNS + PROVIDER_EXTENSIONS,
        # FOCUS CSVs produced from SQL engines (the FinOps Foundation's own sample data) write NULL.
        null_strings=("", "NULL"),
        # A FOCUS export covers billing accounts (and their sub-accounts) for a billing period.
        scope=(
            "concat_ws('|', coalesce(BillingAccountId, ''), coalesce(SubAccountId, ''), "
            "coalesce(strftime(BillingPeriodStart, '%Y-%m'), ''))"
        ),
        known_columns=KNOWN_FOCUS_COLUMNS,
        checks=(
            RowCheck(
                "ChargeCategory",
                f"ChargeCategory IN {_CHARGE_CATEGORIES}",
                f"is not a FOCUS charge category {_CHARGE_CATEGORIES}",
            ),
            RowCheck("ChargePeriodEnd", "ChargePeriodEnd >= ChargePeriodStart", "is before the charge period's start"),
            RowCheck(
                "BillingPeriodEnd", "BillingPeriodEnd > BillingPeriodStart", "is not after the billing period's start"
            ),
        ),
    )
