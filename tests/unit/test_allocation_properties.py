"""Property-based tests of the allocation core: the SQL every allocation pass runs, fed random invoices.

The allocation splits each charge group's amounts across weighted targets (``allocate_exactly``) and then
rounds to cents per provider, billing account, period and currency (``cents_by_largest_remainder``). This
test compiles those macros once through dbt (the analysis ``allocation_property_harness``) and runs the
compiled SQL on DuckDB against groups and weights that hypothesis draws: credits, zero amounts, tiny and
huge amounts, a single target or hundreds, zero weights, weights of very different sizes. Whatever it
draws, nothing is created or lost and every 1e-12 unit and every cent is assigned exactly once.
"""

from __future__ import annotations

import os
import subprocess
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.config import DBT_PROJECT_DIR, dbt_executable

UNIT = Decimal("1e-12")
CENT = Decimal("0.01")
AMOUNTS = ("billed_cost", "effective_cost", "list_cost", "token_count")


@pytest.fixture(scope="module")
def allocation_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The compiled harness: allocate_exactly then cents_by_largest_remainder, as the models render them."""
    root = tmp_path_factory.mktemp("harness")
    command = [
        str(dbt_executable()),
        "compile",
        "--select",
        "allocation_property_harness",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(root / "logs"),
    ]
    env = {**os.environ, "AICOST_WAREHOUSE": str(root / "compile.duckdb")}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
    (compiled,) = (root / "target" / "compiled").rglob("allocation_property_harness.sql")
    return compiled.read_text()


def _money(draw_max: int) -> st.SearchStrategy[Decimal]:
    # 12 decimal places like the warehouse; magnitudes from a fraction of a cent to tens of millions.
    return st.integers(min_value=-draw_max, max_value=draw_max).map(lambda units: Decimal(units) * UNIT)


@st.composite
def invoices(draw: st.DrawFn) -> tuple[list[tuple], list[tuple]]:
    """Charge groups (with their partition) and weighted targets, some groups with no positive weight."""
    groups, weights = [], []
    for g in range(draw(st.integers(min_value=1, max_value=12))):
        partition = draw(st.sampled_from(["aws|123|2026-10|USD", "aws|123|2026-10|EUR", "openai|org|2026-11|USD"]))
        scale = draw(st.sampled_from([10**10, 10**16, 10**19]))  # a cent, ten thousand, ten million
        amounts = [draw(_money(scale)) for _ in AMOUNTS]
        groups.append((f"g{g}", partition, *amounts))
        targets = draw(st.integers(min_value=1, max_value=draw(st.sampled_from([3, 40]))))
        for t in range(targets):
            weight = draw(st.one_of(st.integers(0, 10), st.integers(0, 10**15)))
            weights.append((f"g{g}", f"team-{t}", partition, f"team-{t}|{partition}", weight))
    return groups, weights


def _run(sql: str, groups: list[tuple], weights: list[tuple]) -> list[tuple]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE property_groups (charge_group_id VARCHAR, partition_key VARCHAR, billed_cost DECIMAL(38, 12), "
        "effective_cost DECIMAL(38, 12), list_cost DECIMAL(38, 12), token_count DECIMAL(38, 12))"
    )
    con.execute(
        "CREATE TABLE property_weights (charge_group_id VARCHAR, target VARCHAR, partition_key VARCHAR, "
        "target_key VARCHAR, weight HUGEINT)"
    )
    con.executemany("INSERT INTO property_groups VALUES (?, ?, ?, ?, ?, ?)", groups)
    con.executemany("INSERT INTO property_weights VALUES (?, ?, ?, ?, ?)", weights)
    columns = ["charge_group_id", "target", "partition_key", *AMOUNTS, "billed_cost_cents", "effective_cost_cents"]
    return con.execute(f"SELECT {', '.join(columns)} FROM ({sql}) ORDER BY ALL").fetchall()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoices())
def test_every_unit_and_every_cent_is_assigned_exactly_once(allocation_sql, invoice):
    groups, weights = invoice
    rows = _run(allocation_sql, groups, weights)
    total_weight: dict[str, int] = {}
    for group, _, _, _, weight in weights:
        total_weight[group] = total_weight.get(group, 0) + weight
    by_group: dict[str, list[tuple]] = {}
    for row in rows:
        by_group.setdefault(row[0], []).append(row)

    for group, _partition, *amounts in groups:
        pieces = by_group.get(group, [])
        if total_weight[group] == 0:
            # Nothing measured: the macro allocates nothing, and the models send the group to its bill owner.
            assert pieces == []
            continue
        weight_of = {w[1]: w[4] for w in weights if w[0] == group}
        assert all(weight_of[p[1]] > 0 for p in pieces), "a zero weight received a piece"
        for position, amount in enumerate(amounts):
            split = [p[3 + position] for p in pieces]
            # nothing created or lost: the pieces add up to the group, to the last 1e-12 unit
            assert sum(split, Decimal(0)) == amount
            for piece, value in zip(pieces, split, strict=True):
                with localcontext(prec=80):
                    exact = amount * weight_of[piece[1]] / total_weight[group]
                # each piece is its proportional share rounded down or up by at most one unit, same sign
                assert abs(value - exact) < UNIT, (value, exact)
                assert value == 0 or (value > 0) == (amount > 0)

    partitions: dict[str, list[tuple]] = {}
    for row in rows:
        partitions.setdefault(row[2], []).append(row)
    for partition_rows in partitions.values():
        for exact_at, cents_at in ((3, 7), (4, 8)):
            exact_total = sum((r[exact_at] for r in partition_rows), Decimal(0))
            # the cents add up to the exact total rounded to the cent, half away from zero ...
            assert sum((r[cents_at] for r in partition_rows), Decimal(0)) == exact_total.quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            for r in partition_rows:
                # ... and every row is its exact amount floored, or floored plus one cent
                floor = r[exact_at].quantize(CENT, rounding=ROUND_FLOOR)
                assert r[cents_at] in (floor, floor + CENT)


def test_the_split_is_deterministic_and_orders_ties_by_target(allocation_sql):
    # 0.000000000010 over three equal weights: 3 units each and one unit left, which goes to the first key.
    groups = [("g", "p", Decimal("1e-11"), Decimal(0), Decimal(0), Decimal(0))]
    weights = [("g", t, "p", f"{t}|p", 1) for t in ("c", "a", "b")]
    first = _run(allocation_sql, groups, weights)
    assert first == _run(allocation_sql, groups, list(reversed(weights)))
    assert {r[1]: r[3] for r in first} == {"a": Decimal("4e-12"), "b": Decimal("3e-12"), "c": Decimal("3e-12")}
    assert all(isinstance(r[3], Decimal) for r in first)  # amounts stay DECIMAL, never float


def test_compiled_sql_has_no_float_arithmetic(allocation_sql):
    lowered = allocation_sql.lower()
    assert "double" not in lowered and "float" not in lowered
