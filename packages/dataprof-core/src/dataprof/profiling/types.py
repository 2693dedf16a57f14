"""Which accumulator an Arrow type gets, and how its values look in a profile.

Every Arrow type lands in one :class:`Kind`; a type no kind covers becomes
``UNSUPPORTED`` with a reason, so nothing is skipped silently. Temporal values
are profiled as their integer epoch units (exact min, max and sum, no float
rounding) and turned back into dates, times and timestamps only when a profile
is rendered (:func:`render_values`).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "Kind",
    "flatten_fields",
    "kind_of",
    "render_values",
    "storage_type",
    "unit_seconds",
]


class Kind(enum.StrEnum):
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    TEMPORAL = "temporal"
    STRING = "string"
    BINARY = "binary"
    BOOLEAN = "boolean"
    LIST = "list"
    STRUCT = "struct"
    NULL = "null"
    UNSUPPORTED = "unsupported"


def storage_type(data_type: pa.DataType) -> pa.DataType:
    """The type the engine profiles: dictionary values, extension storage."""
    import pyarrow as pa

    while True:
        if pa.types.is_dictionary(data_type):
            data_type = data_type.value_type
        elif isinstance(data_type, pa.BaseExtensionType):
            data_type = data_type.storage_type
        elif pa.types.is_run_end_encoded(data_type):
            data_type = data_type.value_type
        else:
            return data_type


def flatten_fields(schema: pa.Schema) -> list[tuple[str, pa.Field]]:
    """Every column with struct fields as their own dotted columns, parents first."""
    import pyarrow as pa

    out: list[tuple[str, pa.Field]] = []

    def walk(name: str, field: pa.Field) -> None:
        out.append((name, field))
        plain = storage_type(field.type)
        if pa.types.is_struct(plain):
            for child in plain:
                walk(f"{name}.{child.name}", child)

    for field in schema:
        walk(field.name, field)
    return out


def kind_of(data_type: pa.DataType) -> tuple[Kind, str | None]:
    """(kind, reason when unsupported)."""
    import pyarrow as pa

    t = storage_type(data_type)
    checks = pa.types
    if checks.is_null(t):
        return Kind.NULL, None
    if checks.is_boolean(t):
        return Kind.BOOLEAN, None
    if checks.is_integer(t):
        return Kind.INTEGER, None
    if checks.is_floating(t):
        return Kind.FLOAT, None
    if checks.is_decimal(t):
        return Kind.DECIMAL, None
    if checks.is_date(t) or checks.is_time(t) or checks.is_timestamp(t) or checks.is_duration(t):
        return Kind.TEMPORAL, None
    if checks.is_string(t) or checks.is_large_string(t) or checks.is_string_view(t):
        return Kind.STRING, None
    if (
        checks.is_binary(t)
        or checks.is_large_binary(t)
        or checks.is_fixed_size_binary(t)
        or checks.is_binary_view(t)
    ):
        return Kind.BINARY, None
    if (
        checks.is_list(t)
        or checks.is_large_list(t)
        or checks.is_fixed_size_list(t)
        or checks.is_map(t)
        or checks.is_list_view(t)
        or checks.is_large_list_view(t)
    ):
        return Kind.LIST, None
    if checks.is_struct(t):
        return Kind.STRUCT, None
    return Kind.UNSUPPORTED, f"the engine has no accumulator for Arrow type {t}"


_UNIT_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def unit_seconds(data_type: pa.DataType) -> float:
    """Seconds per integer step of a temporal type (a day for dates)."""
    import pyarrow as pa

    if pa.types.is_date32(data_type):
        return 86_400.0
    if pa.types.is_date64(data_type):
        return 1e-3
    return _UNIT_SECONDS[str(data_type.unit)]


def render_values(values: list[Any], data_type: pa.DataType, kind: Kind) -> list[Any]:
    """Values in the engine's domain (epoch ints, Decimals, bytes) as a profile shows them.

    Timestamps become ``datetime`` (zone-aware when the type has a zone), dates
    ``date``, times ``time``, durations ``timedelta``. Nanosecond values that a
    Python object cannot hold become ISO strings rather than being truncated.
    Binary values become hex strings so that the JSON profile can hold them.
    """
    if kind is Kind.BINARY:
        return [v.hex() if isinstance(v, bytes) else v for v in values]
    if kind is not Kind.TEMPORAL or not values:
        return values
    import pyarrow as pa

    t = storage_type(data_type)
    ints = pa.array([None if v is None else int(v) for v in values], pa.int64())
    if t.bit_width == 32:
        ints = ints.cast(pa.int32())
    arr = ints.cast(t)
    if getattr(t, "unit", None) == "ns":
        out: list[Any] = []
        for raw, value in zip(values, arr, strict=True):
            if raw is None:
                out.append(None)
            elif int(raw) % 1000 == 0:
                coarse = pa.array([value.value], pa.int64()).cast(t).cast(_to_micros(t))
                out.append(coarse[0].as_py())
            else:
                out.append(pa.array([value.value], pa.int64()).cast(t).cast(pa.string())[0].as_py())
        return out
    try:
        return list(arr.to_pylist())
    except (OverflowError, ValueError):  # beyond Python's datetime (year 9999, ...)
        return [_python_or_text(raw, value, t) for raw, value in zip(values, arr, strict=True)]


def _python_or_text(raw: Any, value: Any, t: pa.DataType) -> Any:
    """One temporal value as a Python object, or, where Python has none (a date32 in
    year 5,000,000), as text saying exactly what it is."""
    import pyarrow as pa

    if raw is None:
        return None
    try:
        return value.as_py()
    except (OverflowError, ValueError):
        pass
    unit = "days" if pa.types.is_date32(t) else ("ms" if pa.types.is_date64(t) else t.unit)
    if pa.types.is_duration(t):
        return f"{int(raw)} {unit}"
    return f"{int(raw)} {unit} since 1970-01-01"


def _to_micros(t: pa.DataType) -> pa.DataType:
    import pyarrow as pa

    if pa.types.is_timestamp(t):
        return pa.timestamp("us", t.tz)
    if pa.types.is_duration(t):
        return pa.duration("us")
    return pa.time64("us")


def decimal_from_float(value: float, data_type: pa.DataType) -> Decimal:
    """A sketch's float quantile of a decimal column, at the column's scale."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-data_type.scale))
