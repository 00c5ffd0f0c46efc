"""The dbt docs catalogue of the demo warehouse: every mart column, seed column and macro documented, every
model built, and at least 95% of all built model columns described."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.integration.conftest import run_dbt
from tests.tools.doc_coverage import Coverage, coverage, report

MIN_COLUMN_COVERAGE = 0.95


@pytest.fixture(scope="module")
def docs(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    """Coverage of ``dbt docs generate`` run on a copy of the session's demo warehouse.

    The copy keeps the shared warehouse untouched (dbt opens its database read-write); target and log
    folders are temporary, so neither dbt_project/target nor dbt_project/logs is written.
    """
    root = tmp_path_factory.mktemp("docs")
    warehouse = root / "aicost.duckdb"
    shutil.copyfile(demo_run.settings.warehouse, warehouse)
    settings = replace(demo_run.settings, warehouse=warehouse)
    target = root / "target"
    result = run_dbt(settings, ["docs", "generate"], target)
    assert result.returncode == 0, f"dbt docs generate failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return coverage(Path(target))


def _gaps(docs: Coverage) -> str:
    columns = "\n".join(
        f"{model}: {', '.join(missing)}" for model, missing in sorted(docs.undocumented_columns.items())
    )
    return f"{report(docs)}\nundocumented columns per model:\n{columns or 'none'}"


def test_every_model_of_the_project_is_in_the_catalogue(docs):
    # a model the demo does not build would drop out of the coverage figure unseen
    assert docs.unbuilt_models == [], _gaps(docs)


def test_every_mart_column_is_documented(docs):
    assert docs.undocumented_mart_columns == [], _gaps(docs)


def test_every_seed_column_is_documented(docs):
    assert docs.undocumented_seed_columns == [], _gaps(docs)


def test_every_macro_and_each_of_its_arguments_is_documented(docs):
    assert (docs.undocumented_macros, docs.undocumented_macro_arguments) == ([], []), _gaps(docs)


def test_at_least_95_percent_of_built_model_columns_are_documented(docs):
    assert docs.ratio >= MIN_COLUMN_COVERAGE, _gaps(docs)


def test_no_documented_column_is_missing_from_its_model(docs):
    # a column renamed or dropped in SQL but still described in yml documents nothing
    assert docs.stale_columns == [], _gaps(docs)
