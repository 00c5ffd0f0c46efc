"""`aicost docs` (`make docs`): the dbt docs catalogue, built for the warehouse and served on localhost.

Browsers refuse to let the catalogue's ``index.html`` read ``manifest.json`` and ``catalog.json`` from disk,
so it is served over HTTP on 127.0.0.1 only. It is built in its own folder
(``<warehouse folder>/dbt_docs``), never the runs' dbt folder, so serving docs never disturbs a run's
artifacts or its partial parse.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines.config import DBT_PROJECT_DIR, Settings, dbt_executable


class DocsError(Exception):
    """The catalogue could not be built; ``str()`` says why in one line."""


def docs_folder(settings: Settings) -> Path:
    """Where the catalogue of a warehouse is built."""
    return settings.warehouse.resolve().parent / "dbt_docs"


def build_docs(settings: Settings) -> Path:
    """Runs ``dbt docs generate`` on the warehouse into ``docs_folder``.

    The models are not compiled (``--no-compile``): the catalogue needs the warehouse's relations and the
    project's documentation, and compiling would run the incremental models' queries for nothing.

    Args:
        settings: The warehouse (and the dbt vars its runs use).

    Returns:
        The folder holding ``index.html``, ``manifest.json`` and ``catalog.json``.

    Raises:
        DocsError: When dbt fails (e.g. no warehouse yet, or a run holds it).
    """
    folder = docs_folder(settings)
    if not settings.warehouse.is_file():
        raise DocsError(f"no warehouse at {settings.warehouse}: run `aicost run` (or `make demo`) first")
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(dbt_executable()),
        "docs",
        "generate",
        "--no-compile",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(folder),
        "--log-path",
        str(folder),
        "--vars",
        json.dumps(settings.dbt_vars(), sort_keys=True),
    ]
    env = {**os.environ, **settings.dbt_env()}
    result = subprocess.run(cmd, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (folder / "catalog.json").is_file():
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        detail = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else "no output")
        raise DocsError(f"dbt docs generate failed ({detail.strip()}); see {folder / 'dbt.log'}")
    return folder


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without a line on stderr per request."""

    def log_message(self, format: str, *args: object) -> None:
        """Nothing: the catalogue makes a handful of requests per page view."""


def serve_docs(folder: Path, port: int, announce: Callable[[str], None] = print) -> None:
    """Serves ``folder`` on http://127.0.0.1:<port> until interrupted.

    Args:
        folder: The built catalogue.
        port: The port (0 picks a free one).
        announce: Called once with the URL, when the server is listening.

    Raises:
        OSError: When the port cannot be bound (in use, not permitted).
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        announce(f"http://127.0.0.1:{server.server_address[1]}/")
        server.serve_forever()
