"""The demo company: one deterministic month of model calls that every source's demo writer turns into files.

Owns the organisation (``org``: models, workloads, accounts), the calls table every writer reads
(``world``) and ``generate``, which builds the world and runs each registered source's writer.

Imports: ``pipelines.sources.registry`` (``generate`` only, to find the writers); ``org`` and ``world`` import
nothing of the project, so source packages may import ``world`` without a cycle. No ``orchestration``.
"""
