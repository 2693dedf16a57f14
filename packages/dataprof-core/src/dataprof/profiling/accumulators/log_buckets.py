"""Signed logarithmic buckets: where a numeric column's values lie, to ~1% of their size.

Past the exact-count budget a column's outlier fences and counts need quantiles
and ranks that are the same on every run and for any split of the table. KLL
cannot give that (its compactions are random and the bindings take no seed);
these buckets can (the idea of DDSketch, Masson et al. 2019): a value ``x > 0``
falls in bucket ``ceil(log_gamma(x))``, which covers ``(gamma**(i-1), gamma**i]``;
negative values are bucketed by ``|x|`` apart from the positive ones, and zeros
are counted on their own. A bucket's width is ``ALPHA`` of its values (relative
accuracy), whatever the range, so heavy tails and values near zero keep their
shape. Merging two summaries adds their counts bucket by bucket, so the result
does not depend on how the rows were split or in which order parts merged, and
0 is always a bucket boundary (the negative buckets hold exactly the negative
values).

Counts are int64 in a dense window of bucket indices per sign (a float64 column
needs at most ``2 * INDEX_LIMIT`` buckets a sign); a state holds only the
non-empty ones.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["ALPHA", "INDEX_LIMIT", "LogBuckets"]

ALPHA = 0.01
"""Relative accuracy: a bucket's representative value is within 1% of every value in it."""
_GAMMA = (1 + ALPHA) / (1 - ALPHA)
_LOG_GAMMA = math.log(_GAMMA)
INDEX_LIMIT = 40_000
"""Bucket indices of float64 values lie within +-37,600 (5e-324 to 1.8e308)."""
_EDGE_SLACK = 1e-9
"""A bucket's bounds are widened by this share, so a value the logarithm rounded into a
neighbouring bucket still lies within the bounds its bucket claims."""


def _bucket_indices(magnitudes: npt.NDArray[Any]) -> npt.NDArray[Any]:
    import numpy as np

    indices: npt.NDArray[Any] = np.ceil(np.log(magnitudes) / _LOG_GAMMA).astype(np.int64)
    return indices


class _Side:
    """The buckets of one sign: ``counts[j]`` is bucket ``low + j`` of ``|x|``."""

    __slots__ = ("counts", "low")

    def __init__(self) -> None:
        import numpy as np

        self.low = 0
        self.counts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

    def add(self, indices: npt.NDArray[Any], weights: npt.NDArray[Any] | None) -> None:
        import numpy as np

        if not len(indices):
            return
        first, last = int(indices.min()), int(indices.max())
        self._cover(first, last)
        if weights is None:
            found = np.bincount(indices - self.low, minlength=len(self.counts))
        else:  # float64 weights: exact below 2**53 values, more than any table holds
            found = np.rint(
                np.bincount(indices - self.low, weights=weights, minlength=len(self.counts))
            )
        self.counts += found.astype(np.int64)

    def add_side(self, other: _Side) -> None:
        if not len(other.counts):
            return
        self._cover(other.low, other.low + len(other.counts) - 1)
        start = other.low - self.low
        self.counts[start : start + len(other.counts)] += other.counts

    def _cover(self, first: int, last: int) -> None:
        """Widen the window to hold bucket indices ``first..last``."""
        import numpy as np

        if not len(self.counts):
            self.low = first
            self.counts = np.zeros(last - first + 1, dtype=np.int64)
            return
        high = self.low + len(self.counts) - 1
        if first >= self.low and last <= high:
            return
        new_low, new_high = min(first, self.low), max(last, high)
        counts = np.zeros(new_high - new_low + 1, dtype=np.int64)
        counts[self.low - new_low : self.low - new_low + len(self.counts)] = self.counts
        self.low, self.counts = new_low, counts

    def nonzero(self) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        import numpy as np

        where = np.flatnonzero(self.counts)
        return where + self.low, self.counts[where]


