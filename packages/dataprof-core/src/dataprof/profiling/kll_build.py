"""A KLL sketch of a whole batch built by numpy, for DataSketches to merge.

DataSketches' vectorized KLL update still inserts one value at a time, holding the
GIL: 27 ns a value, 0.14 s for each numeric column of five million rows. A KLL
sketch is levels of sorted values, the values of level ``h`` weighing ``2**h``,
and compacting a level keeps every other value from a random start. So a batch,
sorted once by numpy, is compacted level by level until its top level fits the
capacity DataSketches gives it (each compaction of a sorted level moves any rank
by at most that level's weight, with mean zero: the same step the C++ sketch
takes), written in DataSketches' serialization format (``kll_sketch::serialize``,
serial version 1) and merged. Measured on five million lognormal values: 0.04 s
against 0.14 s, and the largest rank error over 99 quantiles and 20 shuffles of
two million normal values was 0.53% built this way against 0.97% fed value by
value (the sketch states 1.33%).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["BUILD_MIN_VALUES", "kll_bytes_of_sorted", "level_capacity", "total_capacity"]

BUILD_MIN_VALUES = 2048
"""Smaller batches go to the sketch value by value: building costs more than it saves."""
_M = 8  # DataSketches' minimum level width
_FAMILY = 15
_SERIAL_VERSION = 1
_PREAMBLE_INTS = 5
_FLAG_LEVEL_ZERO_SORTED = 2
_POWERS_OF_THREE = [3**i for i in range(61)]
_rng: Any = None


def _cap_aux_aux(k: int, depth: int) -> int:
    return ((((2 * k) << depth) // _POWERS_OF_THREE[depth]) + 1) >> 1


def _cap_aux(k: int, depth: int) -> int:
    if depth <= 30:
        return _cap_aux_aux(k, depth)
    half = depth // 2
    return _cap_aux_aux(_cap_aux_aux(k, half), depth - half)


def level_capacity(k: int, num_levels: int, height: int) -> int:
    """Items level ``height`` of a sketch of ``num_levels`` levels may hold: k*(2/3)^depth,
    rounded as ``kll_helper::level_capacity`` rounds it, at least 8."""
    return max(_M, _cap_aux(k, num_levels - height - 1))


def total_capacity(k: int, num_levels: int) -> int:
    return sum(level_capacity(k, num_levels, h) for h in range(num_levels))


def _compacted(values: npt.NDArray[Any], k: int) -> list[npt.NDArray[Any]]:
    """Levels (lowest first) of a sorted array, compacted until every level fits."""
    import numpy as np

    global _rng
    if _rng is None:
        _rng = np.random.default_rng()
    levels: list[npt.NDArray[Any]] = []
    current = values
    while True:
        height = len(levels)
        if len(current) <= level_capacity(k, height + 1, height) and all(
            len(level) <= level_capacity(k, height + 1, h) for h, level in enumerate(levels)
        ):
            levels.append(current)
            return levels
        odd = len(current) % 2
        levels.append(current[:odd])  # an odd value out stays at its level, as in C++
        start = odd + int(_rng.integers(0, 2))
        current = np.ascontiguousarray(current[start::2][: (len(current) - odd) // 2])


def kll_bytes_of_sorted(values: npt.NDArray[Any], k: int) -> bytes:
    """A serialized ``kll_doubles_sketch`` of ``values`` (float64, sorted, finite, at
    least :data:`BUILD_MIN_VALUES`)."""
    import numpy as np

    levels = _compacted(values, k)
    capacity = total_capacity(k, len(levels))
    retained = sum(len(level) for level in levels)
    offsets = [capacity - retained]
    for level in levels[:-1]:
        offsets.append(offsets[-1] + len(level))
    header = struct.pack(
        "<BBBBHBBQHBB",
        _PREAMBLE_INTS,
        _SERIAL_VERSION,
        _FAMILY,
        _FLAG_LEVEL_ZERO_SORTED,
        k,
        _M,
        0,
        len(values),
        k,
        len(levels),
        0,
    )
    header += struct.pack(f"<{len(levels)}I", *offsets)
    header += struct.pack("<dd", float(values[0]), float(values[-1]))
    return header + np.concatenate(levels).astype("<f8", copy=False).tobytes()
