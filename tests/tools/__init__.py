"""Tools the tests use and developers run by hand: mart digests (``mart_digest``) and documentation
coverage (``doc_coverage``) of a built warehouse. They import only the standard library and DuckDB.
"""
