"""The FOCUS table passes the FinOps Foundation's focus-validator (FOCUS 1.2, offline), run for real."""

from __future__ import annotations

from pipelines.validate_focus import KNOWN_DEFECTS, validate_focus
from pipelines.warehouse import connect


def test_demo_focus_table_passes_focus_validator(demo_run):
    with connect(demo_run.settings, read_only=True) as con:
        result = validate_focus(con)
        rows = con.execute("SELECT count(*) FROM focus_cost_and_usage").fetchone()[0]

    assert result.rows == rows > 0
    assert result.unexpected_failures == {}
    # The one documented upstream defect (contradictory InvoiceId rules) is the only failure.
    assert set(result.failures) <= KNOWN_DEFECTS
    assert result.passed >= 130


def test_validate_focus_cli_exits_nonzero_on_a_broken_focus_table(demo_run, tmp_path):
    import duckdb

    from orchestration.cli import main

    broken = tmp_path / "broken.duckdb"
    with duckdb.connect(str(broken)) as con:
        con.execute(f"ATTACH '{demo_run.settings.warehouse}' AS demo (READ_ONLY)")
        # A first-party charge whose issuer differs from the provider is a marketplace resale and must be 0.
        con.execute(
            "CREATE TABLE focus_cost_and_usage AS SELECT * REPLACE "
            "(InvoiceIssuerName || ' Resale' AS InvoiceIssuerName) FROM demo.main.focus_cost_and_usage"
        )

    assert main(["validate-focus", "--warehouse", str(broken)]) == 1
