"""The text HLL and its hash: a value counted once whichever part of a table holds it,
hashes that depend on the bytes only, and sketches read back only from bytes they wrote."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling.register_hll import RegisterHll, hash_words
from dataprof.profiling.text_hash import hash_text
from dataprof.profiling.text_hll import TextHll

_VALUES = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.integers(0, 40).map(lambda n: "x" * n),
        st.text(min_size=60, max_size=90),
        st.binary(max_size=3000).map(lambda b: b.hex()),
    ),
    max_size=200,
)


def _reference_hash(value: bytes) -> int:
    """:func:`.hash_text` of one value, in plain Python integers (the documented recipe)."""
    mask = (1 << 64) - 1
    seeds = ((0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93), (0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))
    total = 0
    for k in range(-(-len(value) // 8)):
        word = int.from_bytes(value[8 * k : 8 * k + 8].ljust(8, b"\0"), "little")
        inner, outer = (((a * (2 * k + 1)) ^ b) & mask | 1 for a, b in seeds)
        mixed = ((word ^ (word >> 32)) * inner) & mask
        mixed ^= mixed >> 29
        total = (total + mixed * outer) & mask
    total = (total + len(value) * 0x94D049BB133111EB + 0x2545F4914F6CDD1D) & mask
    return int(hash_words(np.array([total], dtype=np.uint64))[0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=2100), min_size=1, max_size=60), st.integers(0, 5))
def test_hashes_follow_the_recipe_for_any_lengths_and_offsets(
    values: list[bytes], cut: int
) -> None:
    expected = [_reference_hash(v) for v in values]
    for arrow_type in (pa.binary(), pa.large_binary()):
        arr = pa.array([b"pad"] * cut + values, arrow_type).slice(cut)
        assert hash_text(arr).tolist() == expected
    as_text = [v.hex() for v in values]
    for arrow_type in (pa.string(), pa.large_string()):
        text = pa.array(as_text, arrow_type)
        assert hash_text(text).tolist() == [_reference_hash(v.encode()) for v in as_text]


def test_hashes_tell_apart_values_that_differ_in_high_bits_only() -> None:
    """A weaker mix (no fold before the multiply) gave 65,536 of these 10,800 hashes."""
    values = [
        b"abcdefg" + bytes([x]) + b"hijklmn" + bytes([y]) for x in range(256) for y in range(256)
    ]
    assert len(set(hash_text(pa.array(values, pa.binary())).tolist())) == len(values)
    top_bits = [
        b"".join(b"qqqqqqq" + bytes([(mask >> (2 * i) & 3) << 6]) for i in range(8))
        for mask in range(1 << 16)
    ]
    assert len(set(hash_text(pa.array(top_bits, pa.binary())).tolist())) == len(top_bits)


def test_a_batch_of_mixed_lengths_hashes_as_its_values_alone() -> None:
    """Short values beside a long one are padded by group, not to the longest."""
    values = [f"id-{i}" for i in range(500)] + ["y" * 5000, ""]
    together = hash_text(pa.array(values, pa.large_string()))
    alone = [int(hash_text(pa.array([v], pa.large_string()))[0]) for v in values]
    assert together.tolist() == alone
    assert len(set(alone)) == len(values)


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
    # Few values: the estimate counts the registers they occupy (two may share one)
    occupied = len({h >> 50 for h in hash_text(pa.array(values, pa.string())).tolist()})
    assert first.get_estimate() == pytest.approx(whole.get_estimate(), rel=1e-9)
    assert whole.get_estimate() == pytest.approx(occupied, rel=0.02, abs=0.5)
    assert occupied <= len(set(values))
    assert whole.get_lower_bound(2) <= whole.get_estimate() <= whole.get_upper_bound(2)
    assert whole.is_empty() == (not values)


def test_bytes_count_like_text_and_round_trip() -> None:
    short = [f"id-{i}".encode() for i in range(300)]
    long = [b"y" * 100 + str(i).encode() for i in range(300)]
    sketch = TextHll()
    sketch.update_keys(pa.array(short + long + short, pa.binary()))
    assert sketch.get_estimate() == pytest.approx(600, rel=0.02)
    as_text = TextHll()
    as_text.update_keys(pa.array([v.decode() for v in short + long], pa.string()))
    assert np.array_equal(as_text.registers, sketch.registers)
    back = TextHll.from_bytes(sketch.serialize_compact())
    assert back.get_estimate() == sketch.get_estimate()


@pytest.mark.parametrize("cut", [0, 3, 11, 20, -1])
def test_damaged_bytes_are_refused(cut: int) -> None:
    sketch = TextHll()
    sketch.update_keys(pa.array(["a", "b" * 100]))
    data = sketch.serialize_compact()
    with pytest.raises(ValueError):  # noqa: PT011 - any damage, one error family
        TextHll.from_bytes(data[:cut] if cut >= 0 else data + b"\x00")


def test_text_and_number_registers_never_mix() -> None:
    text, numbers = TextHll(), RegisterHll()
    text.update_keys(pa.array(["a"]))
    numbers.update_hashes(hash_words(np.arange(3, dtype=np.int64)))
    with pytest.raises(ValueError, match=r"RegisterHll: expected .* starting b'DPHLL1'"):
        RegisterHll.from_bytes(text.serialize_compact())
    with pytest.raises(ValueError, match=r"TextHll: expected .* starting b'DPTHLL2'"):
        TextHll.from_bytes(numbers.serialize_compact())
    with pytest.raises(ValueError, match="cannot merge"):
        numbers.merge(text)


def test_hashes_depend_on_the_bytes_only_and_count_ids_well() -> None:
    relative_std_error = 1.04 / 128  # 1.04 / sqrt(2**14)
    values = ["", "a", "a\x00", "ab", "ba", "é", "x" * 5_000, "ab"] * 3
    arr = pa.array(values, pa.large_string())
    hashes = hash_text(arr)
    assert len(set(hashes[:8].tolist())) == 7  # "ab" twice, every other value apart
    assert np.array_equal(hash_text(arr.slice(3, 10)), hashes[3:13])  # offset-free
    many = TextHll()
    many.update_keys(pa.array([f"user-{i}" for i in range(300_000)], pa.large_string()))
    assert abs(many.get_estimate() - 300_000) <= 4 * relative_std_error * 300_000
