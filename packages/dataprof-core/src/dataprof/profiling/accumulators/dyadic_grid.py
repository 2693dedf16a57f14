"""Exact counts in fine equal-width bins that any split of a table agrees on.

Past the exact-count budget a column's histogram can still be exact: count the
values in fine bins (at most ``FINE_BINS``) and draw the shown bins' edges on
the fine grid, so each shown bin is a union of fine bins. The grid must be the
same for every part of a table, although no part knows the table's range: the
bins are ``[i * 2**k, (i + 1) * 2**k)``, with ``k`` the smallest power of two
for which the values seen fit in ``FINE_BINS`` bins. A part's ``k`` is never
above the whole table's, and raising ``k`` by one merges neighbouring bins
exactly in pairs, so merging two grids (raise both to the larger ``k``, then as
far as the union's range needs, add the counts) gives the very grid one pass
over the whole table gives, whatever the split, order or batch size. No bounds
need to be known before the scan (Parquet footers, Iceberg manifests): the grid
finds its own.

Integers and temporal values (their integer epoch units) are binned in exact
integer arithmetic (``x >> k``); floats by ``floor(x * 2**-k)``, exact in float64,
with ``k`` kept high enough that ``|x| / 2**k`` stays below ``2**60`` (bins finer
than a value's last bit separate nothing).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["FINE_BINS", "DyadicGrid"]

FINE_BINS = 2048
"""Fine bins at most: the shown edges lie within ~1/1000 of the range of evenly spaced ones."""
_FLOAT_INDEX_BITS = 60
_MIN_SHIFT = -1200  # below float64's smallest subnormal (2**-1074)
_MAX_SHIFT = 1100  # above float64's largest value (2**1024)


def _moved(low: int, n: int, by: int, new_low: int) -> npt.NDArray[Any]:
    """Where bins ``low .. low + n - 1`` land, counted from ``new_low``, once their
    width grows by ``by`` bits. Indices of uint64 values may pass 2**63 (unsigned
    arithmetic then); a shift of 64 bits or more leaves 0, or -1 below zero."""
    import numpy as np

    if low >= 0 and new_low >= 0:
        if by >= 64:
            return np.full(n, -new_low, dtype=np.int64)
        unsigned = np.uint64(low) + np.arange(n, dtype=np.uint64)
        moved: npt.NDArray[Any] = ((unsigned >> np.uint64(by)) - np.uint64(new_low)).astype(
            np.int64
        )
        return moved
    signed = low + np.arange(n, dtype=np.int64)  # a negative value: an int64 column
    shifted: npt.NDArray[Any] = (signed >> min(by, 63)) - new_low
    return shifted


class DyadicGrid:
    """Exact counts in bins ``[i * 2**shift, (i + 1) * 2**shift)``, ``i`` from ``low``."""

    def __init__(self, integer: bool) -> None:
        import numpy as np

        self.integer = integer
        """Integer values (exact shifts) or float64 ones."""
        self.shift = 0
        self.low = 0
        self.counts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.minimum: Any = None
        self.maximum: Any = None

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    # -- the grid ----------------------------------------------------------------------
    def _index(self, value: Any, shift: int) -> int:
        """The bin of one value (a Python int or float) at ``shift``."""
        if self.integer:
            return int(value) >> shift
        scaled = math.ldexp(float(value), -shift)
        if scaled == 0 and value < 0:  # underflowed to -0.0: below 0, so in bin -1
            return -1
        return math.floor(scaled)

    def _needed_shift(self, minimum: Any, maximum: Any, start: int) -> int:
        """The smallest shift >= ``start`` at which ``minimum..maximum`` fit the bins."""
        shift = start
        if not self.integer:
            largest = max(abs(float(minimum)), abs(float(maximum)))
            if largest > 0:
                shift = max(shift, math.frexp(largest)[1] - _FLOAT_INDEX_BITS)
            span = float(maximum) - float(minimum)
            if math.isfinite(span) and span / FINE_BINS > 0:
                # a lower bound of the answer (the loop below finds it exactly)
                shift = max(shift, math.floor(math.log2(span / FINE_BINS)) - 1)
        else:
            span = int(maximum) - int(minimum)
            if span >= FINE_BINS:
                shift = max(shift, span.bit_length() - FINE_BINS.bit_length())
        shift = max(shift, 0 if self.integer else _MIN_SHIFT)
        while (
            self._index(maximum, shift) - self._index(minimum, shift) + 1 > FINE_BINS
            and shift < _MAX_SHIFT
        ):
            shift += 1
        return shift

    def _regrid(self, minimum: Any, maximum: Any, shift: int) -> None:
        """Move the counts to ``shift`` (not below the current one) and widen the window
        to hold ``minimum..maximum``."""
        import numpy as np

        low = self._index(minimum, shift)
        size = self._index(maximum, shift) - low + 1
        counts = np.zeros(size, dtype=np.int64)
        if len(self.counts):
            where = _moved(self.low, len(self.counts), shift - self.shift, low)
            np.add.at(counts, where, self.counts)
        self.shift, self.low, self.counts = shift, low, counts
        self.minimum, self.maximum = minimum, maximum

    def _take_range(self, minimum: Any, maximum: Any) -> None:
        if self.minimum is not None:
            minimum, maximum = min(minimum, self.minimum), max(maximum, self.maximum)
            start = self.shift
        else:
            start = 0 if self.integer else _MIN_SHIFT
        shift = self._needed_shift(minimum, maximum, start)
        if (
            self.minimum is None
            or shift != self.shift
            or (minimum, maximum)
            != (
                self.minimum,
                self.maximum,
            )
        ):
            self._regrid(minimum, maximum, shift)

    # -- adding ------------------------------------------------------------------------
    def update(self, values: npt.NDArray[Any], weights: npt.NDArray[Any] | None = None) -> None:
        """Add ``values`` (integers, or finite float64s), each ``weights[i]`` times if given."""
        import numpy as np

        if not len(values):
            return
        lo: int | float
        hi: int | float
        if self.integer:
            lo, hi = int(values.min()), int(values.max())
        else:
            lo, hi = float(values.min()), float(values.max())
        self._take_range(lo, hi)
        if self.integer:
            if values.dtype.kind == "u":
                bins = ((values >> np.uint64(self.shift)) - np.uint64(self.low)).astype(np.int64)
            else:
                bins = (values.astype(np.int64, copy=False) >> self.shift) - self.low
        else:
            scaled = np.floor(np.ldexp(values, -self.shift))
            # a negative value that underflowed to -0.0 lies in bin -1, not 0
            scaled[(scaled == 0) & (values < 0)] = -1
            bins = scaled.astype(np.int64) - self.low
        if weights is None:
            self.counts += np.bincount(bins, minlength=len(self.counts))
        else:
            found = np.bincount(bins, weights=weights, minlength=len(self.counts))
            self.counts += np.rint(found).astype(np.int64)

    def merge(self, other: DyadicGrid) -> None:
        import numpy as np

        if other.minimum is None:
            return
        if self.minimum is None:
            self.shift, self.low = other.shift, other.low
            self.counts = other.counts.copy()
            self.minimum, self.maximum = other.minimum, other.maximum
            return
        minimum, maximum = min(self.minimum, other.minimum), max(self.maximum, other.maximum)
        shift = self._needed_shift(minimum, maximum, max(self.shift, other.shift))
        self._regrid(minimum, maximum, shift)
        where = _moved(other.low, len(other.counts), shift - other.shift, self.low)
        np.add.at(self.counts, where, other.counts)

    # -- reading -----------------------------------------------------------------------
    def edge_value(self, index: int) -> Any:
        """The left edge of bin ``index``."""
        if self.integer:
            return index << self.shift
        return math.ldexp(float(index), self.shift)

    def histogram(self, targets: list[Any], zero_edge: bool) -> tuple[list[Any], list[int]]:
        """Bins whose edges are grid points, each nearest to its ``targets`` edge (the
        first and last target are the minimum and maximum and stay as they are); a
        column with negative and positive values gets 0 as an edge (``zero_edge``), so its negative
        bins hold exactly its negative values. Counts are exact, in numpy's convention
        (left-closed bins, the last closed on both sides)."""
        import numpy as np

        first, last = self.minimum, self.maximum
        inner: list[int] = []
        for target in targets[1:-1]:
            if self.integer:
                index = (int(target) + (1 << self.shift >> 1)) >> self.shift
            else:
                index = round(math.ldexp(float(target), -self.shift))
            if first < self.edge_value(index) < last and (not inner or index > inner[-1]):
                inner.append(index)
        zero = 0  # the grid's 0 is bin 0's left edge
        if zero_edge and first < 0 < last and zero not in inner:
            width = (float(last) - float(first)) / max(len(targets) - 1, 1)
            nearest = min(inner, key=lambda i: abs(float(self.edge_value(i))), default=None)
            if nearest is not None and abs(float(self.edge_value(nearest))) <= width / 2:
                inner.remove(nearest)
            inner = sorted([*inner, zero])
        # positions counted from ``low`` (indices of uint64 values may pass 2**63)
        size = len(self.counts)
        relative = [min(max(i - self.low, -1), size) for i in inner]
        own = np.arange(size, dtype=np.int64)
        shown = np.searchsorted(np.array(relative, dtype=np.int64), own, side="right")
        counts = np.zeros(len(inner) + 1, dtype=np.int64)
        np.add.at(counts, shown, self.counts)
        edges = [first, *(self.edge_value(i) for i in inner), last]
        return edges, [int(c) for c in counts]

    # -- pickling: plain values --------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "integer": self.integer,
            "shift": self.shift,
            "low": self.low,
            "counts": self.counts.astype("<i8").tobytes(),
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Refuses (ValueError) anything :meth:`__getstate__` could not have written."""
        import numpy as np

        keys = {"integer", "shift", "low", "counts", "minimum", "maximum"}
        if not isinstance(state, dict) or set(state) != keys:
            raise ValueError("fine grid: not a grid's fields")
        integer = state["integer"]
        if not isinstance(integer, bool):
            raise ValueError("fine grid: integer flag")
        self.integer = integer
        shift, low = state["shift"], state["low"]
        if type(shift) is not int or type(low) is not int or not _MIN_SHIFT <= shift <= _MAX_SHIFT:
            raise ValueError("fine grid: shift")
        raw = state["counts"]
        if not isinstance(raw, bytes) or len(raw) % 8 or len(raw) > 8 * FINE_BINS:
            raise ValueError("fine grid: counts")
        counts = np.frombuffer(raw, dtype="<i8").astype(np.int64)
        minimum, maximum = state["minimum"], state["maximum"]
        self.shift, self.low, self.counts = shift, low, counts
        self.minimum, self.maximum = minimum, maximum
        if minimum is None or maximum is None:
            if minimum is not None or maximum is not None or len(counts):
                raise ValueError("fine grid: an empty grid with counts")
            return
        kind = int if integer else float
        if type(minimum) is not kind or type(maximum) is not kind or not minimum <= maximum:
            raise ValueError("fine grid: range")
        if not integer and not (math.isfinite(minimum) and math.isfinite(maximum)):
            raise ValueError("fine grid: range")
        if integer and not (minimum >= -(2**63) and maximum < 2**64):
            raise ValueError("fine grid: range")
        if (
            not len(counts)
            or int(counts.min()) < 0
            or low != self._index(minimum, shift)
            or len(counts) != self._index(maximum, shift) - low + 1
            or len(counts) > FINE_BINS
            or counts[0] <= 0
            or counts[-1] <= 0
        ):
            raise ValueError("fine grid: counts do not fit its range")
