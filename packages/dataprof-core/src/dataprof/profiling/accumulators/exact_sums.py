"""Sums that are exact and the same for any split of a column, and overflow-safe moments.

A figure labelled exact must not depend on how the rows were split between
batches, processes or tasks. A float64 running sum does (rounding depends on the
order) and overflows (1,000 x 1.7e308), and Arrow's decimal sum keeps the input's
precision, so it wraps once a batch's sum outgrows it. So sums are kept as Python
integers, which neither round nor overflow:

* integers and temporal units: the values themselves (:func:`exact_int_sum`);
* decimals: the unscaled integers, read word by word from the Arrow buffer
  (:func:`exact_decimal_unscaled_sum`);
* floats: every double is an integer multiple of 2**-1126 (53-bit significand,
  exponent down to -1073), so the exact sum is an integer in those units
  (:func:`exact_float_units_sum`); the mean is then the correctly rounded quotient.

The variance comes from Chan et al.'s pairwise update, kept *scaled* by a power of
two (``m2 * 4**exp``) so that values near the float64 limit neither overflow the
squares nor the deltas between partial means. It is a float computation and the
profile says so (approximate, float64 rounding), except for integer columns small
enough that the sum of squares is exact too (:func:`exact_square_sum`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = [
    "DECIMAL_PRECISION",
    "FLOAT_UNIT_EXPONENT",
    "chan_merge",
    "exact_decimal_unscaled_sum",
    "exact_float_units_sum",
    "exact_int_sum",
    "exact_square_sum",
    "float_of_units",
    "scaled_m2",
]

DECIMAL_PRECISION = 120
"""Decimal context precision for exact decimal sums and means: enough for any sum of
decimal256 values."""
FLOAT_UNIT_EXPONENT = 1126
"""Float sums are integers in units of 2**-1126 (the least significant bit of the
smallest subnormal's 53-bit significand)."""
_SQUARE_EXACT_LIMIT = 2**31
"""Integers below this magnitude have squares whose int64 sums stay exact."""


def exact_int_sum(x: npt.NDArray[Any]) -> int:
    """The exact sum of an integer array, whatever its width, without object arrays.

    64-bit values are split into 32-bit halves so that neither half's sum can
    overflow for fewer than 2**31 values.
    """
    import numpy as np

    if x.dtype.itemsize < 8:
        return int(x.sum(dtype=np.int64))
    if x.dtype == np.uint64:
        return (int((x >> np.uint64(32)).sum()) << 32) + int((x & np.uint64(0xFFFFFFFF)).sum())
    high = x >> 32
    low = x & 0xFFFFFFFF
    return (int(high.sum()) << 32) + int(low.sum(dtype=np.uint64))


def exact_decimal_unscaled_sum(arr: pa.Array) -> int:
    """The exact sum of a decimal128/256 array's unscaled integers (no nulls).

    Each value is little-endian 64-bit words, the last one signed: each word
    column is summed exactly on its own and the sums recombined."""
    import numpy as np

    width = arr.type.byte_width // 8
    words = np.frombuffer(arr.buffers()[1], dtype=np.uint64)
    words = words.reshape(-1, width)[arr.offset : arr.offset + len(arr)]
    total = 0
    for position in range(width):
        column = np.ascontiguousarray(words[:, position])
        if position == width - 1:
            column = column.view(np.int64)
        total += exact_int_sum(column) << (64 * position)
    return total


def exact_float_units_sum(x: npt.NDArray[Any]) -> int:
    """The exact sum of finite float64 values, in units of 2**-FLOAT_UNIT_EXPONENT."""
    import numpy as np

    if not len(x):
        return 0
    significand, exponent = np.frexp(x)
    ints = np.ldexp(significand, 53).astype(np.int64)  # exact: 53 significant bits
    # Exponents (-1073 to 1024) as int16: numpy's stable sort of 16-bit keys is a radix
    # sort, twice as fast here as sorting int64 keys.
    exponents = exponent.astype(np.int16)
    order = np.argsort(exponents, kind="stable")
    exponents, ints = exponents[order], ints[order]
    starts = np.flatnonzero(np.r_[True, exponents[1:] != exponents[:-1]])
    # Halves of |int| < 2**53: each half's sum fits an int64 for < 2**36 values.
    high = np.add.reduceat(ints >> 26, starts)
    low = np.add.reduceat(ints & ((1 << 26) - 1), starts)
    total = 0
    offset = FLOAT_UNIT_EXPONENT - 53
    for e, h, lo in zip(exponents[starts].tolist(), high.tolist(), low.tolist(), strict=True):
        total += ((h << 26) + lo) << (e + offset)
    return total


def float_of_units(units: int, divisor: int = 1) -> float | None:
    """``units * 2**-FLOAT_UNIT_EXPONENT / divisor`` correctly rounded; None beyond float64."""
    try:
        return units / (divisor << FLOAT_UNIT_EXPONENT)
    except OverflowError:
        return None


def exact_square_sum(x: npt.NDArray[Any]) -> int | None:
    """The exact sum of squares of an integer array, or None when it cannot be had cheaply."""
    import numpy as np

    if not len(x):
        return 0
    if int(x.max()) >= _SQUARE_EXACT_LIMIT or int(x.min()) <= -_SQUARE_EXACT_LIMIT:
        return None
    as_int = x.astype(np.int64, copy=False)
    return exact_int_sum(as_int * as_int)


def _exponent(value: float) -> int:
    """The binary exponent of ``value`` (0 has none: lower than any double's)."""
    return math.frexp(value)[1] if value else -1100


def scaled_m2(xf: npt.NDArray[Any], mean: float) -> tuple[float, int]:
    """``(m2, exp)`` with ``sum((x - mean)**2) == m2 * 4**exp``, safe up to float64's limit."""
    import numpy as np

    exp = max(_exponent(float(np.abs(xf).max())), _exponent(abs(mean)))
    deviations = np.ldexp(xf, -exp) - math.ldexp(mean, -exp)
    # The corrected two-pass form: the second term removes the error of a rounded mean
    # (for [1, 1 + 2**-52] the plain form is off by 41%).
    drift = float(deviations.sum())
    return float(np.square(deviations).sum()) - drift * drift / len(xf), exp


def chan_merge(
    a: tuple[int, float, float, int], b: tuple[int, float, float, int]
) -> tuple[float, int]:
    """Chan et al.'s combination of two ``(n, mean, m2, exp)`` parts, in scaled terms."""
    n_a, mean_a, m2_a, exp_a = a
    n_b, mean_b, m2_b, exp_b = b
    if n_a == 0:
        return m2_b, exp_b
    if n_b == 0:
        return m2_a, exp_a
    exp = max(exp_a, exp_b, _exponent(abs(mean_a)), _exponent(abs(mean_b)))
    delta = math.ldexp(mean_b, -exp) - math.ldexp(mean_a, -exp)
    m2 = math.ldexp(m2_a, 2 * (exp_a - exp)) + math.ldexp(m2_b, 2 * (exp_b - exp))
    return m2 + delta * delta * (n_a * n_b / (n_a + n_b)), exp
