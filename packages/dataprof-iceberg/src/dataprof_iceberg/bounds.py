"""Manifest bounds as Python values.

Manifests store a column's lower and upper bounds as Iceberg's single-value binary
encoding (`pyiceberg.conversions.from_bytes` undoes it) which for temporal types is
still a number of days or microseconds. The profile wants values a person can read
and compare with a scan's min and max, so dates become ``date``, timestamps
``datetime`` (aware for ``timestamptz``), times ``time`` and UUIDs ``UUID``.
"""

from __future__ import annotations

import uuid
from typing import Any

from pyiceberg.conversions import from_bytes
from pyiceberg.types import (
    BinaryType,
    DateType,
    FixedType,
    PrimitiveType,
    StringType,
    TimestampNanoType,
    TimestampType,
    TimestamptzNanoType,
    TimestamptzType,
    TimeType,
    UUIDType,
)
from pyiceberg.utils.datetime import (
    days_to_date,
    micros_to_time,
    micros_to_timestamp,
    micros_to_timestamptz,
    nanos_to_timestamp,
)

__all__ = ["decode_bound", "is_truncatable"]


def decode_bound(field_type: PrimitiveType, raw: bytes) -> Any:
    """One bound, decoded to the Python value a scan's min or max would have."""
    value: Any = from_bytes(field_type, raw)
    if isinstance(field_type, DateType):
        return days_to_date(value)
    if isinstance(field_type, TimeType):
        return micros_to_time(value)
    if isinstance(field_type, TimestamptzType):
        return micros_to_timestamptz(value)
    if isinstance(field_type, TimestampType):
        return micros_to_timestamp(value)
    if isinstance(field_type, TimestamptzNanoType):
        return nanos_to_timestamp(value).replace(tzinfo=micros_to_timestamptz(0).tzinfo)
    if isinstance(field_type, TimestampNanoType):
        return nanos_to_timestamp(value)
    if isinstance(field_type, UUIDType) and not isinstance(value, uuid.UUID):
        return uuid.UUID(bytes=bytes(value))
    return value


def is_truncatable(field_type: PrimitiveType) -> bool:
    """Types whose bounds writers truncate (Iceberg's default metrics mode is
    ``truncate(16)``): the stored bound then brackets the values but is not one."""
    return isinstance(field_type, (StringType, BinaryType, FixedType))
