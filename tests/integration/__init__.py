"""Integration tests: the real pipeline (load, dbt build, Dagster checks) end to end, the Dagster code location,
the fault matrix, and the services a source reads from: S3 (moto), BigQuery (the local emulator), the
LiteLLM PostgreSQL database, the Admin APIs (a local HTTP server) and the FinOps focus-validator.

Imports: ``pipelines``, ``orchestration`` (``run.run_pipeline``, ``cli.main``, ``definitions``, ``defs.resources``), the helpers of
``tests.conftest`` and ``tests.integration.conftest`` (one small demo, run once per session),
``tests.postgres_server`` and ``tests.tools``; never ``tests.unit``.
"""
