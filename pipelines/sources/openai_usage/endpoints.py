"""The OpenAI Admin API reports this source reads: each usage endpoint once, with what it sends and how to ask.

The reader validates result fields against ``fields``; `aicost pull openai` asks each endpoint grouped by
``group_by``. One table, so a new endpoint is one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.sources.openai_usage.schema import COMPLETIONS

# Groupings most usage endpoints accept (and then send back as result fields).
_KEYS = ("project_id", "user_id", "api_key_id", "model")
_GROUPS = (*_KEYS, "batch", "service_tier")


@dataclass(frozen=True)
class UsageEndpoint:
    """One usage report.

    Attributes:
        fields: Result fields it may send (besides ``object``): groupings and quantities.
        group_by: What a pull groups it by.
        result_objects: The ``object`` names its results carry (the search endpoints use other names).
    """

    fields: tuple[str, ...]
    group_by: tuple[str, ...]
    result_objects: tuple[str, ...] = ()


USAGE_ENDPOINTS: dict[str, UsageEndpoint] = {
    "completions": UsageEndpoint(
        (
            *_GROUPS,
            *(c.name for c in COMPLETIONS.columns if c.name.endswith("_tokens") or c.name == "num_model_requests"),
            "api_source",
        ),
        _GROUPS,
    ),
    "embeddings": UsageEndpoint((*_GROUPS, "input_tokens", "num_model_requests"), _KEYS),
    "moderations": UsageEndpoint((*_GROUPS, "input_tokens", "num_model_requests"), _KEYS),
    "images": UsageEndpoint((*_GROUPS, "source", "size", "images", "num_model_requests"), (*_KEYS, "size", "source")),
    "audio_speeches": UsageEndpoint((*_GROUPS, "characters", "num_model_requests"), _KEYS),
    "audio_transcriptions": UsageEndpoint((*_GROUPS, "seconds", "num_model_requests"), _KEYS),
    "vector_stores": UsageEndpoint(("project_id", "usage_bytes"), ("project_id",)),
    "code_interpreter_sessions": UsageEndpoint(("project_id", "api_key_id", "num_sessions"), ("project_id",)),
    "file_search_calls": UsageEndpoint(
        ("project_id", "api_key_id", "vector_store_id", "num_requests"),
        ("project_id",),
        ("organization.usage.file_search_calls.result", "organization.usage.file_searches.result"),
    ),
    "web_search_calls": UsageEndpoint(
        (*_GROUPS, "context_level", "num_requests", "num_model_requests"),
        _KEYS,
        ("organization.usage.web_search_calls.result", "organization.usage.web_searches.result"),
    ),
}
COST_FIELDS = ("amount", "line_item", "project_id", "api_key_id", "quantity", "quantity_unit")
COST_RESULT_OBJECTS = ("organization.costs.result",)


def result_objects(endpoint: str) -> tuple[str, ...]:
    """The result ``object`` names an endpoint (or ``costs``) documents."""
    if endpoint == "costs":
        return COST_RESULT_OBJECTS
    spec = USAGE_ENDPOINTS[endpoint]
    return spec.result_objects or (f"organization.usage.{endpoint}.result",)
