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
as UTF-8 with lone surrogates (not Unicode, yet legal in a Python string)
escaped, so even a column name holding one survives the trip and the file stays
valid UTF-8; a value in Chinese takes 3 bytes a character, not 6 as an escape.

The stored form holds each value once (``"$format": 2``), so a run file's size
follows what the run found, not how many views of it the model keeps: compact
JSON, fields at their model default left out, and a column metric whose value is
the column's flat field (``min`` and ``min_value``, ``top_values``...) written
without its value, which is read back from the flat field, and each
frequent-items sketch's items as text (:mod:`dataprof.stores.sketch_form`).
Files written before (indented, every value in full, ASCII only, no ``$format``)
still read as they always did.
"""

from __future__ import annotations

import base64
import json
import math
import numbers
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dataprof.profiling.models import ColumnProfile, TableProfile, TopValue
from dataprof.stores.sketch_form import join_frequent_strings, split_frequent_strings

__all__ = ["TAG", "decode_value", "encode_value", "profile_from_json", "profile_to_json"]

TAG = "$dataprof"
FORMAT_KEY = "$format"
STORED_FORMAT = 2
"""The stored form's version: 2 holds each value once; files without the key are 1."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

METRIC_FIELDS: dict[str, str] = {
    "row_count": "row_count",
    "null_count": "null_count",
    "null_percentage": "null_percentage",
    "distinct_count": "distinct_count",
    "distinct_percentage": "distinct_percentage",
    "min": "min_value",
    "max": "max_value",
    "mean": "mean_value",
    "median": "median_value",
    "std_dev": "std_dev",
    "top_values": "top_values",
}
"""Column metrics the engine mirrors into a flat field of :class:`ColumnProfile`."""


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


def _same(first: Any, second: Any) -> bool:
    """Whether two values store as the same text (so ``1``, ``1.0`` and ``True`` differ)."""
    return json.dumps(encode_value(first), allow_nan=False) == json.dumps(
        encode_value(second), allow_nan=False
    )


def _stored_column(column: ColumnProfile) -> dict[str, Any]:
    """The column without defaults, each metric that repeats a flat field without its value."""
    full = column.model_dump(mode="python")
    stored = column.model_dump(mode="python", exclude_defaults=True)
    for name, metric in stored.get("metrics", {}).items():
        field = METRIC_FIELDS.get(name)
        if field is not None and _same(full["metrics"][name]["value"], full[field]):
            del metric["value"]
    return stored


def _restore_metric_values(column: Any) -> None:
    """Put back the values :func:`_stored_column` left out (a stored form 2 column)."""
    if not isinstance(column, dict) or not isinstance(column.get("metrics"), dict):
        return
    for name, metric in column["metrics"].items():
        field = METRIC_FIELDS.get(name)
        if field is None or not isinstance(metric, dict) or "value" in metric:
            continue
        if field == "top_values":
            metric["value"] = [
                TopValue.model_validate(top).model_dump() for top in column.get(field) or []
            ]
        else:
            metric["value"] = column.get(field)


def _stored_sketch(key: str, text: str) -> Any:
    split = split_frequent_strings(text) if key.endswith("/top") else None
    return text if split is None else split


def profile_to_json(profile: TableProfile) -> str:
    """The profile as JSON text that :func:`profile_from_json` reads back equal, each
    value held once (see the module's docstring)."""
    data = profile.model_dump(mode="python", exclude_defaults=True)
    if "columns" in data:
        data["columns"] = [_stored_column(c) for c in profile.columns]
    if "sketches" in data:
        data["sketches"] = {
            key: _stored_sketch(key, text) for key, text in data["sketches"].items()
        }
    stored = {FORMAT_KEY: STORED_FORMAT, **encode_value(data)}
    text = json.dumps(stored, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # Only inside strings can such a character be; its escape is what ensure_ascii writes.
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def profile_from_json(text: str | bytes) -> TableProfile:
    """The profile :func:`profile_to_json` wrote; :class:`ValueError` (or pydantic's
    ``ValidationError``, itself a ``ValueError``) for anything else, whatever is wrong."""
    try:
        data = decode_value(json.loads(text))
        if data.pop(FORMAT_KEY, 1) == STORED_FORMAT:
            for column in data.get("columns") or []:
                _restore_metric_values(column)
            sketches = data.get("sketches")
            if isinstance(sketches, dict):
                data["sketches"] = {
                    key: value if isinstance(value, str) else join_frequent_strings(value)
                    for key, value in sketches.items()
                }
        return TableProfile.model_validate(data)
    except ValueError:
        raise
    except (TypeError, LookupError, AttributeError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"not a stored profile: {type(exc).__name__} while decoding") from None
