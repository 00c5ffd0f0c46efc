"""`aicost pull anthropic`: the Anthropic Admin API as this source reads it (the pager is pipelines.pull.admin_api)."""

from __future__ import annotations

from datetime import datetime

from pipelines.pull.admin_api import Endpoint, Provider, rfc3339

SLUG = "anthropic_usage"
_USAGE_GROUPS = ("model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo")

API = Provider(
    name="anthropic",
    slug=SLUG,
    base_setting="anthropic_api_base",
    credential_field="anthropic_admin_key",
    endpoints=(
        Endpoint(
            "/organizations/usage_report/messages",
            "usage_report/messages",
            (("bucket_width", "1d"), ("limit", "31"), *(("group_by[]", g) for g in _USAGE_GROUPS)),
        ),
        Endpoint(
            "/organizations/cost_report",
            "cost_report",
            (("bucket_width", "1d"), ("limit", "31"), ("group_by[]", "workspace_id"), ("group_by[]", "description")),
        ),
    ),
    auth_headers=lambda key: {"x-api-key": key, "anthropic-version": "2023-06-01"},
    window_params=lambda start, end: {"starting_at": rfc3339(start), "ending_at": rfc3339(end)},
    bucket_end=lambda bucket: datetime.fromisoformat(bucket["ending_at"].replace("Z", "+00:00")),
)
