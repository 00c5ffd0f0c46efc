"""Plain-Python ingestion and warehouse functions: everything the pipeline does, with no Dagster in it.

Owns the settings (``config``: every setting declared once, secrets read only there), where files come from
(``landing``), the one load path (``load``), one package per source (``sources/<slug>``, listed by
``sources.registry``), the dated price catalogue (``pricing``), the Admin API pulls (``pull``), the demo
data (``demo``) and the warehouse functions that need no orchestrator: ``warehouse`` (connections),
``runlock``, ``reconcile``, ``summary``, ``export``, ``validate_focus`` and ``bench``.

Imports: ``pipelines`` imports nothing from ``orchestration`` (nor from ``tests``) and never imports Dagster;
``orchestration`` imports it. Inside, ``config``, ``export`` and ``runlock`` import nothing of the project;
outside ``sources/`` only ``sources.registry`` names a source package, and what needs every source
(``reconcile``, ``bench``, the demo, the CLI and the Dagster definitions) goes through it.
"""
