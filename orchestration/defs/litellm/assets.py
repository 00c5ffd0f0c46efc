"""Load asset of the ``litellm`` source (gateway spend logs)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.litellm import SOURCE

litellm_load = build_load_assets(SOURCE, "LiteLLM gateway spend logs, one row per request, bodies excluded.")
