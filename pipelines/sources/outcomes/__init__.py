"""Business outcome events, as CSV, gzip CSV or Parquet files (one export per file).

Layout: ``outcomes/**/*.csv|*.csv.gz|*.parquet``. A file rewritten with new contents replaces its previous
version; the same event sent again in another file is counted once (dbt keeps the latest load of each
outcome type and id).
"""

from pipelines.sources.files import FilePerPartitionSource
from pipelines.sources.outcomes.schema import EVENTS

SLUG = "outcomes"
SOURCE = FilePerPartitionSource(SLUG, EVENTS, "an outcome events file")
