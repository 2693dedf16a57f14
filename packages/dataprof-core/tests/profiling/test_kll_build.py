"""KLL sketches built by numpy are sketches DataSketches reads, merges and checks, with
the rank error it states."""

from __future__ import annotations

import struct

import datasketches as ds
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling.kll_build import BUILD_MIN_VALUES, kll_bytes_of_sorted, total_capacity
from dataprof.profiling.sketch_checks import checked_kll
from dataprof.profiling.sketches import KLL_K, KllSketch


@pytest.mark.parametrize("n", [300, 1_000, 10_000, 200_000])
def test_capacity_is_datasketches_own(n: int) -> None:
    sketch = ds.kll_doubles_sketch(KLL_K)
    sketch.update(np.arange(n, dtype=float))
    data = bytes(sketch.serialize())
    levels = data[18]
    (first,) = struct.unpack_from("<I", data, 20)
    assert first + sketch.num_retained == total_capacity(KLL_K, levels)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(BUILD_MIN_VALUES, 30_000),
    st.sampled_from(["normal", "few", "constant", "huge"]),
    st.integers(0, 2**32 - 1),
)
def test_built_sketch_holds_the_values_within_its_error(n: int, shape: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = {
        "normal": lambda: rng.normal(0, 1, n),
        "few": lambda: rng.integers(-3, 4, n).astype(float),
        "constant": lambda: np.full(n, 7.5),
        "huge": lambda: rng.choice([-1e300, -1.0, 0.0, 5e-324, 1e300], n),
    }[shape]()
    ordered = np.sort(values)
    sketch = ds.kll_doubles_sketch.deserialize(kll_bytes_of_sorted(ordered, KLL_K))
    assert sketch.n == n
    assert sketch.get_min_value() == ordered[0]
    assert sketch.get_max_value() == ordered[-1]
    error = sketch.normalized_rank_error(False)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        value = sketch.get_quantile(q)
        low = np.searchsorted(ordered, value, side="left") / n
        high = np.searchsorted(ordered, value, side="right") / n
        assert low - error <= q <= high + error, (q, value, low, high)
    checked_kll(bytes(sketch.serialize()))  # what a stored profile's check accepts


def test_batches_built_and_merged_match_the_exact_quantiles() -> None:
    values = np.random.default_rng(3).lognormal(3, 1, 1_000_000)
    sketch = KllSketch()
    for start in range(0, len(values), 65_536):
        sketch.update(values[start : start + 65_536])
    assert sketch.sketch.n == len(values)
    ordered = np.sort(values)
    for q in np.linspace(0.01, 0.99, 25):
        rank = np.searchsorted(ordered, sketch.sketch.get_quantile(q), side="right") / len(values)
        assert abs(rank - q) <= sketch.rank_error
    assert sketch.sketch.get_min_value() == ordered[0]
    assert sketch.sketch.get_max_value() == ordered[-1]
