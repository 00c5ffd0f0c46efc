"""All sources, by slug."""

from pipelines.sources.anthropic_usage import SOURCE as ANTHROPIC_USAGE
from pipelines.sources.aws_cur import SOURCE as AWS_CUR
from pipelines.sources.aws_focus import SOURCE as AWS_FOCUS
from pipelines.sources.azure_cost import SOURCE as AZURE_COST
from pipelines.sources.base import Source
from pipelines.sources.bedrock_invocation_logs import SOURCE as BEDROCK_INVOCATION_LOGS
from pipelines.sources.gcp_billing import SOURCE as GCP_BILLING
from pipelines.sources.gpu_usage import SOURCE as GPU_USAGE
from pipelines.sources.litellm import SOURCE as LITELLM
from pipelines.sources.openai_usage import SOURCE as OPENAI_USAGE
from pipelines.sources.otel_genai import SOURCE as OTEL_GENAI
from pipelines.sources.outcomes import SOURCE as OUTCOMES

SOURCES: dict[str, Source] = {
    s.slug: s
    for s in (
        AWS_CUR,
        AWS_FOCUS,
        AZURE_COST,
        GCP_BILLING,
        OPENAI_USAGE,
        ANTHROPIC_USAGE,
        LITELLM,
        OTEL_GENAI,
        BEDROCK_INVOCATION_LOGS,
        GPU_USAGE,
        OUTCOMES,
    )
}
