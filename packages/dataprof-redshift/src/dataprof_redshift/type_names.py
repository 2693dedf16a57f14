"""Redshift type names (``ColumnMetadata.typeName``) as Arrow types, and back as the
names a profile declares.

The Data API names types the way ``pg_type`` does (``int8``, ``numeric``, ``bpchar``,
``timestamptz``), with precision, scale and length beside them. Each becomes the Arrow
type that holds every value exactly: ``numeric(p,s)`` is ``decimal128(p, s)`` (the
API sends it as text, never through a float), ``timestamptz`` a UTC microsecond
timestamp. Types with no exact Arrow counterpart (``super``, ``timetz``, intervals,
spatial types, ``varbyte``) are read as their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ColumnType", "column_type"]

_ALIASES = {
    "smallint": "int2",
    "integer": "int4",
    "int": "int4",
    "bigint": "int8",
    "real": "float4",
    "float": "float8",
    "double precision": "float8",
    "decimal": "numeric",
    "boolean": "bool",
    "character varying": "varchar",
    "nvarchar": "varchar",
    "text": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "nchar": "bpchar",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
}

# typeName -> (Field member the Data API fills, how the value becomes Arrow)
_FIELD: dict[str, str] = {
    "int2": "longValue",
    "int4": "longValue",
    "int8": "longValue",
    "float4": "doubleValue",
    "float8": "doubleValue",
    "bool": "booleanValue",
}


@dataclass(frozen=True)
class ColumnType:
    """One column's type as the Data API reported it, and how to read its values."""

    type_name: str
    """Normalized ``pg_type`` name (``int8``, ``numeric``, ``varchar``...)."""
    arrow: pa.DataType
    declared: str
    """The name a profile shows: ``numeric(10,2)``, ``varchar(256)``, ``timestamptz``."""
    field: str
    """The member of a result ``Field`` holding the value (``longValue``, ``stringValue``...)."""

    @property
    def parse(self) -> str:
        """How a text value becomes Arrow: ``cast``, ``time`` or ``none`` (kept as text)."""
        import pyarrow as pa

        if self.field != "stringValue" or pa.types.is_string(self.arrow):
            return "none"
        return "time" if pa.types.is_time(self.arrow) else "cast"


def column_type(metadata: dict[str, Any]) -> ColumnType:
    """The :class:`ColumnType` of one ``ColumnMetadata`` entry (DescribeTable's or
    GetStatementResult's: both carry ``typeName``, ``precision``, ``scale``, ``length``)."""
    import pyarrow as pa

    raw = str(metadata.get("typeName") or "varchar").strip().lower()
    base = raw.split("(")[0].strip()
    name = _ALIASES.get(base, base)
    precision = int(metadata.get("precision") or 0)
    scale = int(metadata.get("scale") or 0)
    length = int(metadata.get("length") or 0)
    field = _FIELD.get(name, "stringValue")
    arrow: pa.DataType
    declared = name
    if name == "int2":
        arrow = pa.int16()
    elif name == "int4":
        arrow = pa.int32()
    elif name == "int8":
        arrow = pa.int64()
    elif name == "float4":
        arrow = pa.float32()
    elif name == "float8":
        arrow = pa.float64()
    elif name == "bool":
        arrow = pa.bool_()
    elif name == "numeric":
        # An unconstrained numeric (an expression's type) reports no precision: the widest.
        if not 0 < precision <= 38:
            precision, scale = 38, max(0, min(scale, 37))
        arrow = pa.decimal128(precision, scale)
        declared = f"numeric({precision},{scale})"
    elif name == "date":
        arrow = pa.date32()
    elif name == "timestamp":
        arrow = pa.timestamp("us")
    elif name == "timestamptz":
        arrow = pa.timestamp("us", tz="UTC")
    elif name == "time":
        arrow = pa.time64("us")
    else:
        arrow = pa.string()
        if name in {"varchar", "bpchar"} and length > 0:
            declared = f"{name}({length})"
    return ColumnType(type_name=name, arrow=arrow, declared=declared, field=field)
