"""Raw contracts of ``raw_azure_cost``: cost details (actual and amortized) and the FOCUS export.

Cost details use the EA column names (PascalCase) as the contract. Microsoft has shipped several generations
of these column sets; each file's names are mapped onto the contract (``column_renames``): MCA's camelCase
and its own names (``MCA_RENAMES``), and the older EA and pay-as-you-go names (``Cost``, ``PreTaxCost``,
``BillingCurrency``, ``Currency``, ``ResourceRate``, ``InstanceId`` and friends, ``OLDER_NAMES``). Dates
stay text in the raw table, exactly as the file wrote them (EA ``M/D/YYYY``, MCA ``M/D/YYYY`` or ISO by API
version), and a row rule quarantines a file whose dates are neither. Real MCA rows can leave the billing
period dates empty: the period is then the month of the charge's date.
"""

from pipelines.load.contracts import MONEY, QUANTITY, Column, RawTable, RowCheck
from pipelines.sources.focus_contract import focus_costs_table

DATE_FORMATS = "['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ']"


def parse_date_sql(column: str) -> str:
    """SQL parsing an Azure date text in any of its formats (NULL when it is none of them)."""
    return f'try_strptime("{column}", {DATE_FORMATS})'


# The billing period's first day: as the row states it, else the month of the charge's date.
BILLING_PERIOD_START_SQL = (
    f"coalesce({parse_date_sql('BillingPeriodStartDate')}, date_trunc('month', {parse_date_sql('Date')}))"
)


_COLUMNS = (
    Column("Date", "VARCHAR", not_null=True),
    Column("BillingAccountId", "VARCHAR", not_null=True),
    Column("BillingAccountName", "VARCHAR", required=False),
    Column("BillingProfileId", "VARCHAR", required=False),
    Column("BillingProfileName", "VARCHAR", required=False),
    Column("InvoiceSectionId", "VARCHAR", required=False),
    Column("InvoiceSectionName", "VARCHAR", required=False),
    Column("InvoiceId", "VARCHAR", required=False),
    Column("PreviousInvoiceId", "VARCHAR", required=False),
    Column("BillingPeriodStartDate", "VARCHAR", required=False),
    Column("BillingPeriodEndDate", "VARCHAR", required=False),
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
    Column("CostInBillingCurrency", MONEY, not_null=True),
    Column("CostInPricingCurrency", MONEY, required=False),
    Column("CostInUsd", MONEY, required=False),
    Column("PaygCostInBillingCurrency", MONEY, required=False),
    Column("ExchangeRatePricingToBilling", QUANTITY, required=False),
    Column("BillingCurrencyCode", "VARCHAR", not_null=True),
    Column("PricingCurrency", "VARCHAR", required=False),
    Column("ChargeType", "VARCHAR", not_null=True),
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
    # Empty billing period dates are allowed (real MCA rows have them); a text that is no date is not.
    RowCheck(
        "BillingPeriodStartDate",
        f"BillingPeriodStartDate IS NULL OR {parse_date_sql('BillingPeriodStartDate')} IS NOT NULL",
        "is not a M/D/YYYY or ISO date",
    ),
    RowCheck(
        "BillingPeriodEndDate",
        f"BillingPeriodEndDate IS NULL OR {parse_date_sql('BillingPeriodEndDate')} IS NOT NULL",
        "is not a M/D/YYYY or ISO date",
    ),
)

