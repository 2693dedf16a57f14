"""Lengths: shared by strings, binaries and lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import _MetricSet
from dataprof.profiling.offsets import value_offsets

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa


def char_lengths(arr: pa.Array) -> pa.Array:
    """Characters in each value of a string array without nulls: its byte lengths when
    every byte is ASCII (one numpy max over the data, where ``utf8_length`` decodes
    every value: 0.25 s for five million 100-byte values), else ``utf8_length``."""
    import numpy as np
    import pyarrow.compute as pc

    byte_lengths = pc.binary_length(arr)
    data = arr.buffers()[2]
    if data is None or not len(arr):
        return byte_lengths
    offsets = value_offsets(arr)
    first, last = int(offsets[0]), int(offsets[-1])
    if first == last or int(np.frombuffer(data, dtype=np.uint8)[first:last].max()) < 0x80:
        return byte_lengths
    return pc.utf8_length(arr)


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

    def _add_weighted_lengths(self, lengths: npt.NDArray[Any], weights: npt.NDArray[Any]) -> None:
        """Distinct values' lengths, each value occurring ``weights[i]`` times (>= 1)."""
        if not len(lengths):
            return
        self.valid += int(weights.sum())
        self.len_sum += int((lengths * weights).sum())  # at most the batch's bytes
        self.empty += int(weights[lengths == 0].sum())
        low, high = int(lengths.min()), int(lengths.max())
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
