"""Families of type names, so rules can ask "is this text?" whatever the engine calls it.

Declared types arrive in each engine's own words (Arrow's ``large_string`` and
``timestamp[us, tz=UTC]``, Redshift's ``character varying(256)``, Iceberg's
``timestamptz``) and inferred types in the engine's vocabulary (``integer``,
``email``, ``categorical``). Rules only need the family.
"""

from __future__ import annotations

import enum
import re

__all__ = ["TypeFamily", "type_family"]


class TypeFamily(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    TIMESTAMP = "timestamp"
    DATE = "date"
    TIME = "time"
    BINARY = "binary"
    OTHER = "other"

    @property
    def numeric(self) -> bool:
        return self in {TypeFamily.INTEGER, TypeFamily.FLOAT, TypeFamily.DECIMAL}

    @property
    def temporal(self) -> bool:
        return self in {TypeFamily.TIMESTAMP, TypeFamily.DATE}


# Order matters: the first pattern that matches the start of the lowered name wins.
_PATTERNS: list[tuple[re.Pattern[str], TypeFamily]] = [
    (
        re.compile(r"^(large_)?(string|utf8|text|varchar|char|character|nvarchar|bpchar|str\b)"),
        TypeFamily.TEXT,
    ),
    (re.compile(r"^(large_)?(binary|varbinary|bytes|bytea|fixed)"), TypeFamily.BINARY),
    (re.compile(r"^(bool|boolean)\b"), TypeFamily.BOOLEAN),
    (re.compile(r"^(timestamp|datetime|timestamptz)"), TypeFamily.TIMESTAMP),
    (re.compile(r"^date"), TypeFamily.DATE),
    (re.compile(r"^time"), TypeFamily.TIME),
    (re.compile(r"^(decimal|numeric)"), TypeFamily.DECIMAL),
    (re.compile(r"^(u?int\d*|integer|bigint|smallint|tinyint|long|short)\b"), TypeFamily.INTEGER),
    (re.compile(r"^(float|double|real|halffloat|number)"), TypeFamily.FLOAT),
]


def type_family(name: str | None) -> TypeFamily:
    """The family a declared or inferred type name belongs to (``OTHER`` when unsure)."""
    if not name:
        return TypeFamily.OTHER
    lowered = name.strip().lower()
    for pattern, family in _PATTERNS:
        if pattern.match(lowered):
            return family
    return TypeFamily.OTHER
