"""Demo GPU usage: what a Kubernetes GPU exporter (DCGM) reports on the GPU instances the demo bills charge for.

The nodes and their hours are read from the bill files the demo has just written (the registry lists the
bills first), not recomputed: the bill is what says an instance ran, so every row here names a resource id
and an hour the bill charges for.

- EC2 (CUR): hourly ``Usage`` / ``DiscountedUsage`` lines of GPU instance types (``line_item_resource_id``).
- Azure (cost details): daily VM rows; the day's quantity (hours run) as one block of consecutive hours.
- GCP (billing export): hourly GPU VM lines naming their resource (``resource.global_name`` or ``name``, as
  FOCUS ``ResourceId`` takes them). The standard export names none, so without it GCP has no node here.

On the p5.48xlarge (8 GPUs) three teams share the node (platform's pre-training, search's embedding backfill,
data science's evaluation for a customer), never all eight GPUs; a notebook with no team label shares the
Azure A100 VM (unallocated by workload). Each node's first billed hour has no workload (the node joins the
cluster before pods land), about one hour in ten none either, so every node shows idle GPU time.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.demo.world import DemoWorld
from pipelines.load.readers import sql_literal

# GPUs per instance type of the demo bills (as seeds/gpu_instance_types.csv), and the cluster its nodes join.
NODE_TYPES = (
    ("p5.48xlarge", 8, "eks-use1-ml"),
    ("g5.xlarge", 1, "eks-use1-ml"),
    ("Standard_ND96asr_v4", 8, "k8s-eastus2-train"),
    ("a2-highgpu-1g", 1, "gke-usc1-ml"),
)

# (instance type, namespace, workload, pod labels, GPUs held, share of the node's busy hours it runs in,
#  utilisation range in basis points of DCGM_FI_DEV_GPU_UTIL / 100). Per node and hour at most 7 of 8 GPUs.
WORKLOADS = (
    ("p5.48xlarge", "training", "llm-pretrain", {"team": "platform", "app": "gpu-training"}, 4, 0.85, 8000, 9700),
    (
        "p5.48xlarge",
        "search",
        "embedding-backfill",
        {"team": "search", "app.kubernetes.io/name": "semantic-search"},
        2,
        0.55,
        5500,
        9000,
    ),
    (
        "p5.48xlarge",
        "ds-eval",
        "model-eval",
        {"team": "data-science", "app": "model-eval", "customer": "customer-42"},
        1,
        0.40,
        2000,
        6000,
    ),
    ("g5.xlarge", "search", "semantic-search-api", {"team": "search", "app": "semantic-search"}, 1, 0.85, 3000, 7500),
    (
        "Standard_ND96asr_v4",
        "fine-tuning",
        "llm-finetune",
        {"team": "data-science", "app": "fine-tuning"},
        6,
        0.90,
        7000,
        9500,
    ),
    ("Standard_ND96asr_v4", "sandbox", "gpu-notebook", {"app": "jupyter"}, 1, 0.50, 200, 2500),
    (
        "a2-highgpu-1g",
        "embeddings",
        "embedding-training",
        {"team": "data-science", "app": "embedding-training"},
        1,
        0.80,
        6000,
        9500,
    ),
)

# The cluster whose exporter writes one CSV for the month (the others: one file per day).
CSV_CLUSTER = "k8s-eastus2-train"

_COLUMNS = (
    "window_start, window_end, cluster, node, provider_resource_id, instance_type, namespace, workload, labels, "
    "gpu_count, gpu_hours, gpu_utilisation, node_gpu_count"
)


def _label_json(labels: dict[str, str]) -> str:
    """Pod labels as the exporter writes them: compact JSON, keys sorted."""
    return json.dumps(labels, sort_keys=True, separators=(",", ":"))


def _files(landing: Path, pattern: str) -> str | None:
    """A DuckDB list literal of the files matching ``pattern`` under the landing folder, or ``None``."""
    found = sorted(str(p) for p in landing.glob(pattern))
    return "[" + ", ".join(sql_literal(p) for p in found) + "]" if found else None


def _ec2_lines(landing: Path, types: str) -> list[str]:
    """SELECTs of the CUR's running-hour lines of GPU instances (Parquet and gzip CSV deliveries)."""
    selects = []
    # EKS names a node after its private IP
    node = (
        "'ip-10-0-' || (hash(line_item_resource_id, 1) % 256)::VARCHAR || '-' "
        "|| (hash(line_item_resource_id, 2) % 256)::VARCHAR || '.ec2.internal'"
    )
    ec2 = (
        f"SELECT 'aws', line_item_resource_id, {node}, product_instance_type, {{start}}, {{end}} FROM {{reader}} "
        "WHERE line_item_product_code = 'AmazonEC2' "
        "AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') "
        f"AND line_item_resource_id LIKE 'i-%' AND product_instance_type IN ({types})"
    )
    if paths := _files(landing, "aws_cur/*/data/BILLING_PERIOD=*/*.parquet"):
        utc = "timezone('UTC', CAST({} AS TIMESTAMP))"
        selects.append(
            ec2.format(
                start=utc.format("line_item_usage_start_date"),
                end=utc.format("line_item_usage_end_date"),
                reader=f"read_parquet({paths}, union_by_name = true)",
            )
        )
    if paths := _files(landing, "aws_cur/*/data/BILLING_PERIOD=*/*.csv.gz"):
        selects.append(
            ec2.format(
                start="CAST(line_item_usage_start_date AS TIMESTAMPTZ)",
                end="CAST(line_item_usage_end_date AS TIMESTAMPTZ)",
                reader=f"read_csv({paths}, all_varchar = true, union_by_name = true)",
            )
        )
    return selects


