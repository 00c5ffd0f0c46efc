"""`aicost demo`: a month of AI spend in each source's native format, from one simulated company.

The calls are generated once (``pipelines.demo.world``); every source in the registry that has a demo writer
then writes its own files from them (``pipelines/sources/<slug>/demo.py``), in registry order.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.demo.world import DemoWorld, build_calls, month_bounds


@dataclass(frozen=True)
class DemoOptions:
    """What to generate.

    Attributes:
        landing: Landing folder to write ``<slug>/...`` into.
        scale: Volume multiplier (1 = about 100k calls).
        seed: Random seed; the same seed gives the same files.
        month: Billing month ``YYYY-MM``.
        text_formats: Write CUR as gzip CSV and spend logs as CSV instead of Parquet.
    """

    landing: Path
    scale: float = 1.0
    seed: int = 42
    month: str = "2026-10"
    text_formats: bool = False


@dataclass(frozen=True)
class DemoSummary:
    """What was written.

    Attributes:
        calls: Model calls simulated.
        rows: Rows written per source slug.
        labels: What each source's count counts ("CUR lines").
    """

    calls: int
    rows: dict[str, int]
    labels: dict[str, str]

    def describe(self) -> str:
        """One line: the calls and what each source wrote."""
        parts = ", ".join(f"{self.rows[slug]:,} {self.labels[slug]}" for slug in self.rows)
        return f"{self.calls:,} model calls -> {parts}"


def generate(options: DemoOptions) -> DemoSummary:
    """Writes a month of sample data for every source that has a demo writer.

    Existing files of these sources under the landing folder are replaced.

    Args:
        options: What to generate.

    Returns:
        Counts of the generated rows.
    """
    from pipelines.sources.registry import SOURCES

    writers = {slug: unit for slug, unit in SOURCES.items() if unit.demo is not None}
    start, end = month_bounds(options.month)
    for slug in writers:
        shutil.rmtree(options.landing / slug, ignore_errors=True)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="aicost-demo-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "demo.duckdb"))
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET memory_limit = '3GB'")
        con.execute(f"SET temp_directory = '{tmp}'")
        calls = build_calls(con, options.seed, options.scale, start, end)
        world = DemoWorld(
            con, options.landing, options.scale, options.seed, options.month, start, end, options.text_formats
        )
        for slug, unit in writers.items():
            rows[slug] = unit.demo(world)
        con.close()
    return DemoSummary(calls, rows, {slug: unit.demo_label for slug, unit in writers.items()})
