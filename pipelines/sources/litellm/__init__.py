"""LiteLLM gateway spend logs (``LiteLLM_SpendLogs`` exports) as CSV, gzip CSV or Parquet.

Layout: ``litellm/**/*.csv|*.csv.gz|*.parquet``, one export per file (typically one per day). A file
rewritten with new contents replaces its previous version.
"""

from pipelines.sources.files import FilePerPartitionSource
from pipelines.sources.litellm.schema import SPEND_LOGS

SLUG = "litellm"
SOURCE = FilePerPartitionSource(SLUG, SPEND_LOGS, "a spend-logs export")
