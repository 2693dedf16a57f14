"""The text HLL: short values by numpy, long ones by DataSketches, counted once whichever
part of a table holds them, and only read back from bytes it wrote."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling.text_hll import SHORT_BYTES, TextHll

_VALUES = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.integers(SHORT_BYTES - 3, SHORT_BYTES + 3).map(lambda n: "x" * n),
        st.text(min_size=60, max_size=90),
    ),
    max_size=200,
)


@settings(max_examples=50, deadline=None)
@given(_VALUES, st.integers(0, 200), st.sampled_from([pa.string(), pa.large_string()]))
def test_parts_merged_count_what_one_pass_counts(
    values: list[str], cut: int, text_type: pa.DataType
) -> None:
    whole = TextHll()
    whole.update_keys(pa.array(values, text_type))
    first, second = TextHll(), TextHll()
    first.update_keys(pa.array(values[:cut], text_type))
    second.update_keys(pa.array(values[cut:] + values[:cut], text_type))  # repeats count once
    first.merge(second)
    distinct = len(set(values))
    assert first.get_estimate() == pytest.approx(whole.get_estimate(), rel=1e-9)
    assert whole.get_estimate() == pytest.approx(distinct, rel=0.02, abs=0.5)
    assert whole.get_lower_bound(2) <= whole.get_estimate() <= whole.get_upper_bound(2)
    assert whole.is_empty() == (not values)


def test_bytes_count_like_text_and_round_trip() -> None:
    short = [f"id-{i}".encode() for i in range(300)]
    long = [b"y" * 100 + str(i).encode() for i in range(300)]
    sketch = TextHll()
    sketch.update_keys(pa.array(short + long + short, pa.binary()))
    assert sketch.get_estimate() == pytest.approx(600, rel=0.02)
    back = TextHll.from_bytes(sketch.serialize_compact())
    assert back.get_estimate() == sketch.get_estimate()


@pytest.mark.parametrize("cut", [0, 3, 11, 20, -1])
def test_damaged_bytes_are_refused(cut: int) -> None:
    sketch = TextHll()
    sketch.update_keys(pa.array(["a", "b" * 100]))
    data = sketch.serialize_compact()
    with pytest.raises(ValueError):  # noqa: PT011 - any damage, one error family
        TextHll.from_bytes(data[:cut] if cut >= 0 else data[:7] + b"\xff\xff\xff\xff" + data[11:])
