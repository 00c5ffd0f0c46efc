"""Load asset of the ``openai_usage`` source (Admin API usage and costs pages)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.openai_usage import SOURCE

openai_usage_load = build_load_assets(SOURCE, "OpenAI Admin API usage buckets of every endpoint, and costs buckets.")
