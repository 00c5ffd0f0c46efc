"""`aicost pull openai`: the OpenAI Admin API as this source reads it (the pager is pipelines.pull.admin_api)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipelines.pull.admin_api import Endpoint, Provider, unix_seconds
from pipelines.sources.openai_usage.endpoints import USAGE_ENDPOINTS

SLUG = "openai_usage"

API = Provider(
    name="openai",
    slug=SLUG,
    base_setting="openai_api_base",
    credential_field="openai_admin_key",
    endpoints=(
        *(
            Endpoint(
                f"/organization/usage/{name}",
                f"usage/{name}",
                (("bucket_width", "1d"), ("limit", "31"), *(("group_by", g) for g in spec.group_by)),
            )
            for name, spec in USAGE_ENDPOINTS.items()
        ),
        Endpoint(
            "/organization/costs",
            "costs",
            (("bucket_width", "1d"), ("limit", "180"), ("group_by", "project_id"), ("group_by", "line_item")),
        ),
    ),
    auth_headers=lambda key: {"Authorization": f"Bearer {key}"},
    window_params=lambda start, end: {"start_time": unix_seconds(start), "end_time": unix_seconds(end)},
    bucket_end=lambda bucket: datetime.fromtimestamp(bucket["end_time"], tz=UTC),
)
