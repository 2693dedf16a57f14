"""Long text and binary values: a profile's size does not grow with a value's length nor
with how many bytes its characters take; a cut min is a lower bound and a cut max an
upper bound, and both say so."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dataprof.profiling import ColumnProfile, finalize, merge_states, profile_batches
from dataprof.profiling.accumulators.long_values import (
    MAX_BINARY_BYTES,
    MAX_KEY_CHARS,
    MAX_TEXT_BYTES,
    SHOWN_PREFIX_BYTES,
    bounded_keys,
    bounded_value,
)
from dataprof.stores import LocalProfileStore
from dataprof.stores.codec import profile_to_json

BIG = 10 * 1024 * 1024
# Characters of 1, 2, 3 and 4 bytes, and those whose successor takes one byte more
# (U+007F, U+07FF, U+FFFF: a bumped upper bound must not outgrow the limit).
WIDE = "aé数\U0001f600\x7f\u07ff\uffff"


def utf8_size(value: str) -> int:
    return len(value.encode("utf-8"))


def near(low: int, high: int) -> st.SearchStrategy[str]:
    """Text of ``low`` to ``high`` characters of every width, built from a few draws
    (hypothesis refuses to draw thousands of characters one by one)."""
    return st.builds(
        lambda head, char, count, tail: head + char * count + tail,
        st.text(WIDE, max_size=6),
        st.sampled_from(WIDE),
        st.integers(low, high),
        st.text(WIDE, max_size=6),
    )


def columns_of(table: pa.Table, splits: int = 1) -> dict[str, ColumnProfile]:
    size = max(1, -(-table.num_rows // splits))
    states = [
        profile_batches(table.slice(s, size).to_batches(), table.schema, column_metrics=[])
        for s in range(0, table.num_rows, size)
    ]
    state = states[0]
    for other in states[1:]:
        state = merge_states(state, other)
    return {c.column_name: c for c in finalize(state).columns}


def test_a_ten_mib_string_does_not_reach_the_profile(tmp_path: Path) -> None:
    huge = "z" * BIG
    table = pa.table(
        {"s": [huge, "a", huge + "!", "b"], "b": [b"\x01" * BIG, b"\x00", None, b"\x02"]}
    )
    state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
    profile = finalize(state, database="db", table="t")
    text = profile_to_json(profile)
    assert len(text) < 100_000
    LocalProfileStore(tmp_path).save_run(profile)
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.json")) < 200_000
    assert len(state.to_bytes()) < 200_000  # states sent between processes stay small too
    s = {c.column_name: c for c in profile.columns}["s"]
    assert s.min_value == "a"
    assert s.metrics["min"].exact
    assert s.max_value == "z" * (MAX_TEXT_BYTES - 1) + "{"  # prefix, last character bumped
    assert not s.metrics["max"].exact
    assert s.metrics["max"].error_kind == "bound"
    assert s.distinct_count == 4  # the two long values share a prefix and still count apart
    assert all(len(str(t.value)) < MAX_TEXT_BYTES + 40 for t in s.top_values)


@given(
    values=st.lists(
        st.one_of(
            st.text(max_size=300),
            st.text(alphabet="ab\U0010ffff", min_size=120, max_size=200),
            # around 128 bytes: a cut at a byte count can fall inside any character, and
            # "abcd" (whole) vs "abcé…" (cut to "abc") no longer sort as their values do
            near(25, 140),
            st.builds(lambda n, tail: "a" * n + tail, st.integers(120, 130), st.text(WIDE)),
        ),
        min_size=1,
        max_size=30,
    ),
    splits=st.integers(1, 3),
)
# the max of a part whole, the greater one's cut shorter: "a"*127 + "é…" cuts to "a"*127
@example(values=["a" * 127 + "d", "a" * 127 + "éx"], splits=2)
@example(values=["a" * 127 + "éx", "a" * 127 + "d"], splits=2)
@example(values=["a" * 127 + "éx", "a" * 127 + "é"], splits=2)
def test_cut_min_and_max_bracket_the_true_ones(values: list[str], splits: int) -> None:
    column = columns_of(pa.table({"s": pa.array(values, pa.string())}), splits)["s"]
    low, high = min(values), max(values)
    assert column.min_value <= low
    assert low.startswith(column.min_value)
    assert column.metrics["min"].exact == (column.min_value == low)
    assert utf8_size(column.min_value) <= MAX_TEXT_BYTES
    if column.metrics["max"].exact:
        assert column.max_value == high
    elif column.max_value is not None:
        assert column.max_value > high
        assert column.metrics["max"].error_kind == "bound"
        assert utf8_size(column.max_value) <= MAX_TEXT_BYTES
    assert column.distinct_count == len(set(values))
    assert all(utf8_size(t.value) <= MAX_TEXT_BYTES for t in column.top_values)


@given(
    values=st.lists(
        st.one_of(
            st.text(max_size=200),
            st.text(alphabet=WIDE, max_size=60),
            near(20, 140),  # around 128 bytes (and 107, the prefix of a shown long value)
            near(4_090, 4_100),  # counting keys cut to a prefix and a digest too
        ),
        max_size=20,
    ),
    start=st.integers(0, 3),
    large=st.booleans(),
)
def test_shown_text_is_the_same_one_at_a_time_or_in_arrow(
    values: list[str], start: int, large: bool
) -> None:
    """bounded_keys (Arrow, for many keys) and bounded_value (one key) show a value
    alike, in at most MAX_TEXT_BYTES bytes, cut at a character; a shown value is shown
    as it is, so the profile shows a sketch's key (past the budget) unchanged."""
    arr = pa.array(values, pa.large_string() if large else pa.string()).slice(start)
    shown = bounded_keys(arr, binary=False).to_pylist()
    assert shown == [bounded_value(v) for v in values[start:]]
    for value, text in zip(values[start:], shown, strict=True):
        assert utf8_size(text) <= MAX_TEXT_BYTES
        assert bounded_value(text) == text
        if text != value:
            prefix = text[: text.rindex("…#")]
            assert value.startswith(prefix)
            assert utf8_size(value) > MAX_TEXT_BYTES
            assert utf8_size(prefix) > SHOWN_PREFIX_BYTES - 4  # only a cut character lost


