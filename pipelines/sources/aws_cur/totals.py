"""Conservation: billed cost per payer account, period and currency, straight from the CUR rows that count."""

from __future__ import annotations

from pipelines.load.manifest import counted_rows
from pipelines.sources.base import BilledTotals

BILLED_TOTALS = BilledTotals(
    f"""
        SELECT bill_payer_account_id, strftime(bill_billing_period_start_date, '%Y-%m'),
               line_item_currency_code, sum(line_item_unblended_cost)
        FROM raw_aws_cur.line_items WHERE {counted_rows("raw_aws_cur.line_items")} GROUP BY ALL
    """,
)
