"""The dbt project as Dagster assets.

``project`` is dagster-dbt's ``DbtProject``, its manifest prepared when stale; ``assets`` makes the models,
seeds and tests assets, grouped like the project's folders.

Imports: ``pipelines.config`` (where the dbt project is), ``orchestration.defs.resources`` (the warehouse
resource), Dagster and dagster-dbt.
"""
