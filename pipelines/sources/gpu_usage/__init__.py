"""GPU allocation and utilisation per workload (a Kubernetes / DCGM export), as CSV, gzip CSV or Parquet files.

Layout: ``gpu_usage/**/*.csv|*.csv.gz|*.parquet``, one export per file. A file rewritten with new contents
replaces its previous version; the same workload, node and window sent again in another file counts once
(dbt keeps its latest load).

Imports: ``pipelines.sources.base`` and ``files``; ``pipelines.load.contracts``; ``pipelines.demo.world``
(``demo.py`` only). No other source, no registry, no ``orchestration``.
"""

from pipelines.sources.base import SourceUnit
from pipelines.sources.files import FilePerPartitionSource
from pipelines.sources.gpu_usage import demo
from pipelines.sources.gpu_usage.schema import WORKLOAD_HOURS

SLUG = "gpu_usage"


SOURCE = SourceUnit(
    reader=FilePerPartitionSource(SLUG, WORKLOAD_HOURS, "a GPU usage export"),
    description=(
        "GPUs allocated to each Kubernetes workload per node and hour, with DCGM utilisation: the measure that "
        "splits GPU instance cost across workloads, the rest being idle."
    ),
    demo=demo.write,
    bench_reads=(("gpu_usage/**/*.parquet", "read_parquet"), ("gpu_usage/**/*.csv*", "read_csv")),
    demo_label="GPU workload-hours",
)
