"""Conservation: the costs pages (newest page of each bucket); the organization is a setting (the pages do not name it)."""

from __future__ import annotations

from pipelines.load.manifest import counted_rows, newest_page
from pipelines.sources.base import BilledTotals

BILLED_TOTALS = BilledTotals(
    f"""
        SELECT ?, strftime(bucket_start_time, '%Y-%m'), upper(amount_currency), sum(amount_value)
        FROM raw_openai_usage.costs AS c
        WHERE {counted_rows("raw_openai_usage.costs", superseded=False)}
          AND {newest_page("raw_openai_usage.costs", "bucket_start_time")}
        GROUP BY ALL
    """,
    account_setting="openai_organization_id",
)
