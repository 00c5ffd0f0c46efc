"""The test suite: ``unit/`` (no services, seconds) and ``integration/`` (the real pipeline), with what they share.

Shared here: ``conftest.py`` (fixture paths, landing folders laid out like real deliveries, a warehouse per
test, a free port for a server a test starts), ``postgres_server.py`` (a throwaway PostgreSQL for the
LiteLLM database tests), ``fixtures/<slug>/`` (``valid``, ``invalid`` and anonymised ``real`` files) and
``tools/`` (helpers such as the mart digests).

Imports: ``pipelines`` and ``orchestration``; neither of them imports ``tests``.
"""
