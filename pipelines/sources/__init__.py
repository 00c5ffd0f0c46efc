"""The sources: one package per source (``<slug>/``), the modules they share, and the registry listing them.

Shared modules: ``base`` (what a source provides: a reader for the loader and a ``SourceUnit``), ``files``
(sources whose partition is a file), ``api_pages`` (Admin API pages parsed into exact decimals) and
``focus_contract`` (the raw contract every FOCUS export loads into). ``registry`` lists the units.

Imports: a source package may import the shared modules above, ``pipelines.load`` (``contracts``,
``errors``, ``readers``, ``manifest``, ``pseudonyms``; never ``loader``), ``pipelines.landing``,
``pipelines.pull.admin_api`` (its ``pull`` module), ``pipelines.config`` (its pull's settings and secrets
only) and, in its ``demo`` module only, ``pipelines.demo.world`` and ``pipelines.demo.org``. It never imports
the registry or ``orchestration``, and another source only where one format is a variant of another
(``aws_focus`` reuses ``aws_cur``'s delivery reader). Outside the source packages only the registry
(and tests) names one; everything else iterates over ``registry.SOURCES``.
"""