# MCA (and newer EA) names that are not just a different case of the contract name.
MCA_RENAMES = {
    "resourcegroupname": "ResourceGroup",
    "billingcurrency": "BillingCurrencyCode",
    "billingcurrencycode": "BillingCurrencyCode",
}
# Names of older EA and pay-as-you-go usage-details generations, used only when the file lacks the current
# name (FinOps toolkit's cost-details schemas list them).
OLDER_NAMES = {
    "cost": "CostInBillingCurrency",
    "pretaxcost": "CostInBillingCurrency",
    "extendedcost": "CostInBillingCurrency",
    "currency": "BillingCurrencyCode",
    "resourcerate": "EffectivePrice",
    "consumedquantity": "Quantity",
    "usagequantity": "Quantity",
    "instanceid": "ResourceId",
    "subscriptionguid": "SubscriptionId",
    "product": "ProductName",
    "invoicesection": "InvoiceSectionName",
    "usagedatetime": "Date",
    "usagedate": "Date",
    "resourcelocationnormalized": "ResourceLocation",
    "location": "ResourceLocation",
}
# Every cost-details column Microsoft documents across EA, MCA and older generations (FinOps toolkit's
# cost-details schema), lower case: columns the contract does not load are known, not schema drift.
KNOWN_COLUMNS = frozenset(
    {
        "accountid",
        "accountname",
        "accountownerid",
        "additionalinfo",
        "availabilityzone",
        "benefitid",
        "benefitname",
        "billingaccountid",
        "billingaccountname",
        "billingcurrency",
        "billingcurrencycode",
        "billingperiod",
        "billingperiodenddate",
        "billingperiodstartdate",
        "billingprofileid",
        "billingprofilename",
        "chargetype",
        "consumedservice",
        "cost",
        "costallocationrulename",
        "costcenter",
        "costinbillingcurrency",
        "costinpricingcurrency",
        "costinusd",
        "currency",
        "customername",
        "customertenantid",
        "date",
        "effectiveprice",
        "exchangerate",
        "exchangeratedate",
        "exchangeratepricingtobilling",
        "frequency",
        "invoiceid",
        "invoicesectionid",
        "invoicesectionname",
        "isazurecrediteligible",
        "location",
        "marketprice",
        "metercategory",
        "meterid",
        "metername",
        "meterregion",
        "metersubcategory",
        "offerid",
        "partnerearnedcreditapplied",
        "partnerearnedcreditrate",
        "partnername",
        "partnertenantid",
        "partnumber",
        "paygcostinbillingcurrency",
        "paygcostinusd",
        "paygprice",
        "planname",
        "pretaxcost",
        "previousinvoiceid",
        "pricingcurrency",
        "pricingcurrencycode",
        "pricingmodel",
        "product",
        "productid",
        "productname",
        "productorderid",
        "productordername",
        "provider",
        "publisherid",
        "publishername",
        "publishertype",
        "quantity",
        "resellermpnid",
        "resellername",
        "reservationid",
        "reservationname",
        "resourcegroup",
        "resourcegroupname",
        "resourceid",
        "resourcelocation",
        "resourcelocationnormalized",
        "resourcename",
        "resourcerate",
        "resourcetype",
        "servicefamily",
        "serviceinfo1",
        "serviceinfo2",
        "servicename",
        "serviceperiodenddate",
        "serviceperiodstartdate",
        "servicetier",
        "subscriptionid",
        "subscriptionname",
        "tags",
        "term",
        "unitofmeasure",
        "unitprice",
    }
)

# One export covers a billing account (or some of its subscriptions) for a billing period.
_SCOPE = (
    "concat_ws('|', coalesce(BillingAccountId, ''), coalesce(SubscriptionId, ''), "
    f"coalesce(strftime({BILLING_PERIOD_START_SQL}, '%Y-%m'), ''))"
)

ACTUAL_COST_DETAILS = RawTable(
    slug="azure_cost",
    name="actual_cost_details",
    columns=_COLUMNS,
    checks=_CHECKS,
    scope=_SCOPE,
    known_columns=KNOWN_COLUMNS,
)
AMORTIZED_COST_DETAILS = RawTable(
    slug="azure_cost",
    name="amortized_cost_details",
    columns=_COLUMNS,
    checks=_CHECKS,
    scope=_SCOPE,
    known_columns=KNOWN_COLUMNS,
)
FOCUS_COSTS = focus_costs_table("azure_cost")