@given(values=st.lists(st.binary(max_size=150), min_size=1, max_size=30), splits=st.integers(1, 3))
def test_binary_bounds_and_counts(values: list[bytes], splits: int) -> None:
    column = columns_of(pa.table({"b": pa.array(values, pa.binary())}), splits)["b"]
    low, high = min(values), max(values)
    assert bytes.fromhex(column.min_value) == low[:MAX_BINARY_BYTES]
    if column.metrics["max"].exact:
        assert bytes.fromhex(column.max_value) == high
    elif column.max_value is not None:
        assert bytes.fromhex(column.max_value) > high
    assert column.distinct_count == len(set(values))


@pytest.mark.parametrize("budget_mib", ["32", "0"])  # exact counts; sketches past the budget
@pytest.mark.parametrize("fill", ["x", "é", "数", "\U0001f600"])  # 1 to 4 bytes a character
def test_a_run_of_100_wide_text_columns_stays_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget_mib: str, fill: str
) -> None:
    """100 columns of 200 distinct 5,000-character values wrote 5.2 MB (4.3 MB of it the
    stored `<column>/top` sketches), and 12 MB past the budget (every tied value listed
    as a top value). The stored sketch keeps the 32 most frequent values and ties are
    cut at top_n (1.6 MB); the run file holds each value once, its sketches' items as
    text (0.83 MB; 0.92 MB past the budget). Shown text cut at 128 characters still
    made 1.37 MB of "é" and 1.91 MB (2.0 MB past the budget) of CJK; cut at 128 bytes
    every text is bounded in bytes: under the issue's 1 MB whatever the characters."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", budget_mib)
    values = [f"{i:04d}" + fill * 4_996 for i in range(200)]
    # One Arrow array shared by the 100 columns: the table costs one column's memory.
    column = pa.array([values[(i * 7) % 200] for i in range(400)], pa.string())
    table = pa.table({f"c{n:03d}": column for n in range(100)})
    state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
    profile = finalize(state, database="db", table="wide")
    LocalProfileStore(tmp_path).save_run(profile)
    written = sum(p.stat().st_size for p in tmp_path.rglob("*.json"))
    assert written < 1_000_000, written
    assert all(len(c.top_values) <= 10 for c in profile.columns)
    first = profile.columns[0]
    assert first.min_value == values[0].encode()[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    assert not first.metrics["min"].exact
    assert all(utf8_size(t.value) <= MAX_TEXT_BYTES for t in first.top_values)
    # drift still has the most frequent values to compare
    from dataprof.profiling import decode_top

    top = decode_top(profile.sketches["c000/top"])
    assert 10 <= top.num_active_items <= 32


@pytest.mark.parametrize("fill", ["p", "é", "数"])
def test_long_values_show_alike_counted_exactly_or_past_the_budget(
    monkeypatch: pytest.MonkeyPatch, fill: str
) -> None:
    """Past the budget the profile shows the frequent-items sketch's keys: they are the
    exact path's shown values, not those shown again (a digest of a digest)."""
    base = fill * 1_000
    values = ([base + "1"] * 3 + [base + "2"] * 2 + [base + "3"]) * 50
    table = pa.table({"s": values})
    shown = {}
    for budget in ("32", "0"):
        monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", budget)
        column = columns_of(table, splits=2)["s"]
        assert column.metrics["distinct_count"].exact == (budget == "32")
        shown[budget] = [t.value for t in column.top_values]
    assert shown["32"] == [bounded_value(base + str(n)) for n in (1, 2, 3)]
    assert shown["0"] == shown["32"]


def test_values_up_to_four_kib_are_counted_whole_and_shown_cut() -> None:
    """Values sharing their first 128 bytes count apart, are shown as prefix and
    digest, and look the same whether counted exactly or past the budget."""
    base = "p" * 1_000
    values = [base + "1"] * 3 + [base + "2"] * 2 + [base + "3"]
    table = pa.table({"s": values})
    column = columns_of(table)["s"]
    assert column.distinct_count == 3
    assert column.metrics["distinct_count"].exact
    shown = [t.value for t in column.top_values]
    assert shown == [
        bounded_value(base + "1"),
        bounded_value(base + "2"),
        bounded_value(base + "3"),
    ]
    assert all(len(v) < MAX_TEXT_BYTES + 24 for v in shown)
    assert len({v[:SHOWN_PREFIX_BYTES] for v in shown}) == 1  # the same prefix, told apart
    assert bounded_value("q" * (MAX_KEY_CHARS + 10)) != bounded_value("q" * (MAX_KEY_CHARS + 11))
