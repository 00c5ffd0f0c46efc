"""The dbt unit tests (``given``/``expect`` beside the models), which the nightly run leaves out.

They test the models' SQL on fixed inputs, not the data, so `aicost run` excludes them
(``orchestration.defs.dbt.assets.NIGHTLY_EXCLUDE``) and they run here instead, on a copy of the session's
demo warehouse (dbt needs the models' upstream relations to exist to type the fixtures).
"""

from __future__ import annotations

import json
import shutil

from orchestration.defs.dbt.assets import NIGHTLY_EXCLUDE
from pipelines.config import Settings
from tests.integration.conftest import run_dbt


def test_every_dbt_unit_test_passes(demo_run, tmp_path):
    assert NIGHTLY_EXCLUDE == "resource_type:unit_test"
    warehouse = tmp_path / "wh" / "aicost.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(demo_run.settings.warehouse, warehouse)
    settings = Settings(landing=demo_run.settings.landing, warehouse=warehouse)
    target = tmp_path / "target"
    done = run_dbt(settings, ["test", "--select", NIGHTLY_EXCLUDE], target)
    # The project's on-run-start hooks run too; only the unit tests' results count here.
    results = [
        r
        for r in json.loads((target / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("unit_test.")
    ]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert done.returncode == 0 and not failed, done.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    unit_tests = set(manifest["unit_tests"])
    assert {r["unique_id"] for r in results} == unit_tests
    assert len(unit_tests) > 60
