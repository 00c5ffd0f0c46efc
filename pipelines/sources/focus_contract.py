"""The raw contract of a FOCUS 1.2 cost-and-usage export, shared by every source that delivers FOCUS.

Providers' native FOCUS exports (AWS Data Exports FOCUS 1.2, Azure Cost Management "FocusCost", and others)
load as-is into ``raw_<slug>.focus_costs`` with this contract and go to ``focus_cost_and_usage`` without
re-interpretation. The mandatory columns of FOCUS 1.0 are required (so 1.0 exports load too); the 1.2
columns and the providers' common ``x_`` extensions are optional.
"""

from pipelines.contracts import MONEY, Column, RawTable

QUANTITY = "DECIMAL(38, 12)"

# The 57 FOCUS 1.2 columns (reference/focus/focus_1.2_columns.csv), typed: String -> VARCHAR,
# Date/Time -> TIMESTAMPTZ, Decimal -> DECIMAL(38, 12), JSON -> JSON.
FOCUS_1_2_COLUMNS: tuple[Column, ...] = (
    Column("AvailabilityZone", "VARCHAR", required=False),
    Column("BilledCost", MONEY),
    Column("BillingAccountId", "VARCHAR"),
    Column("BillingAccountName", "VARCHAR", required=False),
    Column("BillingAccountType", "VARCHAR", required=False),
    Column("BillingCurrency", "VARCHAR"),
    Column("BillingPeriodEnd", "TIMESTAMPTZ"),
    Column("BillingPeriodStart", "TIMESTAMPTZ"),
    Column("CapacityReservationId", "VARCHAR", required=False),
    Column("CapacityReservationStatus", "VARCHAR", required=False),
    Column("ChargeCategory", "VARCHAR"),
    Column("ChargeClass", "VARCHAR", required=False),
    Column("ChargeDescription", "VARCHAR", required=False),
    Column("ChargeFrequency", "VARCHAR", required=False),
    Column("ChargePeriodEnd", "TIMESTAMPTZ"),
    Column("ChargePeriodStart", "TIMESTAMPTZ"),
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
    Column("EffectiveCost", MONEY),
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


def focus_costs_table(slug: str) -> RawTable:
    """The ``raw_<slug>.focus_costs`` contract of a source delivering a FOCUS export."""
    return RawTable(
        slug=slug,
        name="focus_costs",
        period_column="BillingPeriodStart",
        columns=FOCUS_1_2_COLUMNS + PROVIDER_EXTENSIONS,
        # FOCUS CSVs produced from SQL engines (the FinOps Foundation's own sample data) write NULL.
        null_strings=("", "NULL"),
    )
