"""Load asset of the ``otel_genai`` source (OpenTelemetry GenAI spans as OTLP JSON)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.otel_genai import SOURCE

otel_genai_load = build_load_assets(SOURCE, "OpenTelemetry GenAI spans (OTLP JSON from a Collector file exporter).")