class LogBuckets:
    """A mergeable, deterministic summary of a numeric column's finite values."""

    def __init__(self) -> None:
        self.zeros = 0
        self._pos = _Side()
        self._neg = _Side()

    @property
    def total(self) -> int:
        return self.zeros + int(self._pos.counts.sum()) + int(self._neg.counts.sum())

    @property
    def negatives(self) -> int:
        return int(self._neg.counts.sum())

    # -- adding ------------------------------------------------------------------------
    def update(self, values: npt.NDArray[Any], weights: npt.NDArray[Any] | None = None) -> None:
        """Add finite float64 ``values`` (each ``weights[i]`` times, when given)."""
        import numpy as np

        positive = values > 0
        negative = values < 0
        zero = ~(positive | negative)
        if weights is None:
            self.zeros += int(np.count_nonzero(zero))
            self._pos.add(_bucket_indices(values[positive]), None)
            self._neg.add(_bucket_indices(-values[negative]), None)
            return
        self.zeros += int(np.rint(weights[zero].sum()))
        self._pos.add(_bucket_indices(values[positive]), weights[positive])
        self._neg.add(_bucket_indices(-values[negative]), weights[negative])

    def merge(self, other: LogBuckets) -> None:
        self.zeros += other.zeros
        self._pos.add_side(other._pos)
        self._neg.add_side(other._neg)

    # -- reading -----------------------------------------------------------------------
    def _ordered(
        self, minimum: float, maximum: float
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
        """Every non-empty bucket in value order: (lowest value it may hold, highest,
        representative value, count), each clamped to the column's ``[minimum, maximum]``."""
        import numpy as np

        neg_index, neg_counts = self._neg.nonzero()
        pos_index, pos_counts = self._pos.nonzero()
        neg_index, neg_counts = neg_index[::-1], neg_counts[::-1]  # most negative first
        with np.errstate(over="ignore", under="ignore"):
            pos_high = np.exp(pos_index * _LOG_GAMMA) * (1 + _EDGE_SLACK)
            pos_low = np.exp((pos_index - 1) * _LOG_GAMMA) * (1 - _EDGE_SLACK)
            neg_high = -np.exp((neg_index - 1) * _LOG_GAMMA) * (1 - _EDGE_SLACK)
            neg_low = -np.exp(neg_index * _LOG_GAMMA) * (1 + _EDGE_SLACK)
            pos_mid = np.exp(pos_index * _LOG_GAMMA + math.log(2 / (1 + _GAMMA)))
            neg_mid = -np.exp(neg_index * _LOG_GAMMA + math.log(2 / (1 + _GAMMA)))
        zero = np.array([0.0] if self.zeros else [])
        lows = np.concatenate([neg_low, zero, pos_low])
        highs = np.concatenate([neg_high, zero, pos_high])
        mids = np.concatenate([neg_mid, zero, pos_mid])
        counts = np.concatenate(
            [neg_counts, np.array([self.zeros] if self.zeros else [], np.int64), pos_counts]
        )

        def clamp(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            clamped: npt.NDArray[Any] = np.clip(a, minimum, maximum)
            return clamped

        return clamp(lows), clamp(highs), clamp(mids), counts

    def quantile_function(self, minimum: float, maximum: float) -> Any:
        """``rank -> value``: the inverted-CDF quantile (the smallest value whose
        cumulative share reaches the rank), as its bucket's representative value."""
        import numpy as np

        _, _, mids, counts = self._ordered(minimum, maximum)
        cumulative = np.cumsum(counts)
        total = int(cumulative[-1]) if len(cumulative) else 0

        def quantile(rank: float) -> float:
            if not total:
                return math.nan
            target = max(math.ceil(rank * total - 1e-9), 1)
            index = min(int(np.searchsorted(cumulative, target, side="left")), len(mids) - 1)
            return float(mids[index])

        return quantile

    def count_outside(
        self, lower: float, upper: float, minimum: float, maximum: float
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """((fewest, most) values below ``lower``, (fewest, most) above ``upper``): a
        bucket wholly past a fence counts in both, one that straddles it only in most."""
        lows, highs, _, counts = self._ordered(minimum, maximum)
        below = (int(counts[highs < lower].sum()), int(counts[lows < lower].sum()))
        above = (int(counts[lows > upper].sum()), int(counts[highs > upper].sum()))
        return below, above

    # -- pickling: plain values --------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {"zeros": self.zeros}
        for name, side in (("pos", self._pos), ("neg", self._neg)):
            index, counts = side.nonzero()
            state[name] = (index.astype("<i4").tobytes(), counts.astype("<i8").tobytes())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Refuses (ValueError) anything :meth:`__getstate__` could not have written."""
        import numpy as np

        if not isinstance(state, dict) or set(state) != {"zeros", "pos", "neg"}:
            raise ValueError("log buckets: not a summary's fields")
        zeros = state["zeros"]
        if type(zeros) is not int or zeros < 0:
            raise ValueError("log buckets: zero count")
        self.zeros = zeros
        self._pos, self._neg = _Side(), _Side()
        for name, side in (("pos", self._pos), ("neg", self._neg)):
            pair = state[name]
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or not all(isinstance(b, bytes) for b in pair)
            ):
                raise ValueError(f"log buckets: {name} is not (indices, counts)")
            raw_index, raw_counts = pair
            if len(raw_index) % 4 or len(raw_counts) != 2 * len(raw_index):
                raise ValueError(f"log buckets: {name} lengths")
            if len(raw_index) > 4 * (2 * INDEX_LIMIT + 1):
                raise ValueError(f"log buckets: {name} holds too many buckets")
            index = np.frombuffer(raw_index, dtype="<i4").astype(np.int64)
            counts = np.frombuffer(raw_counts, dtype="<i8").astype(np.int64)
            if not len(index):
                continue
            if (
                int(index.min()) < -INDEX_LIMIT
                or int(index.max()) > INDEX_LIMIT
                or (len(index) > 1 and not bool(np.all(np.diff(index) > 0)))
                or int(counts.min()) <= 0
            ):
                raise ValueError(f"log buckets: {name} buckets out of order or range")
            side._cover(int(index[0]), int(index[-1]))
            side.counts[index - side.low] = counts
