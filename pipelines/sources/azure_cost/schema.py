"""Raw contracts of ``raw_azure_cost``: cost details (actual and amortized) and the FOCUS export.

Cost details use the EA column names (PascalCase) as the contract; MCA exports name the same fields in
camelCase and a few differently, and are mapped onto them (``MCA_RENAMES``). Dates stay text in the raw
table, exactly as the file wrote them (EA ``M/D/YYYY``, MCA ``M/D/YYYY`` or ISO by API version), and a row
rule quarantines a file whose dates are neither.
"""

from pipelines.contracts import MONEY, Column, RawTable, RowCheck
from pipelines.sources.focus_contract import focus_costs_table

QUANTITY = "DECIMAL(38, 12)"
DATE_FORMATS = "['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ']"


def parse_date_sql(column: str) -> str:
    """SQL parsing an Azure date text in any of its formats (NULL when it is none of them)."""
    return f'try_strptime("{column}", {DATE_FORMATS})'


_COLUMNS = (
    Column("Date", "VARCHAR"),
    Column("BillingAccountId", "VARCHAR"),
    Column("BillingAccountName", "VARCHAR", required=False),
    Column("BillingProfileId", "VARCHAR", required=False),
    Column("BillingProfileName", "VARCHAR", required=False),
    Column("InvoiceSectionId", "VARCHAR", required=False),
    Column("InvoiceSectionName", "VARCHAR", required=False),
    Column("InvoiceId", "VARCHAR", required=False),
    Column("PreviousInvoiceId", "VARCHAR", required=False),
    Column("BillingPeriodStartDate", "VARCHAR"),
    Column("BillingPeriodEndDate", "VARCHAR"),
    Column("SubscriptionId", "VARCHAR"),
    Column("SubscriptionName", "VARCHAR", required=False),
    Column("ResourceGroup", "VARCHAR", required=False),
    Column("ResourceId", "VARCHAR", required=False),
    Column("ResourceName", "VARCHAR", required=False),
    Column("ResourceLocation", "VARCHAR", required=False),
    Column("AvailabilityZone", "VARCHAR", required=False),
    Column("ConsumedService", "VARCHAR", required=False),
    Column("MeterCategory", "VARCHAR", required=False),
    Column("MeterSubCategory", "VARCHAR", required=False),
    Column("MeterId", "VARCHAR", required=False),
    Column("MeterName", "VARCHAR", required=False),
    Column("MeterRegion", "VARCHAR", required=False),
    Column("ProductName", "VARCHAR", required=False),
    Column("ProductId", "VARCHAR", required=False),
    Column("PartNumber", "VARCHAR", required=False),
    Column("ServiceFamily", "VARCHAR", required=False),
    Column("UnitOfMeasure", "VARCHAR", required=False),
    Column("Quantity", QUANTITY),
    Column("EffectivePrice", MONEY, required=False),
    Column("UnitPrice", MONEY, required=False),
    Column("PayGPrice", MONEY, required=False),
    Column("CostInBillingCurrency", MONEY),
    Column("CostInPricingCurrency", MONEY, required=False),
    Column("CostInUsd", MONEY, required=False),
    Column("PaygCostInBillingCurrency", MONEY, required=False),
    Column("ExchangeRatePricingToBilling", QUANTITY, required=False),
    Column("BillingCurrencyCode", "VARCHAR"),
    Column("PricingCurrency", "VARCHAR", required=False),
    Column("ChargeType", "VARCHAR"),
    Column("Frequency", "VARCHAR", required=False),
    Column("PricingModel", "VARCHAR", required=False),
    Column("ReservationId", "VARCHAR", required=False),
    Column("ReservationName", "VARCHAR", required=False),
    Column("benefitId", "VARCHAR", required=False),
    Column("benefitName", "VARCHAR", required=False),
    Column("Term", "VARCHAR", required=False),
    Column("PublisherType", "VARCHAR", required=False),
    Column("PublisherName", "VARCHAR", required=False),
    Column("CostCenter", "VARCHAR", required=False),
    Column("Tags", "VARCHAR", required=False),
    Column("AdditionalInfo", "VARCHAR", required=False),
    Column("IsAzureCreditEligible", "VARCHAR", required=False),
)

_CHECKS = (
    RowCheck("Date", f"{parse_date_sql('Date')} IS NOT NULL", "is not a M/D/YYYY or ISO date"),
    RowCheck(
        "BillingPeriodStartDate",
        f"{parse_date_sql('BillingPeriodStartDate')} IS NOT NULL",
        "is not a M/D/YYYY or ISO date",
    ),
    RowCheck(
        "BillingPeriodEndDate", f"{parse_date_sql('BillingPeriodEndDate')} IS NOT NULL", "is not a M/D/YYYY or ISO date"
    ),
)

# MCA (and newer EA) names that are not just a different case of the contract name.
MCA_RENAMES = {
    "resourcegroupname": "ResourceGroup",
    "billingcurrency": "BillingCurrencyCode",
    "billingcurrencycode": "BillingCurrencyCode",
    "resourcelocationnormalized": "ResourceLocation",
}

ACTUAL_COST_DETAILS = RawTable(slug="azure_cost", name="actual_cost_details", columns=_COLUMNS, checks=_CHECKS)
AMORTIZED_COST_DETAILS = RawTable(slug="azure_cost", name="amortized_cost_details", columns=_COLUMNS, checks=_CHECKS)
FOCUS_COSTS = focus_costs_table("azure_cost")
