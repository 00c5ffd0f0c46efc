"""Load asset of the ``outcomes`` source (business outcome events for cost per outcome)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.outcomes import SOURCE

outcomes_load = build_load_assets(
    SOURCE, "Business outcome events (ticket resolved, document processed ...) with value, linked to AI work."
)
