"""Refusing damaged sketch bytes before the native library reads them.

DataSketches' deserializers trust the bytes they are given. A KLL sketch whose
header lies (a level boundary past the items, ``n`` that disagrees with the
levels) deserializes without complaint, and the next ``get_quantiles`` or merge
reads out of bounds: a segfault, a heap corruption or a hang, which no ``except``
can catch. Sketch bytes cross trust boundaries here (profile states sent between
processes, ``TableProfile.sketches`` read back from a store), so every sketch is
checked before it is deserialized:

* KLL (``kll_doubles_sketch``): the whole layout is recomputed in Python from the
  header (capacity from ``k``, ``m`` and the level count, as the library computes
  it), ``n`` must equal the weight the levels hold, the byte length must match
  exactly, the items must be numbers between min and max with each compacted
  level sorted; then the sketch is deserialized and must serialize back to the
  very same bytes.
* Frequent items and HLL sketches, which the library bounds-checks itself (a
  mutation fuzz found no crash in either), get a size bound and a few invariants.

Anything that fails raises :class:`DamagedSketchError` (a ``ValueError``).
"""

from __future__ import annotations

import itertools
import math
import struct
from typing import Any

from dataprof.profiling.kll_build import level_capacity

__all__ = [
    "MAX_SKETCH_BYTES",
    "DamagedSketchError",
    "checked_frequent_strings",
    "checked_hll",
    "checked_kll",
]

MAX_SKETCH_BYTES = 8 * 1024 * 1024
"""Larger than any sketch the engine writes (KLL ~5 KiB, HLL 16 KiB, frequent items
~100 KiB of keys at the documented key length) by orders of magnitude."""

_KLL_FAMILY = 15
_KLL_M = 8
_KLL_MAX_LEVELS = 61
_FLAG_EMPTY, _FLAG_SORTED, _FLAG_SINGLE = 1, 2, 4


class DamagedSketchError(ValueError):
    """Sketch bytes that are not a sketch this library wrote."""


def _fail(kind: str, why: str) -> DamagedSketchError:
    return DamagedSketchError(f"damaged {kind} sketch: {why}")


def _check_kll_layout(data: bytes) -> None:
    kind = "KLL"
    if len(data) < 8 or len(data) > MAX_SKETCH_BYTES:
        raise _fail(kind, f"{len(data)} bytes")
    preamble, serial, family, flags = data[0], data[1], data[2], data[3]
    (k,) = struct.unpack_from("<H", data, 4)
    if family != _KLL_FAMILY or data[6] != _KLL_M or k < _KLL_M or data[7] != 0:
        raise _fail(kind, "not a KLL header")
    if flags & _FLAG_EMPTY:
        if (preamble, serial, len(data), flags) != (2, 1, 8, _FLAG_EMPTY):
            raise _fail(kind, "inconsistent empty sketch")
        return
    if flags & _FLAG_SINGLE:
        if (preamble, serial, len(data)) != (2, 2, 16) or flags & ~(_FLAG_SINGLE | _FLAG_SORTED):
            raise _fail(kind, "inconsistent single-item sketch")
        if math.isnan(struct.unpack_from("<d", data, 8)[0]):
            raise _fail(kind, "NaN item")
        return
    if (preamble, serial) != (5, 1) or flags & ~_FLAG_SORTED or len(data) < 20:
        raise _fail(kind, "unknown layout")
    (n,) = struct.unpack_from("<Q", data, 8)
    (min_k,) = struct.unpack_from("<H", data, 16)
    num_levels = data[18]
    if not (_KLL_M <= min_k <= k) or not (1 <= num_levels <= _KLL_MAX_LEVELS) or data[19]:
        raise _fail(kind, "header out of range")
    if len(data) < 20 + 4 * num_levels:
        raise _fail(kind, "truncated levels")
    capacity = sum(level_capacity(k, num_levels, h) for h in range(num_levels))
    levels = [*struct.unpack_from(f"<{num_levels}I", data, 20), capacity]
    if any(b < a for a, b in itertools.pairwise(levels)) or levels[0] >= capacity:
        raise _fail(kind, "level boundaries out of order")
    retained = capacity - levels[0]
    offset = 20 + 4 * num_levels
    if len(data) != offset + 16 + 8 * retained:
        raise _fail(kind, f"{len(data)} bytes where the header says {offset + 16 + 8 * retained}")
    weight = sum((levels[h + 1] - levels[h]) << h for h in range(num_levels))
    if n != weight:
        raise _fail(kind, f"n={n} but the levels hold {weight}")
    low, high = struct.unpack_from("<2d", data, offset)
    items = struct.unpack_from(f"<{retained}d", data, offset + 16)
    if math.isnan(low) or math.isnan(high) or low > high:
        raise _fail(kind, "min/max")
    if any(not (low <= x <= high) for x in items):  # also refuses NaN
        raise _fail(kind, "item outside min/max")
    for h in range(1, num_levels):
        level = items[levels[h] - levels[0] : levels[h + 1] - levels[0]]
        if any(b < a for a, b in itertools.pairwise(level)):
            raise _fail(kind, f"level {h} not sorted")


def checked_kll(data: bytes) -> Any:
    """A ``kll_doubles_sketch`` from bytes proven to be one; :class:`DamagedSketchError` if not."""
    import datasketches

    data = bytes(data)
    _check_kll_layout(data)
    try:
        sketch = datasketches.kll_doubles_sketch.deserialize(data)
    except Exception as exc:  # the binding raises RuntimeError/ValueError variants
        raise _fail("KLL", type(exc).__name__) from None
    if bytes(sketch.serialize()) != data:
        raise _fail("KLL", "does not serialize back to its bytes")
    return sketch


def checked_frequent_strings(data: bytes) -> Any:
    """A ``frequent_strings_sketch`` from bytes, size-bounded and sanity-checked."""
    import datasketches

    data = bytes(data)
    if not 8 <= len(data) <= MAX_SKETCH_BYTES:
        raise _fail("frequent items", f"{len(data)} bytes")
    try:
        sketch = datasketches.frequent_strings_sketch.deserialize(data)
    except Exception as exc:
        raise _fail("frequent items", type(exc).__name__) from None
    if sketch.is_empty():
        return sketch
    try:
        total = sketch.total_weight
        rows = sketch.get_frequent_items(datasketches.frequent_items_error_type.NO_FALSE_NEGATIVES)
    except Exception as exc:  # e.g. std::bad_cast from an item that is not a string
        raise _fail("frequent items", type(exc).__name__) from None
    if total <= 0 or any(not (0 <= lb <= est <= ub) or lb > total for _, est, lb, ub in rows):
        raise _fail("frequent items", "counts out of range")
    return sketch


def checked_hll(data: bytes, lg_k: int | None = None) -> Any:
    """An ``hll_sketch`` from bytes, size-bounded, of the expected ``lg_k`` when given."""
    import datasketches

    data = bytes(data)
    if not 8 <= len(data) <= MAX_SKETCH_BYTES:
        raise _fail("HLL", f"{len(data)} bytes")
    try:
        sketch = datasketches.hll_sketch.deserialize(data)
    except Exception as exc:
        raise _fail("HLL", type(exc).__name__) from None
    if lg_k is not None and sketch.lg_config_k != lg_k:
        raise _fail("HLL", f"lg_k {sketch.lg_config_k}, expected {lg_k}")
    if not math.isfinite(sketch.get_estimate()):
        raise _fail("HLL", "estimate not finite")
    return sketch
