"""Load asset of the ``gcp_billing`` source (billing export files, and the BigQuery table when configured)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.gcp_billing import SOURCE
from pipelines.sources.gcp_billing.pull import pulled_landing

gcp_billing_load = build_load_assets(
    SOURCE,
    "GCP Cloud Billing export (standard or detailed), from exported files or pulled from BigQuery by invoice month.",
    pull=pulled_landing,
)
