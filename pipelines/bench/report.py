"""The benchmark's targets (from the issue), its one table and its JSON record."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.bench.measure import Measured

NOOP_TARGET_SECONDS = 5.0
NEXT_DAY_SHARE_OF_COLD = 0.05
PEAK_TARGET_MB = 4096

# aicost run's exit codes that mean it completed (2: a check failed, the run itself did its work)
COMPLETED = (0, 2)


@dataclass
class Row:
    """One line of the table.

    Attributes:
        label: What ran.
        measured: How it ran.
        rows: What it processed, in words ("1,234 CUR lines").
        target: The target in words, empty for reference figures.
        met: Whether the target was met (None: no target, or it did not complete).
        is_run: Whether this is an ``aicost run`` (its exit code is shown and its peak checked).
    """

    label: str
    measured: Measured
    rows: str = ""
    target: str = ""
    met: bool | None = None
    is_run: bool = True
    extra: dict = field(default_factory=dict)


def exit_text(row: Row) -> str:
    """The exit status in words: ``ok``, ``check failed (2)``, ``FAILED (n)`` or ``timed out``."""
    m = row.measured
    if m.timed_out:
        return "TIMED OUT"
    if m.exit_code == 0:
        return "ok"
    if row.is_run and m.exit_code == 2:
        return "check failed (2)"
    return f"FAILED ({m.exit_code})"


def completed(row: Row) -> bool:
    """Whether the command did its work (for ``aicost run``: exit 0, or 2 when only a check failed)."""
    return not row.measured.timed_out and row.measured.exit_code in (COMPLETED if row.is_run else (0,))


def table(rows: list[Row]) -> str:
    """The figures as one plain-text table, targets beside them."""
    header = f"{'':<44} {'wall s':>8} {'peak MB':>8}  {'exit':<16} {'target':<44} {'met':<4} processed"
    lines = [header, "-" * len(header)]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "NO")
        lines.append(
            f"{row.label:<44} {row.measured.seconds:>8.1f} {row.measured.peak_mb:>8,.0f}  {exit_text(row):<16} "
            f"{row.target:<44} {met:<4} {row.rows}"
        )
    return "\n".join(lines)


def write_json(path: Path, scale: float, rows: list[Row], context: dict) -> None:
    """Writes the figures (and what the run was made of) as JSON."""
    record = {
        "scale": scale,
        **context,
        "rows": [{**asdict(r), "exit": exit_text(r)} for r in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
