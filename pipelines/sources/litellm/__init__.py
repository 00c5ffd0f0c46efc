"""LiteLLM gateway spend logs (``LiteLLM_SpendLogs`` exports) as CSV, gzip CSV or Parquet.

Layout: ``litellm/**/*.csv|*.csv.gz|*.parquet``, one export per file (typically one per day). A file
rewritten with new contents replaces its previous version. ``postgres.py`` pulls the same rows from the
LiteLLM database into the landing zone when a database URL is configured.

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load`` (contracts, readers);
``pipelines.landing`` and ``pipelines.config`` (the pull); ``pipelines.demo.world`` (``demo.py`` only). No
other source, no registry, no ``orchestration``.
"""

from pipelines.sources.base import SourceUnit
from pipelines.sources.files import FilePerPartitionSource
from pipelines.sources.litellm import demo
from pipelines.sources.litellm.postgres import pulled_landing
from pipelines.sources.litellm.schema import SPEND_LOGS

SLUG = "litellm"


SOURCE = SourceUnit(
    reader=FilePerPartitionSource(SLUG, SPEND_LOGS, "a spend-logs export"),
    description=(
        "LiteLLM gateway spend logs, one row per request, bodies excluded; from exports, or pulled incrementally from the LiteLLM Postgres database when AICOST_LITELLM_DATABASE_URL is set."
    ),
    demo=demo.write,
    bench_reads=(("litellm/**/*.parquet", "read_parquet"), ("litellm/**/*.csv*", "read_csv")),
    demo_label="gateway requests",
    pull=pulled_landing,
)
