"""The demo organisation: teams, applications, models, prices and the workloads that spend money.

The committed seeds (``seeds/``) map these keys to teams and cost centres; a few keys are deliberately
left out of the seeds (shadow AI) so that chargeback shows a real ``Unallocated`` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PAYER_ACCOUNT = "999900001111"
ACCOUNTS = {
    "111100002222": "ai-prod",
    "222200003333": "ai-dev",
    "333300004444": "sandbox",  # not mapped in the seeds: its spend is Unallocated
    "444400005555": "shared-services",
}


@dataclass(frozen=True)
class Model:
    """A model as each system names it, and its list price per million tokens (USD)."""

    model_id: str
    provider: str  # openai | anthropic | bedrock | azure | vertex
    litellm_model: str
    billing_name: str | None  # Bedrock usage-type model segment, Azure meter model, Vertex SKU model
    product_code: str | None  # AmazonBedrock | AmazonBedrockService
    input: Decimal
    output: Decimal
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal = Decimal(0)  # Anthropic's 1-hour cache writes
    endpoint: str = "chat"  # chat | embeddings (no output tokens)


def _d(x: str) -> Decimal:
    return Decimal(x)


MODELS: tuple[Model, ...] = (
    Model("gpt-4o-2024-08-06", "openai", "gpt-4o", None, None, _d("2.50"), _d("10.00"), _d("1.25"), _d("0")),
    Model("gpt-4o-mini-2024-07-18", "openai", "gpt-4o-mini", None, None, _d("0.15"), _d("0.60"), _d("0.075"), _d("0")),
    Model("gpt-4.1-2025-04-14", "openai", "gpt-4.1", None, None, _d("2.00"), _d("8.00"), _d("0.50"), _d("0")),
    Model("gpt-4.1-mini-2025-04-14", "openai", "gpt-4.1-mini", None, None, _d("0.40"), _d("1.60"), _d("0.10"), _d("0")),
    Model("o4-mini-2025-04-16", "openai", "o4-mini", None, None, _d("1.10"), _d("4.40"), _d("0.275"), _d("0")),
    Model(
        "anthropic.claude-sonnet-4-6",
        "bedrock",
        "bedrock/global.anthropic.claude-sonnet-4-6",
        "Claude4.6Sonnet",
        "AmazonBedrockService",
        _d("3.00"),
        _d("15.00"),
        _d("0.30"),
        _d("3.75"),
    ),
    Model(
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "bedrock",
        "bedrock/anthropic.claude-haiku-4-5-20251001-v1:0",
        "Claude4.5Haiku",
        "AmazonBedrockService",
        _d("1.00"),
        _d("5.00"),
        _d("0.10"),
        _d("1.25"),
    ),
    Model(
        "amazon.nova-pro-v1:0",
        "bedrock",
        "bedrock/amazon.nova-pro-v1:0",
        "NovaPro",
        "AmazonBedrock",
        _d("0.80"),
        _d("3.20"),
        _d("0.20"),
        _d("0"),
    ),
    Model(
        "amazon.nova-2-lite-v1:0",
        "bedrock",
        "bedrock/amazon.nova-2-lite-v1:0",
        "Nova2.0Lite",
        "AmazonBedrock",
        _d("0.30"),
        _d("2.50"),
        _d("0.075"),
        _d("0"),
    ),
    Model(
        "meta.llama3-3-70b-instruct-v1:0",
        "bedrock",
        "bedrock/meta.llama3-3-70b-instruct-v1:0",
        "Llama3.3-70B",
        "AmazonBedrock",
        _d("0.72"),
        _d("0.72"),
        _d("0"),
        _d("0"),
    ),
    Model(
        "openai.gpt-oss-120b-1:0",
        "bedrock",
        "bedrock/openai.gpt-oss-120b-1:0",
        "gpt-oss-120b",
        "AmazonBedrock",
        _d("0.15"),
        _d("0.60"),
        _d("0"),
        _d("0"),
    ),
    Model(
        "mistral.mistral-large-2407-v1:0",
        "bedrock",
        "bedrock/mistral.mistral-large-2407-v1:0",
        "MistralLarge2407",
        "AmazonBedrock",
        _d("2.00"),
        _d("6.00"),
        _d("0"),
        _d("0"),
    ),
)
# Azure OpenAI (meters) and Vertex AI (SKUs): the cloud-hosted models of the other two invoices.
MODELS += (
    Model(
        "gpt-4o-2024-11-20", "azure", "azure/gpt-4o", "gpt-4o 1120", None, _d("2.50"), _d("10.00"), _d("1.25"), _d("0")
    ),
    Model("gpt-5-2025-08-07", "azure", "azure/gpt-5", "GPT 5", None, _d("1.25"), _d("10.00"), _d("0.125"), _d("0")),
    Model(
        "gemini-2.5-flash",
        "vertex",
        "vertex_ai/gemini-2.5-flash",
        "Gemini 2.5 Flash",
        None,
        _d("0.30"),
        _d("2.50"),
        _d("0.03"),
        _d("0"),
    ),
    Model(
        "gemini-2.5-pro",
        "vertex",
        "vertex_ai/gemini-2.5-pro",
        "Gemini 2.5 Pro",
        None,
        _d("1.25"),
        _d("10.00"),
        _d("0.125"),
        _d("0"),
    ),
    # Direct Anthropic API (Admin API usage and cost reports) and an OpenAI embedding model.
    Model(
        "claude-sonnet-4-5-20250929",
        "anthropic",
        "anthropic/claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        None,
        _d("3.00"),
        _d("15.00"),
        _d("0.30"),
        _d("3.75"),
        cache_write_1h=_d("6.00"),
    ),
    Model(
        "claude-haiku-4-5-20251001",
        "anthropic",
        "anthropic/claude-haiku-4-5",
        "Claude Haiku 4.5",
        None,
        _d("1.00"),
        _d("5.00"),
        _d("0.10"),
        _d("1.25"),
        cache_write_1h=_d("2.00"),
    ),
    Model(
        "text-embedding-3-small",
        "openai",
        "text-embedding-3-small",
        None,
        None,
        _d("0.02"),
        _d("0"),
        _d("0"),
        _d("0"),
        endpoint="embeddings",
    ),
)

# OpenAI's Batch API halves the price of input and output tokens.
BATCH_DISCOUNT = Decimal("0.5")


# Azure subscriptions and GCP projects of the demo organisation.
AZURE_BILLING_ACCOUNT = "contoso-mca:0001"
AZURE_SUBSCRIPTIONS = {
    "ai-prod": "aaaa0000-0000-0000-0000-000000000001",
    "ml-train": "aaaa0000-0000-0000-0000-000000000002",
}
GCP_BILLING_ACCOUNT = "0A1B2C-3D4E5F-678901"


@dataclass(frozen=True)
class Workload:
    """A stream of requests from one application to one model.

    Attributes:
        weight: Relative share of all requests.
        gateway_share: Fraction of (non-batch) requests that go through the LiteLLM gateway; the rest
            bypass it (shadow traffic, notebooks) and show up only in provider usage and invoices.
        batch_share: Fraction sent through the provider's batch API (never through the gateway).
        cache_read_share: Fraction of input tokens read from the provider's prompt cache.
        cache_write_share: Fraction of input tokens written to the prompt cache (Bedrock Claude).
        key: OpenAI project id, Azure subscription, GCP project, or for Bedrock the inference-profile tag set.
        account: AWS account (Bedrock workloads).
        principal: IAM principal calling Bedrock.
        cross_region: Usage-type suffix for cross-region inference profiles.
        cache_write_1h: Whether its prompt-cache writes use the 1-hour cache (Anthropic) instead of 5 minutes.
        otel_share: Fraction of its calls the application traces with OpenTelemetry GenAI spans (whether or
            not they also go through the gateway).
        customers: Customers (business accounts) a customer-facing application serves: each call serves one,
            the first most often. Empty for internal traffic.
        features: Product features whose calls these are: each call comes from one. Empty when the
            application names none (notebooks, shadow AI).
    """

    team: str | None
    application: str | None
    environment: str
    model_id: str
    weight: int
    gateway_share: float
    avg_input: int
    avg_output: int
    key: str
    batch_share: float = 0.0
    cache_read_share: float = 0.0
    cache_write_share: float = 0.0
    account: str | None = None
    principal: str | None = None
    cross_region: str = ""
    cache_write_1h: bool = False
    otel_share: float = 0.0
    customers: tuple[str, ...] = ()
    features: tuple[str, ...] = ()


# The customers of the customer-facing applications (the gateway's metadata and the spans carry them).
SUPPORT_CUSTOMERS = ("cust_acme", "cust_globex", "cust_initech", "cust_umbrella", "cust_hooli")
SEARCH_CUSTOMERS = ("cust_acme", "cust_stark", "cust_wayne", "cust_hooli")
DOCUMENT_CUSTOMERS = ("cust_globex", "cust_initech", "cust_wonka")
SALES_ACCOUNTS = ("cust_tyrell", "cust_soylent", "cust_acme")
AGENT_CUSTOMERS = ("cust_acme", "cust_globex", "cust_stark")

WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "support",
        "support-assistant",
        "prod",
        "anthropic.claude-sonnet-4-6",
        18,
        0.95,
        3000,
        400,
        "support-assistant",
        cache_read_share=0.5,
        cache_write_share=0.05,
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/support-assistant",
        cross_region="-cross-region-global",
        otel_share=0.1,
        customers=SUPPORT_CUSTOMERS,
        features=("chat-reply", "case-summary", "kb-answer"),
    ),
    Workload(
        "support",
        "ticket-triage",
        "prod",
        "gpt-4o-mini-2024-07-18",
        20,
        1.0,
        800,
        60,
        "proj_support",
        cache_read_share=0.3,
        customers=SUPPORT_CUSTOMERS,
        features=("classify", "route"),
    ),
    Workload(
        "search",
        "semantic-search",
        "prod",
        "gpt-4.1-mini-2025-04-14",
        15,
        0.9,
        1500,
        200,
        "proj_search",
        cache_read_share=0.2,
        customers=SEARCH_CUSTOMERS,
        features=("query-rewrite", "answer-summary"),
    ),
    Workload(
        "search",
        "semantic-search",
        "prod",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        8,
        0.9,
        1200,
        150,
        "semantic-search",
        cache_read_share=0.3,
        cache_write_share=0.03,
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/semantic-search",
        customers=SEARCH_CUSTOMERS,
        features=("rerank",),
    ),
    Workload(
        "growth",
        "content-studio",
        "prod",
        "gpt-4.1-2025-04-14",
        6,
        0.8,
        1200,
        900,
        "proj_growth",
        features=("blog-draft", "ad-copy"),
    ),
    Workload(
        "growth",
        "content-studio",
        "prod",
        "amazon.nova-pro-v1:0",
        4,
        0.7,
        1000,
        700,
        "content-studio",
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/content-studio",
        features=("product-description",),
    ),
    Workload(
        "data-science",
        "doc-extraction",
        "prod",
        "gpt-4o-2024-08-06",
        8,
        1.0,
        4000,
        500,
        "proj_docs",
        batch_share=0.6,
        cache_read_share=0.1,
        customers=DOCUMENT_CUSTOMERS,
        features=("invoices",),
    ),
    Workload("data-science", "research-notebooks", "dev", "o4-mini-2025-04-16", 3, 0.3, 2000, 1500, "proj_research"),
    Workload(
        "data-science",
        "research-notebooks",
        "dev",
        "meta.llama3-3-70b-instruct-v1:0",
        2,
        0.5,
        1500,
        600,
        "research-notebooks",
        account="222200003333",
        principal="arn:aws:iam::222200003333:user/analyst",
    ),
    Workload(
        "platform",
        "code-review-bot",
        "prod",
        "openai.gpt-oss-120b-1:0",
        5,
        1.0,
        5000,
        800,
        "code-review-bot",
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/code-review-bot",
        features=("pull-request-review",),
    ),
    Workload(
        "legal",
        "contract-analyzer",
        "prod",
        "mistral.mistral-large-2407-v1:0",
        3,
        1.0,
        6000,
        700,
        "contract-analyzer",
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/contract-analyzer",
        features=("clause-extraction",),
    ),
    Workload(
        "legal",
        "contract-analyzer",
        "prod",
        "anthropic.claude-sonnet-4-6",
        4,
        1.0,
        8000,
        1000,
        "contract-analyzer",
        cache_read_share=0.6,
        cache_write_share=0.08,
        account="111100002222",
        principal="arn:aws:iam::111100002222:role/contract-analyzer",
        features=("risk-review",),
    ),
    # Azure OpenAI (key: subscription) and Vertex AI (key: GCP project).
    Workload(
        "support",
        "ticket-triage",
        "prod",
        "gpt-4o-2024-11-20",
        6,
        0.9,
        900,
        80,
        AZURE_SUBSCRIPTIONS["ai-prod"],
        cache_read_share=0.3,
        customers=SUPPORT_CUSTOMERS,
        features=("classify", "route"),
    ),
    Workload(
        "legal",
        "clause-search",
        "prod",
        "gpt-5-2025-08-07",
        2,
        1.0,
        4000,
        900,
        AZURE_SUBSCRIPTIONS["ai-prod"],
        features=("clause-lookup",),
    ),
    Workload(
        "growth",
        "content-studio",
        "prod",
        "gemini-2.5-flash",
        6,
        0.8,
        1100,
        700,
        "growth-prod",
        cache_read_share=0.2,
        features=("ad-copy", "image-caption"),
    ),
    Workload(
        "data-science",
        "doc-extraction",
        "prod",
        "gemini-2.5-pro",
        3,
        1.0,
        5000,
        600,
        "ds-batch",
        batch_share=0.5,
        customers=DOCUMENT_CUSTOMERS,
        features=("invoices",),
    ),
    # Direct Anthropic API: a sales copilot through the gateway (traced too) and an agent runtime that only
    # OpenTelemetry sees; an embedding workload for semantic search.
    Workload(
        "growth",
        "sales-copilot",
        "prod",
        "claude-sonnet-4-5-20250929",
        5,
        0.8,
        2500,
        500,
        "wrkspc_sales",
        cache_read_share=0.4,
        cache_write_share=0.05,
        cache_write_1h=True,
        otel_share=0.3,
        customers=SALES_ACCOUNTS,
        features=("drafting", "account-research"),
    ),
    Workload(
        "platform",
        "agent-runtime",
        "prod",
        "claude-haiku-4-5-20251001",
        3,
        0.0,
        1500,
        300,
        "wrkspc_agents",
        batch_share=0.2,
        cache_read_share=0.3,
        cache_write_share=0.05,
        otel_share=1.0,
        customers=AGENT_CUSTOMERS,
        features=("order-status", "returns"),
    ),
    Workload(
        "search",
        "semantic-search",
        "prod",
        "text-embedding-3-small",
        8,
        0.9,
        400,
        0,
        "proj_search",
        customers=SEARCH_CUSTOMERS,
        features=("embed-query", "index-documents"),
    ),
    # Shadow AI: a forgotten hackathon project and a sandbox account nobody mapped.
    Workload(None, None, "dev", "gpt-4o-2024-08-06", 2, 0.0, 2500, 600, "proj_hackathon_2025"),
    Workload(
        None,
        None,
        "dev",
        "amazon.nova-2-lite-v1:0",
        2,
        0.0,
        900,
        300,
        "",
        account="333300004444",
        principal="arn:aws:iam::333300004444:user/intern",
    ),
)

# GPU fleets on EC2: (team, application, instance type, usage-type prefix, hourly rate, instances at scale 1)
GPU_FLEETS = (
    ("platform", "gpu-training", "p5.48xlarge", "BoxUsage", Decimal("98.32"), 1),
    ("search", "semantic-search", "g5.xlarge", "SpotUsage", Decimal("0.4024"), 2),
)
TAX_RATE = Decimal("0.0825")
