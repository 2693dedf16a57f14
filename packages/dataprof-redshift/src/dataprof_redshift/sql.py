"""Redshift SQL text: the one place identifiers are quoted and read statements are built.

Every name that reaches SQL goes through :func:`quote_identifier`, which writes a
delimited identifier (``"na""me"``) or refuses the name with a
:class:`ConfigurationError` when Redshift could not hold it: empty, longer than 127
bytes of UTF-8, or holding a control or other non-printable character (Redshift's
delimited identifiers take printable UTF-8 only). A refused name is never sent, so
no name can end a statement or open a comment.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from dataprof.errors import ConfigurationError

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "count_statement",
    "quote_identifier",
    "quote_literal",
    "quoted_table",
    "select_statement",
]

MAX_IDENTIFIER_BYTES = 127
"""Redshift's limit on an identifier, in bytes of UTF-8, quotes excluded."""


def identifier_problem(name: str) -> str | None:
    """Why Redshift cannot hold ``name`` as a delimited identifier, or None if it can."""
    if not name:
        return "it is empty"
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if size > MAX_IDENTIFIER_BYTES:
        return f"it is {size} bytes of UTF-8, more than Redshift's {MAX_IDENTIFIER_BYTES}"
    for char in name:
        if unicodedata.category(char).startswith("C"):
            return f"it holds the non-printable character U+{ord(char):04X}"
    return None


def quote_identifier(
    name: str, *, what: str = "column", where: dict[str, str] | None = None
) -> str:
    """``name`` as a Redshift delimited identifier; refuse a name Redshift cannot hold."""
    problem = identifier_problem(name)
    if problem is not None:
        raise ConfigurationError(
            f"The {what} name {name!r} cannot be used in a Redshift statement: {problem}",
            **(where or {}),
            hint=f"rename the {what}, or profile the other columns with --columns",
        )
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a Redshift string literal (quotes doubled, backslashes escaped)."""
    if "\x00" in text:
        raise ValueError("a Redshift string literal cannot hold NUL")
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def quoted_table(schema: str, table: str, where: dict[str, str] | None = None) -> str:
    """``"schema"."table"``."""
    return (
        f"{quote_identifier(schema, what='schema', where=where)}."
        f"{quote_identifier(table, what='table', where=where)}"
    )


def select_statement(
    table_sql: str,
    columns: Sequence[str],
    *,
    limit: int | None = None,
    where: dict[str, str] | None = None,
) -> str:
    """``SELECT "a", "b" FROM table [LIMIT n]``."""
    listed = ", ".join(quote_identifier(c, where=where) for c in columns)
    text = f"SELECT {listed} FROM {table_sql}"
    return text if limit is None else f"{text} LIMIT {int(limit)}"


def count_statement(table_sql: str) -> str:
    return f"SELECT COUNT(*) AS row_count FROM {table_sql}"
