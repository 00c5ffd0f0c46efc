"""Raw contract of ``raw_gpu_usage.workload_hours``: GPUs allocated to each workload on each node, per window.

One row per workload x node x window (an hour, or any [start, end) window) as a Kubernetes GPU exporter
writes it: the node's cloud instance id exactly as the bill's resource id (so GPU cost can be split by the
GPU-hours each workload held, the rest being idle), the workload's pod labels, the GPUs it held and their
mean utilisation (DCGM ``DCGM_FI_DEV_GPU_UTIL`` / 100). Row rules quarantine a file with a negative count or
GPU-hours, a utilisation outside [0, 1] or a window that does not move forward.
"""

from pipelines.load.contracts import QUANTITY, Column, RawTable, RowCheck

WORKLOAD_HOURS = RawTable(
    slug="gpu_usage",
    name="workload_hours",
    period_column="window_start",
    columns=(
        Column("window_start", "TIMESTAMPTZ", not_null=True),
        Column("window_end", "TIMESTAMPTZ", not_null=True),
        Column("cluster", "VARCHAR", not_null=True),
        Column("node", "VARCHAR", not_null=True),
        # empty for a node no cloud bill knows (on premises): its GPU-hours match no charge
        Column("provider_resource_id", "VARCHAR"),
        Column("instance_type", "VARCHAR"),
        Column("namespace", "VARCHAR", not_null=True),
        Column("workload", "VARCHAR", not_null=True),
        Column("labels", "JSON", required=False),
        Column("gpu_count", "INTEGER", not_null=True),
        Column("gpu_hours", QUANTITY, not_null=True),
        # empty when DCGM was not scraped in the window: allocation still counts, use is unknown
        Column("gpu_utilisation", QUANTITY),
        Column("node_gpu_count", "INTEGER", not_null=True),
    ),
    checks=(
        RowCheck("gpu_count", "gpu_count >= 0", "is negative: a workload cannot hold fewer than zero GPUs"),
        RowCheck("gpu_hours", "gpu_hours >= 0", "is negative: GPU-hours allocated cannot be below zero"),
        RowCheck(
            "gpu_utilisation",
            "gpu_utilisation BETWEEN 0 AND 1",
            "is outside [0, 1]: utilisation is DCGM's GPU_UTIL mean / 100",
        ),
        RowCheck("window_end", "window_end > window_start", "is not after window_start: a window must move forward"),
    ),
)
