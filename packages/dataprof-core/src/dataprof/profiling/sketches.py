"""Apache DataSketches, wrapped so that they pickle as bytes, and how profiles store them.

Which figure uses which sketch, and when a column counts exactly instead, is told
in :mod:`.value_counter` (distinct count, top values) and the numeric accumulator
(quantiles: KLL; histogram and outlier count past the exact-count budget: the
deterministic :mod:`.accumulators.distribution_summary`).

Sketches in a finished profile (``TableProfile.sketches``) are base64 strings:
``"<column>/kll"`` is a ``datasketches.kll_doubles_sketch`` over the column's values
as float64 (temporal values as their integer epoch units), ``"<column>/top"`` a
``datasketches.frequent_strings_sketch`` over the values rendered as Arrow renders
them as strings (temporal values as their integer epoch units). :func:`decode_kll`
and :func:`decode_top` read them back, refusing damaged bytes
(:mod:`dataprof.profiling.sketch_checks`) before the native library reads them.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from dataprof.profiling.kll_build import BUILD_MIN_VALUES, kll_bytes_of_sorted

if TYPE_CHECKING:
    import datasketches

__all__ = [
    "FREQUENT_LG_MAX_MAP_SIZE",
    "HLL_LG_K",
    "KLL_K",
    "KllSketch",
    "decode_kll",
    "decode_top",
    "ds_module",
    "encode_sketch",
]

KLL_K = 200
"""KLL accuracy: normalized rank error ~1.65% for one quantile (99% confidence)."""
HLL_LG_K = 14
"""HLL with 2**14 registers: ~0.8% relative standard error (about 16 KiB)."""
FREQUENT_LG_MAX_MAP_SIZE = 13
"""Frequent items keep up to 0.75 * 2**13 = 6144 values; count error <= 3.5/8192 * N."""


def encode_sketch(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def ds_module() -> Any:
    """datasketches, imported on first use so that importing the engine stays light."""
    import datasketches

    return datasketches


def decode_kll(encoded: str) -> datasketches.kll_doubles_sketch:
    """The KLL sketch stored under ``"<column>/kll"`` in a profile."""
    from dataprof.profiling.sketch_checks import checked_kll

    return checked_kll(base64.b64decode(encoded))


def decode_top(encoded: str) -> datasketches.frequent_strings_sketch:
    """The frequent-strings sketch stored under ``"<column>/top"`` in a profile."""
    from dataprof.profiling.sketch_checks import checked_frequent_strings

    return checked_frequent_strings(base64.b64decode(encoded))


class KllSketch:
    """A KLL doubles sketch that pickles as bytes (the bindings' objects do not)."""

    __slots__ = ("sketch",)

    def __init__(self, sketch: Any = None) -> None:
        self.sketch = sketch if sketch is not None else ds_module().kll_doubles_sketch(KLL_K)

    def update(self, values: Any) -> None:
        """``values``: a float64 numpy array, fed in one call (the vectorized overload),
        or sorted and built by numpy then merged when it is long (:mod:`.kll_build`)."""
        if len(values) >= BUILD_MIN_VALUES:
            import numpy as np

            values = np.sort(values)
        self.update_sorted(values)

    def update_sorted(self, values: Any) -> None:
        """:meth:`update` of values already sorted (a float64 numpy array)."""
        if len(values) < BUILD_MIN_VALUES:
            if len(values):
                self.sketch.update(values)
            return
        built = kll_bytes_of_sorted(values, KLL_K)
        self.sketch.merge(ds_module().kll_doubles_sketch.deserialize(built))

    def merge(self, other: KllSketch) -> None:
        self.sketch.merge(other.sketch)

    @property
    def exact(self) -> bool:
        """True while the sketch still holds every value it was given."""
        return not self.sketch.is_estimation_mode()

    @property
    def rank_error(self) -> float:
        return float(self.sketch.normalized_rank_error(False))

    @property
    def pmf_rank_error(self) -> float:
        return float(self.sketch.normalized_rank_error(True))

    def __getstate__(self) -> bytes:
        return bytes(self.sketch.serialize())

    def __setstate__(self, state: bytes) -> None:
        from dataprof.profiling.sketch_checks import checked_kll

        self.sketch = checked_kll(state)
