"""Unit tests: each source's parser and contract, the loader, settings, the CLI's errors and exit codes, the
price catalogue and the chargeback cents; ``make test-unit`` runs them alone, in seconds.

They need no service, no dbt build and no Dagster run; a test that needs a warehouse loads fixture files
into a DuckDB file of its own (``tmp_path``). Imports: ``pipelines``, ``orchestration.cli`` (errors that
stop before any run) and the helpers of ``tests.conftest``; never ``tests.integration``.
"""
