"""The one idempotent load path: landing files -> ``raw_<slug>.*`` tables, recorded in ``raw._loads``.

Owns the loader (``loader``: deliveries, replacement, quarantine, removal), the checks of a batch's new rows
(``verify``: row rules, manifest row counts, request-id repeats, drift, row counts and periods), the readers
turning a file into a typed SELECT (``readers``), the raw-table contracts (``contracts``), the load
manifest (``manifest``), overlapping bill exports (``overlaps``), schema drift (``drift``), end-user
pseudonyms (``pseudonyms``) and the error a bad file raises (``errors``).

Imports: ``contracts``, ``errors``, ``drift`` and ``pseudonyms`` import nothing of the project. ``loader``,
``verify``, ``readers`` and ``manifest`` may import ``pipelines.landing`` and ``pipelines.sources.base`` (the interface a
source implements, and its column maps); nothing here imports a source package or the registry (the
source to load is passed in), ``pipelines.config`` (the options come in as ``sources.base.LoadOptions``) or
``orchestration``. Source packages import ``contracts``, ``errors``, ``readers``, ``manifest`` and
``pseudonyms``; only the orchestration, the bench and tests call the loader.
"""