def _azure_vm_lines(landing: Path, seed: int, types: str) -> list[str]:
    """SELECT of the hours of GPU VMs in the cost details: a day's quantity as one block of consecutive hours."""
    vm = (
        "SELECT ResourceId AS resource_id, CAST(date AS DATE) AS day, CAST(quantity AS DECIMAL(38, 12)) AS hours, "
        "json_extract_string(CAST(additionalInfo AS VARCHAR), '$.ServiceType') AS instance_type FROM {reader} "
        "WHERE meterCategory = 'Virtual Machines' AND chargeType = 'Usage'"
    )
    days = []
    if paths := _files(landing, "azure_cost/*/*/*/*.csv*"):
        days.append(vm.format(reader=f"read_csv({paths}, all_varchar = true, union_by_name = true)"))
    if paths := _files(landing, "azure_cost/*/*/*/*.parquet"):
        days.append(vm.format(reader=f"read_parquet({paths}, union_by_name = true)"))
    if not days:
        return []
    # The actual and amortized exports both carry the VM's on-demand rows: one per VM and day counts.
    return [
        f"""
        SELECT 'azure', resource_id, regexp_extract(resource_id, '[^/]+$'), instance_type,
               -- the block starts where it still fits in the day
               timezone('UTC', CAST(day AS TIMESTAMP))
                   + to_hours((hash({seed}, resource_id, day) % (25 - hours) + h.range)::BIGINT) AS usage_start,
               usage_start + INTERVAL 1 HOUR
        FROM (
            SELECT resource_id, instance_type, day, least(ceil(max(hours)), 24)::BIGINT AS hours
            FROM ({" UNION ALL ".join(days)})
            WHERE instance_type IN ({types})
            GROUP BY ALL
        ), range(hours) AS h
        """
    ]


def _gcp_vm_lines(con: duckdb.DuckDBPyConnection, landing: Path, types: str) -> list[str]:
    """SELECT of the hourly GPU VM lines of the billing export that name their resource (detailed export)."""
    paths = _files(landing, "gcp_billing/*/invoice_month=*/*.jsonl")
    if paths is None:
        return []
    described = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_json_auto({paths})").fetchall()}
    if "resource" not in described:
        return []
    spec = "list_filter(system_labels, lambda l: l.key = 'compute.googleapis.com/machine_spec')[1].value"
    resource_id = "coalesce(resource.global_name, resource.name)"
    return [
        f"""
        SELECT 'gcp', {resource_id}, coalesce(resource.name, regexp_extract({resource_id}, '[^/]+$')), {spec},
               CAST(replace(usage_start_time, ' UTC', 'Z') AS TIMESTAMPTZ),
               CAST(replace(usage_end_time, ' UTC', 'Z') AS TIMESTAMPTZ)
        FROM read_json_auto({paths})
        WHERE cost_type = 'regular' AND {resource_id} IS NOT NULL AND {spec} IN ({types})
        """
    ]


