"""The BigQuery pull as a landing zone: what the loader needs from settings, nothing Dagster-specific."""

from __future__ import annotations

import logging

from pipelines.config import Secrets, Settings
from pipelines.landing import LocalLanding, Pulled

log = logging.getLogger(__name__)


def pulled_landing(settings: Settings, secrets: Secrets | None = None) -> Pulled | None:
    """Pulls the configured BigQuery billing table (new or restated invoice months) and returns its folder.

    BigQuery that cannot be reached fails this source's pull only: months pulled by earlier runs and the
    exported files still load, and the error fails the source's check.

    Args:
        settings: Run settings; ``gcp_billing_table`` empty means no pull.
        secrets: Unused: BigQuery authenticates with Google's application default credentials.

    Returns:
        The folder ``<downloads>/bigquery`` (laid out as ``gcp_billing/bigquery/<table>/...``) with the pull's
        error, if any; None when no table is configured.
    """
    target = settings.downloads / "bigquery"
    if not settings.gcp_billing_table:
        # Months pulled by earlier runs keep counting when the table is no longer configured.
        return Pulled(LocalLanding(target)) if target.is_dir() else None
    from pipelines.sources.gcp_billing.bigquery import pull_billing_export

    target.mkdir(parents=True, exist_ok=True)
    try:
        result = pull_billing_export(
            settings.gcp_billing_table,
            target,
            project=settings.bigquery_project,
            endpoint_url=settings.bigquery_endpoint_url,
        )
    except Exception as exc:  # BigQuery unreachable must not stop the other sources
        message = f"BigQuery pull of {settings.gcp_billing_table} failed: {type(exc).__name__}: {exc}"
        log.warning("%s", message)
        return Pulled(LocalLanding(target), error=message)
    log.info(
        "BigQuery %s: %d month(s) pulled (%d rows), %d unchanged",
        settings.gcp_billing_table,
        len(result.months_written),
        result.rows_written,
        result.months_unchanged,
    )
    return Pulled(LocalLanding(target))
