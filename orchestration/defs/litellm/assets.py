"""Load asset of the ``litellm`` source (gateway spend logs: exported files, and the database when configured)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.litellm import SOURCE
from pipelines.sources.litellm.postgres import pulled_landing

litellm_load = build_load_assets(
    SOURCE,
    "LiteLLM gateway spend logs, one row per request, bodies excluded; from exports, or pulled incrementally "
    "from the LiteLLM Postgres database when AICOST_LITELLM_DATABASE_URL is set.",
    pull=pulled_landing,
)