def _billed_hours(con: duckdb.DuckDBPyConnection, landing: Path, seed: int, types: str) -> None:
    """Creates ``gpu_billed_hours``: (provider, resource id, node, instance type, hour) the bills charge for."""
    parts = [*_ec2_lines(landing, types), *_azure_vm_lines(landing, seed, types), *_gcp_vm_lines(con, landing, types)]
    union = " UNION ALL ".join(parts) if parts else "SELECT NULL, NULL, NULL, NULL, NULL, NULL WHERE false"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE gpu_billed_hours AS
        WITH lines(provider, provider_resource_id, node, instance_type, usage_start, usage_end) AS ({union})
        SELECT DISTINCT provider, provider_resource_id, node, instance_type, h.hour_start
        FROM lines,
             unnest(generate_series(date_trunc('hour', usage_start), usage_end - INTERVAL 1 HOUR, INTERVAL 1 HOUR))
                 AS h(hour_start)
        """
    )


def write_gpu_usage(con: duckdb.DuckDBPyConnection, landing: Path, seed: int, text: bool) -> int:
    """Writes the GPU exporter's files under ``gpu_usage/<cluster>/``; returns the workload-hours written.

    Args:
        con: The demo's scratch connection (session time zone UTC).
        landing: Landing folder holding the bills written before.
        seed: Random seed.
        text: Write gzip CSV instead of Parquet (the CSV cluster writes plain CSV either way).
    """
    seed = int(seed)
    types = ", ".join(sql_literal(t) for t, _, _ in NODE_TYPES)
    _billed_hours(con, landing, seed, types)
    node_types = ", ".join(f"({sql_literal(t)}, {n}, {sql_literal(c)})" for t, n, c in NODE_TYPES)
    workloads = ", ".join(
        f"({sql_literal(t)}, {sql_literal(ns)}, {sql_literal(w)}, {sql_literal(_label_json(labels))}, "
        f"{gpus}, {int(share * 1000)}, {lo}, {hi})"
        for t, ns, w, labels, gpus, share, lo, hi in WORKLOADS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE gpu_workload_hours AS
        WITH node_types(instance_type, node_gpu_count, cluster) AS (VALUES {node_types}),
        workloads(instance_type, namespace, workload, labels, gpus, share_permille, util_lo, util_hi)
            AS (VALUES {workloads}),
        hours AS (
            SELECT b.*, t.node_gpu_count, t.cluster, epoch(b.hour_start)::BIGINT AS epoch_hour,
                   row_number() OVER (PARTITION BY b.provider_resource_id ORDER BY b.hour_start) AS nth_hour
            FROM gpu_billed_hours AS b JOIN node_types AS t USING (instance_type)
        )
        SELECT h.hour_start AS window_start, h.hour_start + INTERVAL 1 HOUR AS window_end, h.cluster, h.node,
               h.provider_resource_id, h.instance_type, w.namespace, w.workload, w.labels, w.gpus AS gpu_count,
               CAST(w.gpus AS DECIMAL(38, 12)) AS gpu_hours,
               CAST((w.util_lo + hash({seed}, h.provider_resource_id, h.epoch_hour, w.workload, 1)
                                 % (w.util_hi - w.util_lo + 1)) * 0.0001 AS DECIMAL(38, 12)) AS gpu_utilisation,
               h.node_gpu_count
        FROM hours AS h JOIN workloads AS w USING (instance_type)
        WHERE h.nth_hour > 1
          AND hash({seed}, h.provider_resource_id, h.epoch_hour) % 10 <> 0
          AND hash({seed}, h.provider_resource_id, h.epoch_hour, w.workload) % 1000 < w.share_permille
        """
    )
    clusters = [r[0] for r in con.execute("SELECT DISTINCT cluster FROM gpu_workload_hours ORDER BY 1").fetchall()]
    as_text = (
        "strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') AS window_start, "
        "strftime(window_end, '%Y-%m-%dT%H:%M:%SZ') AS window_end, cluster, node, provider_resource_id, "
        "instance_type, namespace, workload, labels, gpu_count, CAST(gpu_hours AS VARCHAR) AS gpu_hours, "
        "CAST(gpu_utilisation AS VARCHAR) AS gpu_utilisation, node_gpu_count"
    )
    order = "ORDER BY window_start, node, namespace, workload"
    for cluster in clusters:
        out = landing / "gpu_usage" / cluster
        out.mkdir(parents=True, exist_ok=True)
        where = f"WHERE cluster = {sql_literal(cluster)}"
        if cluster == CSV_CLUSTER:
            first = con.execute(f"SELECT strftime(min(window_start), '%Y-%m') FROM gpu_workload_hours {where}")
            path = out / f"gpu_usage_{first.fetchone()[0]}.csv"
            con.execute(
                f"COPY (SELECT {as_text} FROM gpu_workload_hours {where} {order}) TO {sql_literal(str(path))} "
                "(FORMAT csv, HEADER)"
            )
            continue
        days = con.execute(f"SELECT DISTINCT window_start::DATE FROM gpu_workload_hours {where} ORDER BY 1")
        for (day,) in days.fetchall():
            on_day = f"{where} AND window_start::DATE = DATE '{day.isoformat()}'"
            if text:
                path = out / f"gpu_usage_{day.isoformat()}.csv.gz"
                select, fmt = as_text, "(FORMAT csv, HEADER, COMPRESSION gzip)"
            else:
                path = out / f"gpu_usage_{day.isoformat()}.parquet"
                select, fmt = _COLUMNS, "(FORMAT parquet)"
            con.execute(
                f"COPY (SELECT {select} FROM gpu_workload_hours {on_day} {order}) TO {sql_literal(str(path))} {fmt}"
            )
    return con.execute("SELECT count(*) FROM gpu_workload_hours").fetchone()[0]


def write(world: DemoWorld) -> int:
    """Writes the GPU exporter's files under ``gpu_usage/``; returns the workload-hours."""
    return write_gpu_usage(world.con, world.landing, world.seed, world.text_formats)
