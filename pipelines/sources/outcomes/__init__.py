"""Business outcome events, as CSV, gzip CSV or Parquet files (one export per file).

Layout: ``outcomes/**/*.csv|*.csv.gz|*.parquet``. A file rewritten with new contents replaces its previous
version; the same event sent again in another file is counted once (dbt keeps the latest load of each
outcome type and id).

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load.contracts``; ``pipelines.demo.world``
(``demo.py`` only). No other source, no registry, no ``orchestration``.
"""

from pipelines.sources.base import SourceUnit
from pipelines.sources.files import FilePerPartitionSource
from pipelines.sources.outcomes import demo
from pipelines.sources.outcomes.schema import EVENTS

SLUG = "outcomes"


SOURCE = SourceUnit(
    reader=FilePerPartitionSource(SLUG, EVENTS, "an outcome events file"),
    description=("Business outcome events (ticket resolved, document processed ...) with value, linked to AI work."),
    demo=demo.write,
    bench_reads=(("outcomes/**/*.parquet", "read_parquet"), ("outcomes/**/*.csv*", "read_csv")),
    demo_label="business outcomes",
)
