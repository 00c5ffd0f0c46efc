from pathlib import Path

import pytest

from pipelines.config import Settings


def test_flags_beat_environment_beat_file(tmp_path, monkeypatch):
    config = tmp_path / "aicost.toml"
    config.write_text('[aicost]\nlanding = "from-file"\nwarehouse = "file.duckdb"\nexports_dir = "file-exports"\n')
    monkeypatch.setenv("AICOST_WAREHOUSE", "env.duckdb")

    settings = Settings.load(config_file=config, landing="from-flag", warehouse=None)

    assert settings.landing == "from-flag"
    assert settings.warehouse == Path("env.duckdb")
    assert settings.exports_dir == Path("file-exports")


def test_unknown_setting_is_an_error(tmp_path):
    config = tmp_path / "aicost.toml"
    config.write_text('[aicost]\nlandng = "typo"\n')

    with pytest.raises(ValueError, match="unknown setting"):
        Settings.load(config_file=config)
