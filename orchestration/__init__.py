"""Orchestration: the Dagster code location, the `aicost` command and the in-process run of the Dagster job.

May import ``pipelines``; ``pipelines`` never imports this package. ``definitions.py`` only assembles what
``defs/`` defines: the source loads, checks and sensors generated from the source registry
(``defs/sources.py``), the price catalogue, the dbt assets, the nightly job and its schedule.

Imports: ``pipelines`` and Dagster; never ``tests``. Inside, ``defs`` imports nothing from ``cli``, ``run``
or ``definitions``; ``definitions`` imports ``defs``; ``run`` loads ``definitions`` when a run starts, and
``cli`` loads ``run`` only in the commands that run the pipeline (the others start without Dagster).
``dbt_child`` (the ``aicost-dbt`` wrapper) imports nothing of the project. Beside ``run``: ``instance`` (the
warehouse's persistent Dagster instance), ``runlog`` (each run's timestamped log file), ``progress`` (the
terminal's progress lines; the dbt asset reports to it) and ``docs`` (`aicost docs`).
"""

import os
import sys
from pathlib import Path

# dbt and its wrapper live beside this interpreter; dagster-dbt finds dbt on PATH, so put this virtualenv's
# scripts first even when `aicost` was started without activating it.
_SCRIPTS = str(Path(sys.executable).parent)
if _SCRIPTS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _SCRIPTS + os.pathsep + os.environ.get("PATH", "")
