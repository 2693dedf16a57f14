"""The ASCII shortcut for string lengths gives what decoding gives, for any text."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from dataprof.profiling.accumulators.lengths import char_lengths


@given(
    st.lists(st.text(max_size=12), max_size=40),
    st.sampled_from([pa.string(), pa.large_string()]),
    st.integers(0, 5),
    st.integers(0, 5),
)
def test_char_lengths_equal_utf8_length(
    values: list[str], text_type: pa.DataType, head: int, tail: int
) -> None:
    arr = pa.array(values, text_type)
    sliced = arr.slice(min(head, len(arr)), max(0, len(arr) - head - tail))
    assert char_lengths(sliced).to_pylist() == pc.utf8_length(sliced).to_pylist()


def test_a_non_ascii_value_outside_the_slice_does_not_matter() -> None:
    arr = pa.array(["é" * 3, "abc", "de"])
    assert char_lengths(arr.slice(1)).to_pylist() == [3, 2]
    assert char_lengths(arr).to_pylist() == [3, 3, 2]
