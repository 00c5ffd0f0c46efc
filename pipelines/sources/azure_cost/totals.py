"""Conservation: Azure invoices what the actual-cost export says.

A period with only an amortized export counts that, and a period with neither counts Azure's FOCUS export.
"""

from __future__ import annotations

from pipelines.load.manifest import counted_rows
from pipelines.sources.azure_cost.schema import BILLING_PERIOD_START_SQL as AZURE_PERIOD_START
from pipelines.sources.base import BilledTotals

# Both cost-details exports, with the period a row belongs to.
_AZURE_DETAILS = f"""
    SELECT 'actual' AS dataset, BillingAccountId AS account, strftime({AZURE_PERIOD_START}, '%Y-%m') AS period,
           BillingCurrencyCode AS currency, CostInBillingCurrency AS cost
    FROM raw_azure_cost.actual_cost_details WHERE {counted_rows("raw_azure_cost.actual_cost_details")}
    UNION ALL
    SELECT 'amortized', BillingAccountId, strftime({AZURE_PERIOD_START}, '%Y-%m'),
           BillingCurrencyCode, CostInBillingCurrency
    FROM raw_azure_cost.amortized_cost_details WHERE {counted_rows("raw_azure_cost.amortized_cost_details")}
"""

BILLED_TOTALS = BilledTotals(
    f"""
        WITH details AS ({_AZURE_DETAILS}),
        billed AS (
            SELECT account, period, currency, cost FROM details AS d
            WHERE dataset = 'actual' OR NOT EXISTS (
                SELECT 1 FROM details AS a WHERE a.dataset = 'actual' AND a.account = d.account AND a.period = d.period)
            UNION ALL
            SELECT f.BillingAccountId, strftime(f.BillingPeriodStart, '%Y-%m'), f.BillingCurrency, f.BilledCost
            FROM raw_azure_cost.focus_costs AS f
            WHERE {counted_rows("raw_azure_cost.focus_costs")} AND NOT EXISTS (
                SELECT 1 FROM details AS d
                WHERE d.account = f.BillingAccountId AND d.period = strftime(f.BillingPeriodStart, '%Y-%m'))
        )
        SELECT account, period, currency, sum(cost) FROM billed GROUP BY ALL
    """,
)
