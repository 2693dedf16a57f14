"""The numpy HyperLogLog used for numbers past the exact budget: accurate, split-proof,
and strict about the bytes it reads."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling import finalize, merge_states, profile_batches
from dataprof.profiling.register_hll import MAGIC, RegisterHll, hash_words

RELATIVE_STD_ERROR = 1.04 / 128  # 1.04 / sqrt(2**14)


def _hll(values: np.ndarray) -> RegisterHll:
    hll = RegisterHll()
    hll.update_hashes(hash_words(values))
    return hll


@pytest.mark.parametrize("n", [1, 7, 100, 5_000, 200_000, 3_000_000])
def test_the_estimate_is_within_four_standard_errors(n: int) -> None:
    values = np.arange(n, dtype=np.int64) * 104_729 - 17
    estimate = _hll(values).get_estimate()
    assert abs(estimate - n) <= max(1.0, 4 * RELATIVE_STD_ERROR * n)


def test_repeats_do_not_count() -> None:
    values = np.tile(np.arange(1_000, dtype=np.int64), 50)
    assert abs(_hll(values).get_estimate() - 1_000) <= 4 * RELATIVE_STD_ERROR * 1_000


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=0, max_size=400),
    st.integers(0, 400),
)
def test_merging_parts_equals_the_whole_in_any_order(values: list[int], cut: int) -> None:
    whole = _hll(np.array(values, dtype=np.int64))
    left = _hll(np.array(values[:cut], dtype=np.int64))
    right = _hll(np.array(values[cut:], dtype=np.int64))
    one, other = RegisterHll(left.registers.copy()), RegisterHll(right.registers.copy())
    one.merge(right)
    other.merge(left)
    assert np.array_equal(one.registers, whole.registers)
    assert np.array_equal(other.registers, whole.registers)


def test_bytes_round_trip_and_damage_is_refused() -> None:
    hll = _hll(np.arange(10_000, dtype=np.int64))
    data = hll.serialize_compact()
    assert RegisterHll.from_bytes(data).get_estimate() == hll.get_estimate()
    with pytest.raises(ValueError, match="expected"):
        RegisterHll.from_bytes(data[:-1])
    with pytest.raises(ValueError, match="rank"):
        RegisterHll.from_bytes(MAGIC + bytes([200]) * (len(data) - len(MAGIC)))


def test_a_column_past_the_budget_counts_the_same_however_it_is_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0.05")  # ~3,000 numbers
    rng = np.random.default_rng(3)
    table = pa.table(
        {
            "i": rng.integers(0, 60_000, 100_000),
            "f": rng.normal(0, 1, 100_000),
            "t": pa.array(rng.integers(0, 10**12, 100_000), pa.timestamp("us")),
        }
    )

    def distinct(parts: int) -> dict[str, tuple[int | None, bool]]:
        size = table.num_rows // parts
        states = [
            profile_batches(
                table.slice(i * size, size).to_batches(9_999), table.schema, column_metrics=[]
            )
            for i in range(parts)
        ]
        state = states[0]
        for other in states[1:]:
            state = merge_states(state, other)
        return {
            c.column_name: (c.distinct_count, c.metrics["distinct_count"].exact)
            for c in finalize(state).columns
        }

    whole = distinct(1)
    assert whole == distinct(4)
    for name in ("i", "f", "t"):
        count, exact = whole[name]
        truth = len(np.unique(table.column(name).to_numpy()))
        assert not exact
        assert count is not None
        assert abs(count - truth) <= 4 * RELATIVE_STD_ERROR * truth
