"""Athena (Trino) SQL text: identifiers and literals quoted in one place.

Every name that reaches a statement goes through :func:`quote_identifier` (double
quotes, embedded quotes doubled), every string through :func:`quote_literal`. A
name SQL cannot carry safely (empty, control characters, longer than Athena
allows) is refused with a :class:`ConfigurationError` before any query is sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from dataprof.errors import ConfigurationError

__all__ = ["MAX_IDENTIFIER_LENGTH", "quote_identifier", "quote_literal", "table_reference"]

MAX_IDENTIFIER_LENGTH = 255


def quote_identifier(
    name: str, *, what: str = "identifier", where: Mapping[str, str] | None = None
) -> str:
    """``name`` as a quoted Trino identifier, or a ConfigurationError if it cannot be one."""
    problem = None
    if not name:
        problem = "is empty"
    elif len(name) > MAX_IDENTIFIER_LENGTH:
        problem = f"is longer than {MAX_IDENTIFIER_LENGTH} characters"
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        problem = "holds a control character"
    if problem is not None:
        raise ConfigurationError(
            f"The {what} {name[:60]!r} {problem}; Athena cannot query it",
            **dict(where or {}),
            hint="rename it in the catalog, or leave it out of `columns`",
        )
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a Trino string literal."""
    if "\x00" in text:
        raise ValueError("a NUL character cannot appear in an Athena string literal")
    return "'" + text.replace("'", "''") + "'"


def table_reference(catalog: str, database: str, table: str, where: Mapping[str, str]) -> str:
    """``"catalog"."database"."table"``."""
    return ".".join(
        quote_identifier(part, what=what, where=where)
        for part, what in ((catalog, "catalog"), (database, "database"), (table, "table"))
    )
