"""Load asset of the ``litellm`` source (gateway spend logs)."""

from pipelines.sources.litellm import SOURCE
from orchestration.defs.loading import build_load_assets

litellm_load = build_load_assets(SOURCE, "LiteLLM gateway spend logs, one row per request, bodies excluded.")
