"""The warehouse's Dagster instance: one per warehouse, under ``<warehouse folder>/dagster``.

`aicost run`, `aicost demo` and `aicost ui` (`make ui`) all use it, so the Dagster UI shows every run of
that warehouse (history, asset materialisations, check results), whether started from the command line, the
UI or the nightly schedule. Storage is Dagster's default (SQLite files in the folder); ``dagster.yaml`` only
turns telemetry off.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

from pipelines.config import Settings

_DAGSTER_YAML = (
    "# The Dagster instance of this warehouse (aicost: orchestration/instance.py).\ntelemetry:\n  enabled: false\n"
)


def dagster_home(settings: Settings) -> Path:
    """The instance folder of the configured warehouse (``DAGSTER_HOME``), created with its ``dagster.yaml``."""
    home = (settings.warehouse.parent / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.is_file():
        config.write_text(_DAGSTER_YAML, encoding="utf-8")
    return home


def open_instance(settings: Settings) -> dg.DagsterInstance:
    """The warehouse's persistent Dagster instance (close it, or use it as a context manager)."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home(settings))))
