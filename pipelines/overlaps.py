"""Bills delivered twice: when two exports cover the same billing scope, the newest delivery counts.

A bill table's contract names its billing scope (``RawTable.scope``: billing account, sub-account and
period). Each load records the scopes its rows cover in ``raw._load_scopes``. When current deliveries of
different partitions (two CUR exports of one payer, a GCP standard and detailed export, an Azure
billing-account export beside a subscription export) cover the same scope, the delivery delivered last
(file modification time, then load time, then partition name) counts: the other's rows of that scope get
``_superseded_by`` set and are left out by staging, never deleted. Resolution is recomputed after every
load, so when the winning delivery goes away the superseded rows count again without a reload.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipelines.contracts import RawTable
from pipelines.manifest import LOADS_TABLE, PRESENT

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
    # Scopes of loads whose rows are gone (replaced, removed) are forgotten first.
    con.execute(
        f"DELETE FROM {SCOPES_TABLE} WHERE raw_table = ? AND load_id NOT IN "
        f"(SELECT load_id FROM {LOADS_TABLE} WHERE status IN {PRESENT})",
        [table.qualified_name],
    )
    changes = con.execute(
        f"""
        WITH deliveries AS (
            SELECT s.scope, l.partition_key, l.delivery_id,
                   max(coalesce(l.delivered_at, l.loaded_at)) AS delivered_at, max(l.loaded_at) AS loaded_at
            FROM {SCOPES_TABLE} AS s JOIN {LOADS_TABLE} AS l USING (load_id)
            WHERE s.raw_table = ?
            GROUP BY ALL
        ),
        winners AS (
            SELECT scope, arg_max((partition_key, delivery_id), (delivered_at, loaded_at, partition_key, delivery_id))
                AS winner
            FROM deliveries GROUP BY scope
        ),
        desired AS (
            SELECT s.load_id, s.scope, s.superseded_by AS current_mark,
                   CASE WHEN (l.partition_key, l.delivery_id) = w.winner THEN NULL ELSE (
                       SELECT min(ws.load_id) FROM {SCOPES_TABLE} AS ws JOIN {LOADS_TABLE} AS wl USING (load_id)
                       WHERE ws.raw_table = s.raw_table AND ws.scope = s.scope
                         AND (wl.partition_key, wl.delivery_id) = w.winner)
                   END AS mark
            FROM {SCOPES_TABLE} AS s
            JOIN {LOADS_TABLE} AS l USING (load_id)
            JOIN winners AS w USING (scope)
            WHERE s.raw_table = ?
        )
        SELECT load_id, scope, mark FROM desired WHERE mark IS DISTINCT FROM current_mark ORDER BY load_id, scope
        """,
        [table.qualified_name, table.qualified_name],
    ).fetchall()
    for load_id, scope, mark in changes:
        con.execute(
            f"UPDATE {table.qualified_name} SET _superseded_by = ? WHERE _load_id = ? AND ({table.scope}) = ?",
            [mark, load_id, scope],
        )
        con.execute(
            f"UPDATE {SCOPES_TABLE} SET superseded_by = ? WHERE load_id = ? AND scope = ?", [mark, load_id, scope]
        )
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
