"""CLI behaviour that needs no pipeline run: clear errors and exit codes."""

from orchestration.cli import EXIT_FAILED, EXIT_USAGE, main


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
