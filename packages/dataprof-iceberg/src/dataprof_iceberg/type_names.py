"""Iceberg types as the names `dataprof schema` shows, and the field ids behind them.

PyIceberg's own ``str`` of a struct embeds field ids and optionality
(``struct<1: a: optional int>``), which reads badly in a schema listing; the
profile shows Iceberg's spec names (``decimal(10, 2)``, ``timestamptz``,
``list<string>``, ``map<string, int>``, ``struct<lat: double, lon: double>``) and
keeps the field ids in a separate mapping so history can follow a column across
renames: the id stays, the name changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyiceberg.types import IcebergType, ListType, MapType, StructType

from dataprof_iceberg.statistics import leaf_fields

if TYPE_CHECKING:
    from pyiceberg.schema import Schema

__all__ = ["field_ids_by_name", "type_name"]


def type_name(kind: IcebergType) -> str:
    """The Iceberg spec name of ``kind``, nested types spelled out."""
    if isinstance(kind, StructType):
        inner = ", ".join(f"{f.name}: {type_name(f.field_type)}" for f in kind.fields)
        return f"struct<{inner}>"
    if isinstance(kind, ListType):
        return f"list<{type_name(kind.element_type)}>"
    if isinstance(kind, MapType):
        return f"map<{type_name(kind.key_type)}, {type_name(kind.value_type)}>"
    return str(kind)


def field_ids_by_name(schema: Schema) -> dict[str, int]:
    """Every field's Iceberg id: top-level columns by name, nested ones by dotted
    name (``pickup.lat``, ``tags.element``)."""
    ids = {f.name: f.field_id for f in schema.fields}
    for leaf in leaf_fields(schema):
        ids.setdefault(leaf.name, leaf.field.field_id)
    return ids
