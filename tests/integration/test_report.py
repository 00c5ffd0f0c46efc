"""The demo month's report opened in headless Chromium (Debian's package): every chart drawn, offline, no errors."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import duckdb
import pytest

from pipelines.report import write_report
from tests.integration.conftest import DEMO_MONTH

CHARTS = [
    "chart-spend-provider",
    "chart-spend-team",
    "chart-spend-model",
    "chart-anomalies",
    "chart-chargeback",
    "chart-cost-per-outcome",
    "chart-unit-costs",
    "chart-budget-burndown",
    "chart-opportunities",
]
# What works in a container as root without a GPU; no background traffic of Chromium's own.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RENDERED = """() => Array.from(document.querySelectorAll('div.chart')).map(el => ({
    id: el.id,
    svgs: el.querySelectorAll('.main-svg').length,
    traces: (el.data || []).length,
    points: (el.data || []).reduce((n, t) => n + ((t.x || []).length || (t.y || []).length), 0),
    drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
    marks: el.querySelectorAll('.scatterlayer path, .barlayer path').length,
}))"""


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.fail(
            "Chromium is missing: install Debian's chromium package (apt-get install chromium); .ci/run does this"
        )
    return found


def png_pixels_vary(png: bytes) -> bool:
    """Whether a PNG (8-bit RGB/RGBA, as Chromium writes) has more than one colour: not a blank page."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    data, offset = b"", 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw = zlib.decompress(data)
    # filtered scanlines: a blank page's rows are identical after the filter byte, so few distinct rows
    stride = 1 + width * (3 if colour == 2 else 4)
    rows = {raw[i * stride + 1 : (i + 1) * stride] for i in range(height)}
    return len(rows) > 10


def test_report_renders_every_chart_in_headless_chromium(demo_run, tmp_path):
    from playwright.sync_api import sync_playwright

    browser_path = chromium()
    assert demo_run.outcome.success, "the demo pipeline failed (see test_end_to_end): no warehouse to report on"
    con = duckdb.connect(str(demo_run.settings.warehouse), read_only=True)
    try:
        report = write_report(con, DEMO_MONTH, tmp_path / "report.html")
    finally:
        con.close()
    text = report.read_text()
    assert 'class="no-data"' not in text, "a panel of the demo report has no data"

    console: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            )
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('div.chart .main-svg').length > 0 && "
                "Array.from(document.querySelectorAll('div.chart')).every(el => el._fullLayout)",
                timeout=30_000,
            )
            rendered = page.evaluate(RENDERED)
            screenshot = tmp_path / "report.png"
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    assert [c["id"] for c in rendered] == CHARTS
    for chart in rendered:
        assert chart["svgs"] > 0, chart
        assert chart["traces"] > 0 and chart["points"] > 0, chart
        assert chart["drawn"] >= 1 and chart["marks"] > 0, chart
    assert console == []
    assert requests == [report.resolve().as_uri()]  # the file itself, nothing from the network
    png = screenshot.read_bytes()
    assert len(png) > 50_000
    assert png_pixels_vary(png)
