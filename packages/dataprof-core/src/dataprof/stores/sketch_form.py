"""A stored frequent-items sketch with its items as text, not as base64 of their bytes.

A profile keeps each ``<column>/top`` sketch as base64 of the DataSketches
serialization of a ``frequent_strings_sketch``. Most of those bytes are the items,
values of up to 128 characters (cut long values) that base64 makes a third bigger
and JSON cannot read. In a run file the sketch is written as its fixed-size head
(preamble, counts; base64) plus its items as a JSON list of text, and the exact
bytes are rebuilt on load. The split is checked before it is used: unless the
rebuilt bytes equal the stored ones (a sketch of another layout, damaged bytes,
items that are not UTF-8) the sketch stays the base64 text it was, which loads as
before. Nothing here calls the native library: stored bytes are untrusted and are
checked (:mod:`dataprof.profiling.sketch_checks`) only where they are read.

The layout (datasketches-cpp ``frequent_items_sketch::serialize``, serial version
1): 8 bytes of preamble (``preamble_longs`` 4 when not empty), ``num_items``
(uint32) and 4 unused bytes, total weight and offset (uint64 each), one uint64
weight per item, then each item as a uint32 length and its UTF-8 bytes; integers
little-endian.
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

__all__ = ["split_frequent_strings", "join_frequent_strings"]

_HEAD_FIXED = 32
"""Preamble (8), num_items and unused (8), total weight (8), offset (8)."""
_NON_EMPTY_PREAMBLE_LONGS = 4


def _items_start(data: bytes) -> tuple[int, int] | None:
    """``(num_items, offset of the first item)`` of a non-empty sketch, else None."""
    if len(data) < _HEAD_FIXED or data[0] != _NON_EMPTY_PREAMBLE_LONGS:
        return None
    (count,) = struct.unpack_from("<I", data, 8)
    start = _HEAD_FIXED + 8 * count
    return (count, start) if start <= len(data) else None


def split_frequent_strings(encoded: str) -> list[Any] | None:
    """``[head as base64, [item, ...]]`` for a stored ``frequent_strings_sketch``, or None
    when the text is not one this module can split and rebuild exactly."""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    found = _items_start(data)
    if found is None:
        return None
    count, start = found
    position = start
    items: list[str] = []
    for _ in range(count):
        if position + 4 > len(data):
            return None
        (length,) = struct.unpack_from("<I", data, position)
        position += 4
        if position + length > len(data):
            return None
        try:
            items.append(data[position : position + length].decode("utf-8"))
        except UnicodeDecodeError:
            return None
        position += length
    if position != len(data):
        return None
    split = [base64.b64encode(data[:start]).decode("ascii"), items]
    return split if join_frequent_strings(split) == encoded else None


def join_frequent_strings(split: Any) -> str:
    """The base64 text :func:`split_frequent_strings` split; :class:`ValueError` when
    ``split`` is not such a pair."""
    if (
        not isinstance(split, list)
        or len(split) != 2
        or not isinstance(split[0], str)
        or not isinstance(split[1], list)
        or not all(isinstance(item, str) for item in split[1])
    ):
        raise ValueError("a stored sketch is neither base64 text nor a [head, items] pair")
    try:
        head = base64.b64decode(split[0], validate=True)
    except binascii.Error as exc:
        raise ValueError(f"a stored sketch's head is not base64: {exc}") from None
    parts = [head]
    for item in split[1]:
        raw = item.encode("utf-8", "surrogatepass")
        parts.append(struct.pack("<I", len(raw)))
        parts.append(raw)
    return base64.b64encode(b"".join(parts)).decode("ascii")
