"""`aicost report`: one self-contained HTML file of charts over the warehouse marts for a month."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.report.assemble import build_page
from pipelines.report.page import render

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def render_report(con: duckdb.DuckDBPyConnection, month: str) -> str:
    """The report of `month` as one HTML document (Plotly's JavaScript inline, no external resources).

    Args:
        con: Warehouse connection (read-only is enough).
        month: Billing period, 'YYYY-MM'.

    Returns:
        The HTML text.

    Raises:
        ValueError: The month is not 'YYYY-MM'.
    """
    if not MONTH.match(month):
        raise ValueError(f"month must be YYYY-MM, got {month!r}")
    return render(build_page(con, month))


def write_report(con: duckdb.DuckDBPyConnection, month: str, path: Path) -> Path:
    """Write the report of `month` to `path` (parent folders created).

    Args:
        con: Warehouse connection (read-only is enough).
        month: Billing period, 'YYYY-MM'.
        path: The HTML file to write.

    Returns:
        The path written.
    """
    text = render_report(con, month)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
