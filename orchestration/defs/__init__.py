"""The Dagster definitions, one module per kind, each over plain functions of ``pipelines``.

``sources`` generates every source's load assets, checks, refresh jobs and landing sensors from the source
registry; ``prices`` is the price-catalogue asset; ``checks`` the invariants that guard a run;
``resources`` the warehouse and dbt resources every asset shares; ``schedules`` the nightly job and its
schedule; ``dbt/`` the dbt assets. ``orchestration.definitions`` assembles them.

Imports: ``pipelines`` (never a source package by name: the registry), Dagster and dagster-dbt, and
``defs.resources`` from its siblings; nothing from ``orchestration.cli``, ``run`` or ``definitions``.
"""
