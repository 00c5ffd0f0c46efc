"""The BigQuery pull as a landing zone: what the loader needs from settings, nothing Dagster-specific."""

from __future__ import annotations

import logging

from pipelines.config import Settings
from pipelines.landing import Landing, LocalLanding

log = logging.getLogger(__name__)


def pulled_landing(settings: Settings) -> Landing | None:
    """Pulls the configured BigQuery billing table (new or restated invoice months) and returns its folder.

    Args:
        settings: Run settings; ``gcp_billing_table`` empty means no pull.

    Returns:
        A landing zone over ``<downloads>/bigquery`` (laid out as ``gcp_billing/bigquery/<table>/...``), or
        None when no table is configured.
    """
    if not settings.gcp_billing_table:
        return None
    from pipelines.sources.gcp_billing.bigquery import pull_billing_export

    target = settings.downloads / "bigquery"
    target.mkdir(parents=True, exist_ok=True)
    result = pull_billing_export(
        settings.gcp_billing_table,
        target,
        project=settings.bigquery_project,
        endpoint_url=settings.bigquery_endpoint_url,
    )
    log.info(
        "BigQuery %s: %d month(s) pulled (%d rows), %d unchanged",
        settings.gcp_billing_table,
        len(result.months_written),
        result.rows_written,
        result.months_unchanged,
    )
    return LocalLanding(target)
