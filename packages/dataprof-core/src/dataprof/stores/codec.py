"""The profile as JSON, losing nothing.

Pydantic's JSON mode is lossy for the ``Any`` fields of the profile models
(a ``min_value`` that is a datetime comes back a string, NaN comes back null,
bytes may not encode at all), and a store must give back exactly what it was
given: history compares old values with new ones. So values JSON cannot carry
are written as a tagged object, ``{"$dataprof": "<kind>", "v": ...}``, and read
back into their type. Everything JSON carries natively (text, whole numbers,
finite floats, booleans, null, lists, objects with text keys) is written as is,
so the file stays plain JSON that any tool can read; a dict that happens to use
the tag key is itself tagged, so it cannot be mistaken for one. Text is written
ASCII-escaped, so even a column name holding a lone surrogate survives the trip.
"""

from __future__ import annotations

import base64
import json
import math
import numbers
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dataprof.profiling.models import TableProfile

__all__ = ["TAG", "decode_value", "encode_value", "profile_from_json", "profile_to_json"]

TAG = "$dataprof"


def _tagged(kind: str, value: Any) -> dict[str, Any]:
    return {TAG: kind, "v": value}


def encode_value(value: Any) -> Any:
    """``value`` as JSON-native data, tagging what JSON cannot represent."""
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, str):  # str subclasses (StrEnum): their plain text
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else _tagged("float", repr(value))
    if isinstance(value, datetime):
        return _tagged("datetime", value.isoformat())
    if isinstance(value, date):
        return _tagged("date", value.isoformat())
    if isinstance(value, time):
        return _tagged("time", value.isoformat())
    if isinstance(value, timedelta):
        return _tagged("timedelta", [value.days, value.seconds, value.microseconds])
    if isinstance(value, Decimal):
        return _tagged("decimal", str(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return _tagged("bytes", base64.b64encode(bytes(value)).decode("ascii"))
    if isinstance(value, tuple):
        return _tagged("tuple", [encode_value(v) for v in value])
    if isinstance(value, set | frozenset):
        return _tagged("set", [encode_value(v) for v in value])
    if isinstance(value, list):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        if all(type(k) is str for k in value) and TAG not in value:
            return {k: encode_value(v) for k, v in value.items()}
        return _tagged("dict", [[encode_value(k), encode_value(v)] for k, v in value.items()])
    # numpy and other numeric scalars the engine may leave in a metric
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_value(float(value))
    raise TypeError(f"cannot store a value of type {type(value).__name__} in a profile")


_DECODERS: dict[str, Any] = {
    "float": float,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "decimal": Decimal,
    "bytes": lambda v: base64.b64decode(v.encode("ascii")),
    "tuple": lambda v: tuple(decode_value(x) for x in v),
    "set": lambda v: {decode_value(x) for x in v},
    "dict": lambda v: {decode_value(k): decode_value(x) for k, x in v},
}


def decode_value(value: Any) -> Any:
    """The inverse of :func:`encode_value`."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        kind = value.get(TAG)
        if isinstance(kind, str) and set(value) == {TAG, "v"} and kind in _DECODERS:
            return _DECODERS[kind](value["v"])
        return {k: decode_value(v) for k, v in value.items()}
    return value


def profile_to_json(profile: TableProfile) -> str:
    """The full profile as JSON text that :func:`profile_from_json` reads back equal."""
    data = encode_value(profile.model_dump(mode="python"))
    return json.dumps(data, ensure_ascii=True, allow_nan=False, indent=1)


def profile_from_json(text: str | bytes) -> TableProfile:
    """The profile :func:`profile_to_json` wrote; :class:`ValueError` (or pydantic's
    ``ValidationError``, itself a ``ValueError``) for anything else, whatever is wrong."""
    try:
        return TableProfile.model_validate(decode_value(json.loads(text)))
    except ValueError:
        raise
    except (TypeError, LookupError, AttributeError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"not a stored profile: {type(exc).__name__} while decoding") from None
