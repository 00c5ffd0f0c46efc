"""Conservation: the AWS FOCUS export counts only where the CUR of the same payer account and period is not loaded."""

from __future__ import annotations

from pipelines.load.manifest import counted_rows
from pipelines.sources.base import BilledTotals

BILLED_TOTALS = BilledTotals(
    f"""
        SELECT f.BillingAccountId, strftime(f.BillingPeriodStart, '%Y-%m'), f.BillingCurrency, sum(f.BilledCost)
        FROM raw_aws_focus.focus_costs AS f
        WHERE {counted_rows("raw_aws_focus.focus_costs")} AND NOT EXISTS (
            SELECT 1 FROM raw_aws_cur.line_items AS c
            WHERE c.bill_payer_account_id = f.BillingAccountId
              AND c.bill_billing_period_start_date = f.BillingPeriodStart
              AND c._superseded_by IS NULL)
        GROUP BY ALL
    """,
)
