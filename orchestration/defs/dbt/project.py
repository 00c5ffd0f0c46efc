"""The dbt project as Dagster sees it: its manifest, parsed on demand when sources changed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, PROJECT_ROOT, dbt_executable

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
_INPUTS = ("models", "macros", "tests", "dbt_project.yml", "profiles.yml")


def _newest_input() -> float:
    paths = [DBT_PROJECT_DIR / p for p in _INPUTS] + [PROJECT_ROOT / "seeds"]
    newest = 0.0
    for path in paths:
        files = [path] if path.is_file() else list(path.rglob("*")) if path.is_dir() else []
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def ensure_manifest() -> Path:
    """Returns the dbt manifest, running ``dbt parse`` first when it is missing or older than the project.

    Returns:
        Path of ``manifest.json``.
    """
    if MANIFEST.is_file() and MANIFEST.stat().st_mtime >= _newest_input():
        return MANIFEST
    dbt = dbt_executable()
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    env.setdefault("AICOST_WAREHOUSE", str(PROJECT_ROOT / "warehouse" / "aicost.duckdb"))
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        check=True,
        env=env,
        cwd=DBT_PROJECT_DIR,
    )
    return MANIFEST
