"""Conservation: GCP invoices the net cost, gross cost plus the (negative) credits of each row."""

from __future__ import annotations

from pipelines.load.manifest import counted_rows
from pipelines.sources.base import BilledTotals

BILLED_TOTALS = BilledTotals(
    f"""
        SELECT billing_account_id, substr(invoice_month, 1, 4) || '-' || substr(invoice_month, 5, 2), currency,
               sum(cost) + sum(credits_amount)
        FROM raw_gcp_billing.cost_lines WHERE {counted_rows("raw_gcp_billing.cost_lines")} GROUP BY ALL
    """,
)
