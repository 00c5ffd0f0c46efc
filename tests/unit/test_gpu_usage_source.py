import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.demo.generate import DemoOptions, generate
from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "gpu_usage" / "valid"
INVALID = FIXTURES / "gpu_usage" / "invalid"
SEEDS = Path(__file__).parents[2] / "seeds"


def _as_parquet(csv_path: Path, target: Path) -> Path:
    """The fixture as a warehouse export writes Parquet: timestamps typed, quantities as doubles."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"""
        COPY (
            SELECT * REPLACE (CAST(window_start AS TIMESTAMPTZ) AS window_start,
                              CAST(window_end AS TIMESTAMPTZ) AS window_end,
                              CAST(gpu_count AS INTEGER) AS gpu_count, CAST(gpu_hours AS DOUBLE) AS gpu_hours,
                              CAST(gpu_utilisation AS DOUBLE) AS gpu_utilisation,
                              CAST(node_gpu_count AS INTEGER) AS node_gpu_count)
            FROM read_csv('{csv_path}', all_varchar = true)
        ) TO '{target}' (FORMAT parquet)
        """
    )
    con.close()
    return target


@pytest.mark.parametrize("variant", ["csv", "csv-with-bom-and-crlf", "parquet"])
def test_workload_hours_load_with_exact_gpu_hours_and_labels(con, landing, tmp_path, variant):
    source = {
        "csv": VALID / "gpu_usage_2026-10-03.csv",
        "csv-with-bom-and-crlf": VALID / "gpu_usage_2026-10-03_bom.csv",
        "parquet": _as_parquet(VALID / "gpu_usage_2026-10-03.csv", tmp_path / "gpu_usage_2026-10-03.parquet"),
    }[variant]
    place(landing, f"gpu_usage/eks-use1-ml/{source.name}", source)

    result = load(con, "gpu_usage", landing)

    assert result.files_loaded == 1 and result.rows_loaded == 6 and not result.quarantined
    assert scalar(con, "SELECT sum(gpu_hours) FROM raw_gpu_usage.workload_hours") == Decimal("12.333333333333")
    assert scalar(con, "SELECT sum(gpu_count) FROM raw_gpu_usage.workload_hours") == 13
    rows = con.execute(
        "SELECT workload, window_start, window_end, gpu_utilisation, labels->>'team', node_gpu_count "
        "FROM raw_gpu_usage.workload_hours WHERE node <> 'ip-10-0-116-246.ec2.internal' ORDER BY workload"
    ).fetchall()
    assert [(r[0], r[1].isoformat(), r[2].isoformat(), r[3], r[4], r[5]) for r in rows] == [
        ("gpu-notebook", "2026-10-03T12:00:00+00:00", "2026-10-03T13:00:00+00:00", None, None, 8),
        ("semantic-search-api", "2026-10-03T10:00:00+00:00", "2026-10-03T10:20:00+00:00", Decimal("0.45"), "search", 1),
    ]
    assert scalar(con, "SELECT billing_period FROM raw._loads WHERE status = 'loaded'") == "2026-10"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        pytest.param(
            "gpu_usage_utilisation_in_percent.csv",
            "line 3, column gpu_utilisation: value '61.250000000000' is outside [0, 1]",
            id="utilisation-in-percent",
        ),
        pytest.param(
            "gpu_usage_negative_gpu_hours.csv",
            "line 4, column gpu_hours: value '-1.000000000000' is negative",
            id="gpu-hours-negative",
        ),
        pytest.param(
            "gpu_usage_negative_gpu_count.csv",
            "line 2, column gpu_count: value '-4' is negative",
            id="gpu-count-negative",
        ),
        pytest.param(
            "gpu_usage_window_not_forward.csv",
            "line 3, column window_end: value '2026-10-03 11:00:00+00' is not after window_start",
            id="window-not-forward",
        ),
    ],
)
def test_files_with_bad_rows_are_quarantined_with_line_and_field(con, landing, fixture, message):
    place(landing, f"gpu_usage/bad/{fixture}", INVALID / fixture)
    place(landing, "gpu_usage/good/gpu_usage_2026-10-03.csv", VALID / "gpu_usage_2026-10-03.csv")

    result = load(con, "gpu_usage", landing)

    assert len(result.quarantined) == 1 and message in result.quarantined[0]
    assert fixture in result.quarantined[0]
    assert scalar(con, "SELECT count(*) FROM raw_gpu_usage.workload_hours") == 6


def test_loading_again_changes_nothing_and_a_rewritten_file_replaces_its_rows(con, landing):
    target = place(landing, "gpu_usage/eks-use1-ml/gpu_usage_2026-10-03.csv", VALID / "gpu_usage_2026-10-03.csv")
    load(con, "gpu_usage", landing)

    again = load(con, "gpu_usage", landing)

    assert again.files_loaded == 0 and again.files_unchanged == 1 and again.rows_loaded == 0
    assert scalar(con, "SELECT sum(gpu_hours) FROM raw_gpu_usage.workload_hours") == Decimal("12.333333333333")

    # the exporter rewrites the day without the notebook's row
    lines = target.read_text().splitlines(keepends=True)
    target.write_text("".join(line for line in lines if "gpu-notebook" not in line))
    rewritten = load(con, "gpu_usage", landing)

    assert rewritten.files_loaded == 1 and rewritten.files_replaced == 1
    assert scalar(con, "SELECT count(*) FROM raw_gpu_usage.workload_hours") == 5
    assert scalar(con, "SELECT sum(gpu_hours) FROM raw_gpu_usage.workload_hours") == Decimal("11.333333333333")


@pytest.fixture(scope="module")
def demo_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("gpu-demo")
    generate(DemoOptions(landing=landing, scale=0.05, seed=11))
    return landing


def _demo_gpu_rows(con: duckdb.DuckDBPyConnection, landing: Path) -> list[dict]:
    con.execute(
        f"CREATE TABLE gpu AS SELECT * FROM read_parquet('{landing}/gpu_usage/**/*.parquet') "
        f"UNION ALL BY NAME SELECT * FROM read_csv('{landing}/gpu_usage/**/*.csv', all_varchar = true)"
    )
    cursor = con.execute(
        "SELECT provider_resource_id, instance_type, node, CAST(window_start AS TIMESTAMPTZ) AS window_start, "
        "CAST(gpu_count AS INTEGER) AS gpu_count, CAST(node_gpu_count AS INTEGER) AS node_gpu_count, "
        "CAST(labels AS VARCHAR) AS labels FROM gpu"
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _billed_gpu_resources(con: duckdb.DuckDBPyConnection, landing: Path, gpu_types: set[str]) -> dict[str, set]:
    """GPU resource ids the demo bills charge for (from the bill files alone), with their billed hours on EC2."""
    types = ", ".join(f"'{t}'" for t in sorted(gpu_types))
    billed: dict[str, set] = defaultdict(set)
    ec2 = con.execute(
        f"SELECT line_item_resource_id, CAST(line_item_usage_start_date AS TIMESTAMP) "
        f"FROM read_parquet('{landing}/aws_cur/**/*.parquet') "
        f"WHERE product_instance_type IN ({types}) AND line_item_resource_id LIKE 'i-%'"
    ).fetchall()
    for resource_id, hour in ec2:
        billed[resource_id].add(hour.isoformat())
    azure = con.execute(
        f"SELECT DISTINCT ResourceId FROM read_csv('{landing}/azure_cost/**/*.csv.gz', all_varchar = true) "
        f"WHERE json_extract_string(additionalInfo, '$.ServiceType') IN ({types})"
    ).fetchall()
    for (resource_id,) in azure:
        billed.setdefault(resource_id, set())
    return billed


def test_demo_gpu_nodes_are_billed_gpu_instances_never_over_allocated(demo_landing):
    with open(SEEDS / "gpu_instance_types.csv", newline="") as fh:
        gpus_per_type = {r["instance_type"]: int(r["gpu_count"]) for r in csv.DictReader(fh)}
    with open(SEEDS / "teams.csv", newline="") as fh:
        teams = {r["team"] for r in csv.DictReader(fh)}
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = _demo_gpu_rows(con, demo_landing)
    billed = _billed_gpu_resources(con, demo_landing, set(gpus_per_type))

    nodes = {r["provider_resource_id"] for r in rows}
    assert nodes and nodes <= set(billed)
    assert any(r.startswith("i-") for r in nodes) and any(r.startswith("/subscriptions/") for r in nodes)
    # EC2 bills by the hour: every workload-hour is an hour the CUR charges its instance for
    for r in rows:
        if r["provider_resource_id"].startswith("i-"):
            assert r["window_start"].replace(tzinfo=None).isoformat() in billed[r["provider_resource_id"]]
    allocated: dict[tuple, int] = defaultdict(int)
    for r in rows:
        assert r["node_gpu_count"] == gpus_per_type[r["instance_type"]]
        allocated[(r["provider_resource_id"], r["window_start"])] += r["gpu_count"]
    capacity = {r["provider_resource_id"]: r["node_gpu_count"] for r in rows}
    assert all(n <= capacity[node] for (node, _), n in allocated.items())
    # billed EC2 hours with no workload at all
    for node in nodes:
        if node.startswith("i-"):
            busy = {w.replace(tzinfo=None).isoformat() for (other, w) in allocated if other == node}
            assert billed[node] - busy
    # idle GPUs on every multi-GPU node, and one node shared by three teams
    assert all(
        any(n < capacity[node] for (other, _), n in allocated.items() if other == node)
        for node in nodes
        if capacity[node] > 1
    )
    labels = [json.loads(r["labels"]) for r in rows]
    assert {lab["team"] for lab in labels if "team" in lab} <= teams
    assert any("team" not in lab for lab in labels)
    teams_per_node: dict[str, set] = defaultdict(set)
    for r, lab in zip(rows, labels, strict=True):
        teams_per_node[r["provider_resource_id"]].add(lab.get("team"))
    assert max(len(t - {None}) for t in teams_per_node.values()) >= 3
