"""Lengths: shared by strings, binaries and lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataprof.profiling.accumulators.base import _MetricSet

if TYPE_CHECKING:
    import pyarrow as pa


class _LengthMixin:
    """Min, mean and max length and the empty count of strings, binaries and lists."""

    valid: int
    empty: int
    len_min: int | None
    len_max: int | None
    len_sum: int

    def _init_lengths(self) -> None:
        self.valid = 0
        self.empty = 0
        self.len_min = None
        self.len_max = None
        self.len_sum = 0

    def _add_lengths(self, lengths: pa.Array) -> None:
        import pyarrow.compute as pc

        bounds = pc.min_max(lengths)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if low is None:
            return
        self.valid += len(lengths) - lengths.null_count
        self.len_sum += int(pc.sum(lengths).as_py() or 0)
        self.empty += int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
        self.len_min = low if self.len_min is None else min(self.len_min, low)
        self.len_max = high if self.len_max is None else max(self.len_max, high)

    def _merge_lengths(self, other: _LengthMixin) -> None:
        self.valid += other.valid
        self.empty += other.empty
        self.len_sum += other.len_sum
        for attr, pick in (("len_min", min), ("len_max", max)):
            mine, theirs = getattr(self, attr), getattr(other, attr)
            if theirs is not None:
                setattr(self, attr, theirs if mine is None else pick(mine, theirs))

    def _finalize_lengths(self, metrics: _MetricSet) -> None:
        metrics.add("valid_count", self.valid)
        metrics.add("empty_count", self.empty)
        metrics.add("length_min", self.len_min)
        metrics.add("length_max", self.len_max)
        metrics.add("length_mean", self.len_sum / self.valid if self.valid else None)
