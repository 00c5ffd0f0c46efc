"""CLI behaviour that needs no pipeline run: clear errors and exit codes."""

import duckdb
import pytest

from orchestration.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from tests.unit.test_close import restated, write_warehouse


def test_missing_landing_folder_is_a_clear_usage_error(tmp_path, capsys):
    code = main(["run", "--landing", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")])

    assert code == EXIT_USAGE
    assert "nowhere' is not a folder" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


def test_unsupported_landing_scheme_says_so(tmp_path, capsys):
    code = main(["run", "--landing", "gs://bucket/prefix", "--warehouse", str(tmp_path / "w.duckdb")])

    assert code == EXIT_USAGE
    assert "the gs:// scheme is not supported; use a local folder or s3://bucket/prefix" in capsys.readouterr().err


def test_export_without_a_warehouse_is_a_clear_error(tmp_path, capsys):
    code = main(["export", "chargeback", "--month", "2026-10", "--warehouse", str(tmp_path / "missing.duckdb")])

    assert code == EXIT_FAILED
    assert "no warehouse at" in capsys.readouterr().err


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """A synthetic warehouse (tests/unit/test_close.py), with exports under the test's own folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AICOST_CONFIG", raising=False)
    monkeypatch.setenv("AICOST_EXPORTS", str(tmp_path / "exports"))
    path = tmp_path / "aicost.duckdb"
    write_warehouse(path)
    return path


@pytest.mark.parametrize("month", ["2026-13", "oct", "2026-1", "26-10"])
@pytest.mark.parametrize("command", [["export", "chargeback"], ["close"]])
def test_an_impossible_month_is_a_usage_error_naming_it(tmp_path, capsys, command, month):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--month", month, "--warehouse", str(tmp_path / "w.duckdb")])

    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"argument --month: invalid billing month {month!r}: expected YYYY-MM" in err


def test_export_of_a_valid_month_without_charges_fails_with_1(warehouse, capsys):
    code = main(["export", "chargeback", "--month", "2026-08", "--warehouse", str(warehouse)])

    assert code == EXIT_FAILED
    assert "no charges for billing period 2026-08" in capsys.readouterr().err


def test_export_writes_the_default_path_and_refuses_to_replace_another_file_without_force(warehouse, tmp_path, capsys):
    argv = ["export", "chargeback", "--month", "2026-10", "--warehouse", str(warehouse)]
    default = tmp_path / "exports" / "chargeback_2026-10.csv"

    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out.startswith(f"Wrote {default}: 5 rows; billed total EUR 25.005")
    assert main(argv) == EXIT_OK  # the same contents again: nothing to refuse
    assert "Unchanged" in capsys.readouterr().out

    default.write_text("an earlier export\n")
    assert main(argv) == EXIT_FAILED
    assert "pass --force to replace it" in capsys.readouterr().err
    assert default.read_text() == "an earlier export\n"
    assert main([*argv, "--force"]) == EXIT_OK
    assert default.read_text().startswith("billing_period,")


def test_export_options_name_their_default_file(warehouse, tmp_path, capsys):
    options = ["--basis", "effective", "--format", "parquet", "--cost-centre", "CC-100", "--cost-centre", "CC-200"]

    code = main(["export", "chargeback", "--month", "2026-10", *options, "--warehouse", str(warehouse)])

    assert code == EXIT_OK
    assert (tmp_path / "exports" / "chargeback_2026-10_effective_CC-100_CC-200.parquet").is_file()
    assert "3 rows; effective total EUR 15.002500000000, USD 85.105000000004" in capsys.readouterr().out


def test_export_of_an_unknown_cost_centre_names_it(warehouse, capsys):
    code = main(["export", "chargeback", "--month", "2026-10", "--cost-centre", "CC-9", "--warehouse", str(warehouse)])

    assert code == EXIT_FAILED
    assert "cost centre CC-9 has no charges in 2026-10" in capsys.readouterr().err


def test_export_of_a_closed_version_copies_the_published_file(warehouse, tmp_path, capsys):
    assert main(["close", "--month", "2026-10", "--warehouse", str(warehouse)]) == EXIT_OK
    published = tmp_path / "exports" / "closed" / "2026-10" / "v1"
    write_warehouse(warehouse, restated())  # the live mart moves on; v1 does not

    for fmt in ("csv", "parquet"):
        out = tmp_path / f"v1.{fmt}"
        code = main(
            ["export", "chargeback", "--month", "2026-10", "--version", "1", "--format", fmt, "--out", str(out)]
        )
        assert code == EXIT_OK
        assert out.read_bytes() == (published / f"chargeback_2026-10_v1.{fmt}").read_bytes()
    assert "closed v1 of 2026-10 (billed basis" in capsys.readouterr().out


def test_export_of_a_version_never_closed_fails_naming_the_versions(warehouse, capsys):
    code = main(["export", "chargeback", "--month", "2026-10", "--version", "2", "--warehouse", str(warehouse)])

    assert code == EXIT_FAILED
    assert "2026-10 has no closed version v2 (closed versions: none)" in capsys.readouterr().err


def test_version_and_cost_centre_together_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["export", "chargeback", "--month", "2026-10", "--version", "1", "--cost-centre", "CC-1"])

    assert exited.value.code == EXIT_USAGE
    assert "not allowed with argument" in capsys.readouterr().err


def test_close_then_restatement_then_list(warehouse, capsys):
    argv = ["close", "--month", "2026-10", "--warehouse", str(warehouse)]

    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out.startswith("Closed 2026-10 as v1 (billed basis): ")
    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out.startswith("2026-10 already closed as v1; nothing changed")
    write_warehouse(warehouse, restated())
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Closed 2026-10 as v2 (billed basis): ")
    assert "diff_from_v1.csv: what moved per cost centre since v1; 1 input load(s) added, replaced or removed" in out
    assert main(["close", "--list"]) == EXIT_OK
    assert [line.split("  ")[0] for line in capsys.readouterr().out.splitlines()] == ["2026-10 v1", "2026-10 v2"]


def test_close_without_a_month_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["close"])

    assert exited.value.code == EXIT_USAGE
    assert "--month" in capsys.readouterr().err


def test_a_warehouse_without_the_marts_says_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()

    code = main(["close", "--month", "2026-10", "--warehouse", str(tmp_path / "empty.duckdb")])

    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert "rpt_chargeback_monthly does not exist" in err and "`aicost run`" in err
    assert not (tmp_path / "exports").exists()
