"""Pseudonymising end-user identifiers at load: a salted SHA-256 replaces the value before it is stored.

The salt is a secret: it comes only from the environment (``AICOST_PSEUDONYM_SALT``, read by
``pipelines.config.Secrets``), never from a settings file or the repository, and is handed to DuckDB as a
session variable, never inlined into SQL text. The same salt gives the same pseudonym in every source (LiteLLM ``end_user``, the OTel
``enduser.id`` attribute), so end users still join across sources; a new salt gives new pseudonyms.
"""

from __future__ import annotations

import hashlib

SALT_VARIABLE = "aicost_pseudonym_salt"
PREFIX = "u-"


def pseudonym(value: str, salt_value: str) -> str:
    """``u-`` + hex SHA-256 of salt + value (what the SQL expression computes too)."""
    return PREFIX + hashlib.sha256((salt_value + value).encode("utf-8")).hexdigest()


def sql_expression(column_sql: str) -> str:
    """SQL pseudonymising a text column with the session's salt variable (empty values stay as they are)."""
    return (
        f"CASE WHEN {column_sql} IS NULL OR {column_sql} = '' THEN {column_sql} "
        f"ELSE '{PREFIX}' || sha256(getvariable('{SALT_VARIABLE}') || {column_sql}) END"
    )
