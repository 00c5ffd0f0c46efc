"""Load asset of the ``azure_cost`` source (Cost Management exports: actual, amortized, FOCUS)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.azure_cost import SOURCE

azure_cost_load = build_load_assets(
    SOURCE, "Azure Cost Management exports (EA and MCA cost details, actual and amortized, and FOCUS)."
)
