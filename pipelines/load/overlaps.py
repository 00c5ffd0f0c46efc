"""Bills delivered twice: when two exports cover the same billing scope, the newest delivery counts.

A bill table's contract names its billing scope (``RawTable.scope``: billing account, sub-account and
period). Each load records the scopes its rows cover in ``raw._load_scopes``. When current deliveries of
different partitions (two CUR exports of one payer, a GCP standard and detailed export, an Azure
billing-account export beside a subscription export) cover the same scope, the delivery delivered last
(file modification time, then load time, then partition name) counts: the other's rows of that scope get
``_superseded_by`` set and are left out by staging, never deleted. Resolution is recomputed inside every
transaction that changes which files are present, so when the winning delivery goes away the superseded
rows count again without a reload, and a crash never leaves two overlapping exports both counted.

Only declared deliveries compete (a manifest's execution, a run folder, a folder of files): a file that is
its own delivery (no layout saying what belongs together) always counts.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.load.contracts import RawTable
from pipelines.load.manifest import LOADS_TABLE, PRESENT

SCOPES_TABLE = "raw._load_scopes"
_SCOPES_DDL = f"""
CREATE TABLE IF NOT EXISTS {SCOPES_TABLE} (
    load_id VARCHAR NOT NULL,
    raw_table VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    superseded_by VARCHAR
)
"""


def ensure_scopes(con: duckdb.DuckDBPyConnection) -> None:
    """Creates ``raw._load_scopes`` if it does not exist."""
    con.execute(_SCOPES_DDL)


def record_scopes(con: duckdb.DuckDBPyConnection, table: RawTable, load_ids: list[str]) -> None:
    """Records the billing scopes (and their row counts) of newly loaded files of a bill table."""
    if not table.scope or not load_ids:
        return
    con.execute(
        f"INSERT INTO {SCOPES_TABLE} (load_id, raw_table, scope, rows) "
        f"SELECT _load_id, ?, {table.scope}, count(*) FROM {table.qualified_name} "
        "WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
        [table.qualified_name, load_ids],
    )


def resolve(con: duckdb.DuckDBPyConnection, table: RawTable, at: datetime) -> list[str]:
    """Marks the rows of superseded scopes and sets each load's status (loaded or superseded).

    Args:
        con: Warehouse connection (inside a transaction).
        table: A bill table (with a ``scope``).
        at: Time of the run.

    Returns:
        One message per load whose status changed ("... superseded by ..." or "... counts again").
    """
    if not table.scope:
        return []
    name = table.qualified_name
    # Scopes of loads whose rows are gone (replaced, removed) are forgotten; present loads without scopes
    # (loaded before this bookkeeping existed) get theirs.
    con.execute(
        f"DELETE FROM {SCOPES_TABLE} WHERE raw_table = ? AND load_id NOT IN "
        f"(SELECT load_id FROM {LOADS_TABLE} WHERE status IN {PRESENT})",
        [name],
    )
    missing = [
        r[0]
        for r in con.execute(
            f"SELECT load_id FROM {LOADS_TABLE} WHERE raw_table = ? AND status IN {PRESENT} "
            f"AND load_id NOT IN (SELECT load_id FROM {SCOPES_TABLE} WHERE raw_table = ?)",
            [name, name],
        ).fetchall()
    ]
    record_scopes(con, table, missing)
    changes = con.execute(
        f"""
        WITH loads AS (
            SELECT s.load_id, s.scope, s.superseded_by AS current_mark, l.partition_key, l.delivery_id,
                   l.delivery_id IS DISTINCT FROM l.sha256 AS competes,
                   coalesce(l.delivered_at, l.loaded_at) AS delivered_at, l.loaded_at
            FROM {SCOPES_TABLE} AS s JOIN {LOADS_TABLE} AS l USING (load_id)
            WHERE s.raw_table = ?
        ),
        winners AS (
            SELECT scope,
                   arg_max((partition_key, delivery_id), (delivered_at, loaded_at, partition_key, delivery_id))
                       AS winner
            FROM (
                SELECT scope, partition_key, delivery_id, max(delivered_at) AS delivered_at,
                       max(loaded_at) AS loaded_at
                FROM loads WHERE competes GROUP BY ALL
            )
            GROUP BY scope
        ),
        winning_loads AS (
            SELECT loads.scope, min(loads.load_id) AS winner_load
            FROM loads JOIN winners USING (scope)
            WHERE (loads.partition_key, loads.delivery_id) = winners.winner
            GROUP BY loads.scope
        ),
        desired AS (
            SELECT loads.load_id, loads.scope, loads.current_mark,
                   CASE
                       WHEN NOT loads.competes OR (loads.partition_key, loads.delivery_id) = winners.winner THEN NULL
                       ELSE winning_loads.winner_load
                   END AS mark
            FROM loads
            LEFT JOIN winners USING (scope)
            LEFT JOIN winning_loads USING (scope)
        )
        SELECT load_id, scope, mark FROM desired WHERE mark IS DISTINCT FROM current_mark
        """,
        [name],
    ).fetchall()
    if changes:
        con.execute("CREATE OR REPLACE TEMP TABLE _scope_changes (load_id VARCHAR, scope VARCHAR, mark VARCHAR)")
        con.executemany("INSERT INTO _scope_changes VALUES (?, ?, ?)", changes)
        # One statement for all changes; the scope expression names the raw table's own columns.
        con.execute(
            f"UPDATE {name} SET _superseded_by = c.mark FROM _scope_changes AS c "
            f"WHERE {name}._load_id = c.load_id AND ({table.scope}) = c.scope"
        )
        con.execute(
            f"UPDATE {SCOPES_TABLE} SET superseded_by = c.mark FROM _scope_changes AS c "
            f"WHERE {SCOPES_TABLE}.load_id = c.load_id AND {SCOPES_TABLE}.scope = c.scope"
        )
        con.execute("DROP TABLE _scope_changes")
    return _update_statuses(con, table, at)


def _update_statuses(con: duckdb.DuckDBPyConnection, table: RawTable, at: datetime) -> list[str]:
    """A load all of whose scopes are superseded is ``superseded``; any other present load is ``loaded``."""
    rows = con.execute(
        f"""
        SELECT l.load_id, l.path, l.status,
               bool_and(s.superseded_by IS NOT NULL) AS all_superseded, min(s.superseded_by) AS winner,
               count(*) FILTER (WHERE s.superseded_by IS NOT NULL) AS superseded_scopes, count(*) AS scopes
        FROM {LOADS_TABLE} AS l JOIN {SCOPES_TABLE} AS s USING (load_id)
        WHERE l.raw_table = ? AND l.status IN {PRESENT}
        GROUP BY ALL
        """,
        [table.qualified_name],
    ).fetchall()
    messages = []
    for load_id, path, status, all_superseded, winner, superseded_scopes, scopes in rows:
        wanted = "superseded" if all_superseded else "loaded"
        winner_path = _path_of(con, winner) if winner else None
        if wanted != status:
            con.execute(
                f"UPDATE {LOADS_TABLE} SET status = ?, superseded_by = ?, status_changed_at = ? WHERE load_id = ?",
                [wanted, winner if all_superseded else None, at, load_id],
            )
            messages.append(
                f"{path}: superseded by the newer delivery {winner_path} (same billing scope)"
                if all_superseded
                else f"{path}: counts again (the delivery that superseded it is gone)"
            )
        elif superseded_scopes and not all_superseded:
            messages.append(f"{path}: {superseded_scopes} of {scopes} billing scope(s) superseded by {winner_path}")
    return messages


def _path_of(con: duckdb.DuckDBPyConnection, load_id: str) -> str:
    rows = con.execute(f"SELECT path FROM {LOADS_TABLE} WHERE load_id = ?", [load_id]).fetchall()
    return rows[0][0] if rows else load_id
