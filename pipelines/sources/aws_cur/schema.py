"""Raw contract of ``raw_aws_cur.line_items``: the CUR 2.0 columns the warehouse uses, explicitly typed.

CUR 2.0 has a fixed snake_case schema; columns outside this contract are ignored. Costs arrive as DOUBLE
in Parquet and as text in CSV; both are loaded as DECIMAL(38, 12) (a Parquet double is rounded to 12
decimal places, which is exact for the 10 decimal places AWS writes).
"""

from pipelines.contracts import MONEY, Column, RawTable

QUANTITY = "DECIMAL(38, 12)"

LINE_ITEMS = RawTable(
    slug="aws_cur",
    name="line_items",
    period_column="bill_billing_period_start_date",
    columns=(
        Column("identity_line_item_id", "VARCHAR"),
        Column("identity_time_interval", "VARCHAR", required=False),
        Column("bill_bill_type", "VARCHAR", required=False),
        Column("bill_billing_entity", "VARCHAR", required=False),
        Column("bill_billing_period_start_date", "TIMESTAMPTZ"),
        Column("bill_billing_period_end_date", "TIMESTAMPTZ"),
        Column("bill_invoice_id", "VARCHAR", required=False),
        Column("bill_invoicing_entity", "VARCHAR", required=False),
        Column("bill_payer_account_id", "VARCHAR"),
        Column("bill_payer_account_name", "VARCHAR", required=False),
        Column("line_item_line_item_type", "VARCHAR"),
        Column("line_item_usage_account_id", "VARCHAR"),
        Column("line_item_usage_account_name", "VARCHAR", required=False),
        Column("line_item_usage_start_date", "TIMESTAMPTZ"),
        Column("line_item_usage_end_date", "TIMESTAMPTZ"),
        Column("line_item_product_code", "VARCHAR"),
        Column("line_item_usage_type", "VARCHAR"),
        Column("line_item_operation", "VARCHAR", required=False),
        Column("line_item_line_item_description", "VARCHAR", required=False),
        Column("line_item_resource_id", "VARCHAR", required=False),
        Column("line_item_availability_zone", "VARCHAR", required=False),
        Column("line_item_iam_principal", "VARCHAR", required=False),
        Column("line_item_legal_entity", "VARCHAR", required=False),
        Column("line_item_tax_type", "VARCHAR", required=False),
        Column("line_item_usage_amount", QUANTITY),
        Column("line_item_currency_code", "VARCHAR"),
        Column("line_item_unblended_rate", MONEY, required=False),
        Column("line_item_unblended_cost", MONEY),
        Column("line_item_net_unblended_cost", MONEY, required=False),
        Column("pricing_public_on_demand_rate", MONEY, required=False),
        Column("pricing_public_on_demand_cost", MONEY, required=False),
        Column("pricing_unit", "VARCHAR", required=False),
        Column("pricing_term", "VARCHAR", required=False),
        Column("product_servicecode", "VARCHAR", required=False),
        Column("product_product_family", "VARCHAR", required=False),
        Column("product_instance_type", "VARCHAR", required=False),
        Column("product_region_code", "VARCHAR", required=False),
        Column("reservation_effective_cost", MONEY, required=False),
        Column("reservation_unused_amortized_upfront_fee_for_billing_period", MONEY, required=False),
        Column("reservation_unused_recurring_fee", MONEY, required=False),
        Column("reservation_unused_quantity", QUANTITY, required=False),
        Column("reservation_reservation_a_r_n", "VARCHAR", required=False),
        Column("savings_plan_savings_plan_effective_cost", MONEY, required=False),
        Column("savings_plan_total_commitment_to_date", MONEY, required=False),
        Column("savings_plan_used_commitment", MONEY, required=False),
        Column("savings_plan_savings_plan_a_r_n", "VARCHAR", required=False),
        Column("product", "JSON", required=False),
        Column("resource_tags", "JSON", required=False),
        Column("cost_category", "JSON", required=False),
    ),
)
