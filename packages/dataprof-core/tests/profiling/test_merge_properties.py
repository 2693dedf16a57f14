"""Merging the profiles of any split of a table gives the profile of the whole.

Exact figures must be equal (floating-point sums up to rounding); approximate ones
must be within the error the profile states. KLL's rank bound is a 99%-confidence
bound, so sketched quantiles are checked against twice the stated bound to keep
the property free of one-in-a-hundred flakes; HLL's bound is a 2-sigma (~95%)
one, checked at 3 sigma for the same reason.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import Counter
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from engine_reference import check_consistent, exact_budget
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.profiling import (
    ColumnProfile,
    ProfileState,
    TableProfile,
    finalize,
    merge_states,
    profile_batches,
)

SCHEMA = pa.schema(
    [
        ("i", pa.int64()),
        ("f", pa.float64()),
        ("s", pa.string()),
        ("b", pa.bool_()),
        ("ts", pa.timestamp("ms", tz="UTC")),
        ("d", pa.decimal128(8, 2)),
        ("st", pa.struct([("x", pa.int32()), ("y", pa.string())])),
    ]
)

floats = st.one_of(
    st.none(),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
rows = st.fixed_dictionaries(
    {
        "i": st.one_of(st.none(), st.integers(-50, 50), st.integers(-(2**40), 2**40)),
        "f": floats,
        "s": st.one_of(st.none(), st.sampled_from(["", "a", "b", "2024-01-01", "x@y.io", "é"])),
        "b": st.one_of(st.none(), st.booleans()),
        "ts": st.one_of(
            st.none(),
            st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
                lambda d: d.replace(microsecond=(d.microsecond // 1000) * 1000, tzinfo=dt.UTC)
            ),
        ),
        "d": st.one_of(
            st.none(), st.decimals(min_value=-999_999, max_value=999_999, places=2, allow_nan=False)
        ),
        "st": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"x": st.one_of(st.none(), st.integers(-5, 5)), "y": st.sampled_from(["p", "q"])}
            ),
        ),
    }
)


def _table(records: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(records, schema=SCHEMA)


def _state(table: pa.Table, batch_size: int) -> ProfileState:
    return profile_batches(
        table.to_batches(max_chunksize=max(batch_size, 1)), SCHEMA, column_metrics=[]
    )


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def assert_same_exact_metrics(whole: TableProfile, merged: TableProfile) -> None:
    assert merged.row_count == whole.row_count
    assert [c.column_name for c in merged.columns] == [c.column_name for c in whole.columns]
    for w, m in zip(whole.columns, merged.columns, strict=True):
        assert w.supported, w.unsupported_reason
        assert m.supported, m.unsupported_reason
        assert set(w.metrics) == set(m.metrics), w.column_name
        for name, metric in w.metrics.items():
            other = m.metrics[name]
            assert metric.exact == other.exact, (w.column_name, name)
            if metric.exact:
                assert _close(metric.value, other.value), (w.column_name, name, metric, other)


def _merge_randomly(states: list[ProfileState], rnd: random.Random) -> ProfileState:
    """Merge in a random order and a random tree shape, through bytes each time."""
    pool = [ProfileState.from_bytes(s.to_bytes(), column_metrics=[]) for s in states]
    while len(pool) > 1:
        a = pool.pop(rnd.randrange(len(pool)))
        b = pool.pop(rnd.randrange(len(pool)))
        pool.append(merge_states(a, b))
    return pool[0]


@settings(max_examples=40, deadline=None)
@given(
    records=st.lists(rows, max_size=120),
    cuts=st.lists(st.integers(0, 120), max_size=4),
    batch_size=st.integers(1, 50),
    seed=st.integers(0, 2**16),
)
def test_merging_any_split_equals_the_whole(
    records: list[dict[str, Any]], cuts: list[int], batch_size: int, seed: int
) -> None:
    table = _table(records)
    whole = finalize(_state(table, 65_536))
    check_consistent(whole)
    bounds = sorted({0, len(records), *(c for c in cuts if c <= len(records))})
    parts = [table.slice(lo, hi - lo) for lo, hi in itertools.pairwise(bounds)] or [table]
    states = [_state(part, batch_size) for part in parts]
    merged = finalize(_merge_randomly(states, random.Random(seed)))
    check_consistent(merged)
    assert_same_exact_metrics(whole, merged)


@settings(max_examples=40, deadline=None)
@given(
    records=st.lists(rows, max_size=120),
    cuts=st.lists(st.integers(0, 120), max_size=4),
    batch_size=st.integers(1, 50),
    seed=st.integers(0, 2**16),
    budget=st.sampled_from([0, 100, 400, 1_000]),
)
def test_a_small_budget_degrades_the_whole_and_the_merged_parts_alike(
    records: list[dict[str, Any]], cuts: list[int], batch_size: int, seed: int, budget: int
) -> None:
    """Exactness is a function of the set of values: whatever the split, a column is
    exact in the merged parts exactly when it is in the whole, with the same figures."""
    with exact_budget(budget / 2**20):
        table = _table(records)
        whole = finalize(_state(table, 65_536))
        bounds = sorted({0, len(records), *(c for c in cuts if c <= len(records))})
        parts = [table.slice(lo, hi - lo) for lo, hi in itertools.pairwise(bounds)] or [table]
        states = [_state(part, batch_size) for part in parts]
        merged = finalize(_merge_randomly(states, random.Random(seed)))
    check_consistent(whole)
    check_consistent(merged)
    assert_same_exact_metrics(whole, merged)


@settings(max_examples=15, deadline=None)
@given(records=st.lists(rows, min_size=1, max_size=60), seed=st.integers(0, 2**16))
def test_merge_is_commutative_and_associative(records: list[dict[str, Any]], seed: int) -> None:
    rnd = random.Random(seed)
    table = _table(records)
    n = len(records)
    i, j = sorted(rnd.randint(0, n) for _ in range(2))
    a, b, c = (_state(table.slice(lo, hi - lo), 7) for lo, hi in ((0, i), (i, j), (j, n)))
    left = finalize(merge_states(merge_states(a, b), c))
    right = finalize(merge_states(a, merge_states(c, b)))
    assert_same_exact_metrics(left, right)


def _true_rank(ordered: np.ndarray[Any, Any], value: float) -> tuple[float, float]:
    """The range of normalized ranks ``value`` occupies in ``ordered``."""
    lo = np.searchsorted(ordered, value, side="left") / len(ordered)
    hi = np.searchsorted(ordered, value, side="right") / len(ordered)
    return float(lo), float(hi)


def _check_quantiles(column: ColumnProfile, values: np.ndarray[Any, Any]) -> None:
    quantiles = column.metrics["quantiles"]
    assert not quantiles.exact
    assert quantiles.error_kind == "rank"
    assert quantiles.error_bound
    ordered = np.sort(values)
    ranks = {"p1": 0.01, "p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95, "p99": 0.99}
    for name, rank in ranks.items():
        lo, hi = _true_rank(ordered, float(quantiles.value[name]))
        slack = 2 * quantiles.error_bound
        assert lo - slack <= rank <= hi + slack, (name, rank, lo, hi)


def test_sketched_metrics_of_merged_parts_are_within_their_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the exact-count budget, distinct counts, top values and quantiles come from
    sketches; merged from three parts they stay within the bounds they state, and
    only top values certain to rank are listed."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0.05")  # ~3,000 numbers a column
    rng = np.random.default_rng(7)
    n = 90_000
    ids = rng.integers(0, 49_152, n)
    skewed = np.where(rng.random(n) < 0.2, 7, rng.integers(0, 50_000, n))
    heavy_text = np.where(rng.random(n) < 0.1, "hot", np.char.add("k", ids.astype(str)))
    table = pa.table({"id": ids, "skewed": skewed, "text": heavy_text.astype(object)})
    parts = [table.slice(0, 20_000), table.slice(20_000, 50_000), table.slice(70_000)]
    states = [
        profile_batches(p.to_batches(max_chunksize=8_192), table.schema, column_metrics=[])
        for p in parts
    ]
    merged = finalize(_merge_randomly(states, random.Random(1)))
    whole = finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[]))
    check_consistent(merged)
    for profile in (whole, merged):
        for name in ("id", "skewed", "text"):
            column = profile.column(name)
            assert column is not None
            truth = Counter(table.column(name).to_pylist())
            distinct = column.metrics["distinct_count"]
            assert not distinct.exact
            assert distinct.error_kind == "relative"
            assert distinct.error_bound is not None
            # The bound is HLL's 2-sigma (~95%) one; 3 sigma keeps a fixed seed out of the tail.
            assert abs(distinct.value - len(truth)) <= 1.5 * distinct.error_bound * len(truth) + 1
            assert not column.metrics["top_values"].exact
            if name == "id":
                # ~2 rows per value: no value can be told apart from the sketch's error
                assert column.top_values == []
                assert column.metrics["top_values_note"].value.startswith("no value occurs")
                continue
            true_top_value, true_top_count = truth.most_common(1)[0]
            top = column.top_values[0]
            assert str(top.value) == str(true_top_value)
            assert top.count_lower is not None
            assert top.count_upper is not None
            assert top.count_lower <= true_top_count <= top.count_upper
            assert abs(top.count - true_top_count) <= top.count_error
            for listed in column.top_values:  # certain: no false positive in the top 10
                rank = sorted(truth.values(), reverse=True)[9]
                assert truth[type(true_top_value)(listed.value)] >= rank
        for name in ("id", "skewed"):
            column = profile.column(name)
            assert column is not None
            _check_quantiles(column, table.column(name).to_numpy().astype(float))
            assert column.metrics["min"].value == int(table.column(name).to_numpy().min())
            assert column.metrics["max"].value == int(table.column(name).to_numpy().max())
            assert column.metrics["sum"].value == int(table.column(name).to_numpy().sum())
            counts = column.metrics["histogram"].value["counts"]
            assert abs(sum(counts) - n) <= 10  # rounded per bin from the sketch's masses
    # The exact figures agree between the whole and the merged parts.
    for w, m in zip(whole.columns, merged.columns, strict=True):
        for key in ("row_count", "null_count", "min", "max", "sum", "zero_count"):
            if key in w.metrics:
                assert _close(w.metrics[key].value, m.metrics[key].value), key


def test_decimal_sum_is_exact_across_parts() -> None:
    values = [Decimal("0.10"), Decimal("0.20"), None, Decimal("-0.30")] * 25
    table = pa.table({"d": pa.array(values, pa.decimal128(5, 2))})
    states = [
        profile_batches(table.slice(k, 7).to_batches(), table.schema) for k in range(0, 100, 7)
    ]
    merged = finalize(_merge_randomly(states, random.Random(3)))
    column = merged.column("d")
    assert column is not None
    assert column.metrics["sum"].value == Decimal("0.00")
    assert column.mean_value == 0.0
