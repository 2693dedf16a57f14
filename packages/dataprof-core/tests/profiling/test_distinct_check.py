"""``surely_distinct`` never calls a batch with a repeated value distinct, and does call
free text and ids distinct, so that counting them skips ``value_counts``."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling.distinct_check import surely_distinct

_TYPES = [pa.string(), pa.large_string(), pa.binary(), pa.large_binary()]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(max_size=20), min_size=1, max_size=60),
    st.integers(1024, 3000),
    st.sampled_from(_TYPES),
    st.integers(0, 7),
)
def test_a_repeated_value_is_never_called_distinct(
    pool: list[str], n: int, arrow_type: pa.DataType, head: int
) -> None:
    values = [pool[i % len(pool)] for i in range(n + head)]
    data = [v.encode() for v in values] if "binary" in str(arrow_type) else values
    arr = pa.array(data, arrow_type).slice(head)
    assert len(set(arr.to_pylist())) < len(arr)
    assert not surely_distinct(arr)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(_TYPES), st.integers(0, 7), st.integers(1024, 4000))
def test_free_text_and_ids_are_called_distinct(arrow_type: pa.DataType, head: int, n: int) -> None:
    values = [f"the quick brown fox jumps #{i}" if i % 2 else f"id-{i}" for i in range(n + head)]
    data = [v.encode() for v in values] if "binary" in str(arrow_type) else values
    assert surely_distinct(pa.array(data, arrow_type).slice(head))


def test_values_equal_at_both_ends_leave_it_unknown() -> None:
    # same length, first and last 8 bytes: distinct, but the check cannot tell
    values = [f"abcdefgh{i:06d}stuvwxyz" for i in range(2000)]
    assert len(set(values)) == 2000
    assert not surely_distinct(pa.array(values))


def test_short_batches_are_left_to_value_counts() -> None:
    assert not surely_distinct(pa.array([f"v{i}" for i in range(100)]))


def test_a_value_at_the_very_end_of_an_unpadded_buffer() -> None:
    values = [f"{i:08d}" for i in range(1500)]
    raw = "".join(values).encode()
    offsets = pa.array([8 * i for i in range(1501)], pa.int32())
    exact = pa.Array.from_buffers(
        pa.string(), 1500, [None, offsets.buffers()[1], pa.py_buffer(raw)]
    )
    assert exact.buffers()[2].size == len(raw)  # no padding past the last value
    assert surely_distinct(exact)
    assert not surely_distinct(pa.concat_arrays([exact, exact]))
