"""The dbt project as Dagster sees it (dagster-dbt's ``DbtProject``), prepared when its manifest is stale.

dagster-dbt's preparer parses the project (``dbt parse``) into ``target/manifest.json``; ``dagster dev``
does so on every start (``prepare_if_dev``). The CLI and tests have no such step, so the manifest is also
prepared whenever it is missing or older than the project's files (models, macros, tests, seeds, config).
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.config import DBT_PROJECT_DIR, PROJECT_ROOT

_INPUTS = ("models", "macros", "tests", "dbt_project.yml", "profiles.yml")


# dagster-dbt's preparer runs `dbt parse` with the dbt on PATH: this virtualenv's (see orchestration/__init__).
DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, prepare_project_cli_args=["parse", "--quiet"]
)


def _newest_input() -> float:
    paths = [DBT_PROJECT_DIR / p for p in _INPUTS] + [PROJECT_ROOT / "seeds"]
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else list(path.rglob("*")) if path.is_dir() else []
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def prepared_manifest() -> Path:
    """The project's manifest, prepared by dagster-dbt's preparer when missing or older than the project."""
    DBT_PROJECT.prepare_if_dev()
    manifest = DBT_PROJECT.manifest_path
    if not manifest.is_file() or manifest.stat().st_mtime < _newest_input():
        DBT_PROJECT.preparer.prepare(DBT_PROJECT)
    return manifest
