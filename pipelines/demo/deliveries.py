"""Deliveries on top of a generated demo month, as production brings them: what `make bench` runs against.

* ``write_next_day``: the day after the month of the gateway (LiteLLM), OpenTelemetry and outcome files, the
  append-only sources a nightly run picks up;
* ``restate_cur_month``: AWS re-delivers a month's CUR 2.0 export (a new ``executionId``, new data files, some
  lines changed), so the loader replaces the billing period;
* ``write_cur_only``: a landing holding only one month's CUR 2.0 export of a chosen number of lines.

None of these runs as part of ``aicost demo``: its files stay exactly as ``generate`` writes them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from pipelines.demo.world import DemoWorld, build_calls, month_bounds

NEXT_DAY_SOURCES = ("litellm", "otel_genai", "outcomes")

# Call ids (and so request, span and session ids, all derived from them) of the extra day start here, far
# above any month's calls, so the day's requests never collide with the month's.
NEXT_DAY_CALL_OFFSET = 1 << 40


@dataclass(frozen=True)
class RestatedDelivery:
    """A CUR re-delivery written by ``restate_cur_month``.

    Attributes:
        manifest: The manifest path (rewritten in place, as AWS does).
        execution_id: The new delivery's ``executionId``.
        previous_execution_id: The delivery it replaces.
        lines: Lines of the new delivery.
        changed: Lines whose cost changed.
    """

    manifest: Path
    execution_id: str
    previous_execution_id: str
    lines: int
    changed: int


def _scratch(tmp: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(Path(tmp) / "scratch.duckdb"))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = '3GB'")
    con.execute(f"SET temp_directory = '{tmp}'")
    return con


def write_next_day(
    landing: Path, *, scale: float = 1.0, seed: int = 42, month: str = "2026-10", text_formats: bool = False
) -> dict[str, int]:
    """Writes the gateway, OTel and outcome files of the day after ``month`` into ``landing``.

    The day has a day's share of the month's volume at ``scale`` (the same workloads and mix; the planted
    events of the month do not recur, growth's nightly campaign does). Ids are offset so that nothing collides
    with the month's files. Outcomes that fall after the day (a session resolved after midnight) are left out.

    Args:
        landing: Landing folder holding the month (``<slug>/...``).
        scale: The month's demo scale.
        seed: Random seed; the same arguments give the same files.
        month: The demo month ``YYYY-MM``; the files are for its next day.
        text_formats: Write CSV instead of Parquet, as ``aicost demo --text-formats`` does.

    Returns:
        Rows (requests, traced calls, outcome events) written per source slug.
    """
    from pipelines.sources.registry import SOURCES

    _, day = month_bounds(month)
    day_end = day + timedelta(days=1)
    month_days = (day - month_bounds(month)[0]).days
    with tempfile.TemporaryDirectory(prefix="aicost-next-day-") as tmp:
        con = _scratch(tmp)
        # max(1000, ...) in build_calls: at small scales the day is a little denser than the month's average
        build_calls(con, seed, scale / month_days, day, day_end)
        con.execute(f"DELETE FROM calls WHERE started_at >= TIMESTAMPTZ '{day_end.isoformat()}'")
        # AWS's request id of a Bedrock call is derived from the call id: derive it again from the new one,
        # or the day's Bedrock calls would carry October's ids (one call to the dedupe across sources)
        con.execute(
            f"UPDATE calls SET call_id = call_id + {NEXT_DAY_CALL_OFFSET}, "
            f"session_no = session_no + {NEXT_DAY_CALL_OFFSET // 8}, "
            "aws_request_id = CASE WHEN aws_request_id IS NOT NULL THEN regexp_replace("
            f"md5('{int(seed)}:' || (call_id + {NEXT_DAY_CALL_OFFSET})), "
            "'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') END"
        )
        staging = Path(tmp) / "landing"
        world = DemoWorld(con, staging, scale, seed, day.strftime("%Y-%m"), day, day_end, text_formats)
        for slug in NEXT_DAY_SOURCES:
            SOURCES[slug].demo(world)
        con.close()
        rows: dict[str, int] = {}
        stamp = day.date().isoformat()
        for slug in NEXT_DAY_SOURCES:
            rows[slug] = 0
            for path in sorted((staging / slug).rglob(f"*{stamp}*")):
                target = landing / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                rows[slug] += _count_rows(target)
    return rows


def _count_rows(path: Path) -> int:
    if path.name.endswith(".jsonl"):
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    with duckdb.connect() as con:
        return con.execute(f"SELECT count(*) FROM {reader}(?)", [str(path)]).fetchone()[0]


def restate_cur_month(landing: Path, month: str = "2026-10", *, change_every: int = 50) -> list[RestatedDelivery]:
    """Re-delivers every CUR 2.0 export of ``month`` under ``landing`` with some lines' cost changed.

    As AWS does when it restates a period: the export's data files are replaced by new ones and the manifest
    is rewritten with a new ``executionId`` listing them. One line in ``change_every`` (picked by line id) costs
    2% more.

    Args:
        landing: Landing folder holding ``aws_cur/<export>/...`` (Parquet deliveries).
        month: Billing period ``YYYY-MM`` to restate.
        change_every: One line in this many is changed.

    Returns:
        One entry per restated export.

    Raises:
        ValueError: No CUR 2.0 Parquet delivery of ``month`` is in the landing.
    """
    restated = []
    for manifest_path in sorted(landing.glob(f"aws_cur/*/metadata/BILLING_PERIOD={month}/*-Manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        data_dir = manifest_path.parent.parent.parent / "data" / f"BILLING_PERIOD={month}"
        old_files = [data_dir / uri.rsplit("/", 1)[1] for uri in manifest["dataFiles"]]
        if not old_files or not all(f.name.endswith(".parquet") for f in old_files):
            raise ValueError(f"{manifest_path}: only Parquet CUR deliveries can be restated")
        previous = str(manifest["executionId"])
        execution_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"restated:{previous}"))
        name = f"{manifest_path.name.removesuffix('-Manifest.json')}-{execution_id[:8]}-00001.snappy.parquet"
        changed = f"hash(identity_line_item_id) % {int(change_every)} = 0"
        scaled = "CASE WHEN {changed} THEN {col} * 1.02 ELSE {col} END AS {col}"
        cols = ("line_item_unblended_cost", "line_item_net_unblended_cost")
        with tempfile.TemporaryDirectory(prefix="aicost-restate-") as tmp, duckdb.connect() as con:
            con.execute(f"SET temp_directory = '{tmp}'")
            source = f"read_parquet({[str(f) for f in old_files]}, hive_partitioning = false)"
            replace = ", ".join(scaled.format(changed=changed, col=c) for c in cols)
            staged = Path(tmp) / name
            con.execute(f"COPY (SELECT * REPLACE ({replace}) FROM {source}) TO '{staged}' (FORMAT parquet)")
            lines, n_changed = con.execute(
                f"SELECT count(*), count(*) FILTER ({changed} AND line_item_unblended_cost <> 0) FROM {source}"
            ).fetchone()
            for old in old_files:
                old.unlink()
            shutil.move(staged, data_dir / name)
        prefix = manifest["dataFiles"][0].rsplit("/", 1)[0]
        manifest.update(executionId=execution_id, dataFiles=[f"{prefix}/{name}"])
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        restated.append(RestatedDelivery(manifest_path, execution_id, previous, lines, n_changed))
    if not restated:
        raise ValueError(f"no CUR 2.0 delivery of {month} under {landing / 'aws_cur'}")
    return restated


def write_cur_only(landing: Path, lines: int, *, scale: float, seed: int = 42, month: str = "2026-10") -> int:
    """Writes a landing holding only the month's CUR 2.0 export (Parquet), cut to its first ``lines`` lines.

    The demo's CUR writer runs alone on a world of ``scale``; its delivery is then cut (in file order) to
    ``lines`` lines when it has more, so a chosen size can be matched exactly.

    Args:
        landing: Folder to write ``aws_cur/<export>/...`` into (existing CUR files there are replaced).
        lines: Lines wanted.
        scale: Demo scale of the world (choose one whose CUR has at least ``lines`` lines).
        seed: Random seed.
        month: Billing month ``YYYY-MM``.

    Returns:
        Lines written (fewer than ``lines`` when the scale's CUR is smaller).
    """
    from pipelines.sources.aws_cur.demo import write as write_cur

    start, end = month_bounds(month)
    shutil.rmtree(landing / "aws_cur", ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="aicost-cur-only-") as tmp:
        con = _scratch(tmp)
        build_calls(con, seed, scale, start, end)
        write_cur(DemoWorld(con, landing, scale, seed, month, start, end, False))
        (manifest_path,) = landing.glob(f"aws_cur/*/metadata/BILLING_PERIOD={month}/*-Manifest.json")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        data_dir = manifest_path.parent.parent.parent / "data" / f"BILLING_PERIOD={month}"
        files = [data_dir / uri.rsplit("/", 1)[1] for uri in manifest["dataFiles"]]
        source = f"read_parquet({[str(f) for f in files]}, hive_partitioning = false)"
        cut = Path(tmp) / files[0].name
        con.execute(f"COPY (SELECT * FROM {source} LIMIT {int(lines)}) TO '{cut}' (FORMAT parquet, COMPRESSION snappy)")
        written = con.execute(f"SELECT count(*) FROM read_parquet('{cut}')").fetchone()[0]
        con.close()
        for f in files:
            f.unlink()
        shutil.move(cut, files[0])
    manifest["dataFiles"] = manifest["dataFiles"][:1]
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written
