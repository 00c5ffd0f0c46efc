"""Load asset of the ``anthropic_usage`` source (Admin API usage_report/messages and cost_report pages)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.anthropic_usage import SOURCE

anthropic_usage_load = build_load_assets(SOURCE, "Anthropic Admin API usage_report/messages and cost_report buckets.")
