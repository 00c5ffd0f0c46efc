"""Conservation: the cost report in cents (newest page of each bucket); the organization is a setting."""

from __future__ import annotations

from pipelines.load.manifest import counted_rows, newest_page
from pipelines.sources.base import BilledTotals

BILLED_TOTALS = BilledTotals(
    f"""
        SELECT ?, strftime(bucket_starting_at, '%Y-%m'), upper(currency), sum(amount_cents) * 0.01
        FROM raw_anthropic_usage.cost_report AS c
        WHERE {counted_rows("raw_anthropic_usage.cost_report", superseded=False)}
          AND {newest_page("raw_anthropic_usage.cost_report", "bucket_starting_at")}
        GROUP BY ALL
    """,
    account_setting="anthropic_organization_id",
)
