"""Counting exactly up to a memory budget, and only certain top values past it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from engine_reference import QUANTILE_RANKS, check_consistent, inverted_cdf

from dataprof.profiling import ColumnProfile, finalize, merge_states, profile_batches


def _profile(table: pa.Table, *, chunk: int = 65_536) -> dict[str, ColumnProfile]:
    state = profile_batches(table.to_batches(max_chunksize=chunk), table.schema, column_metrics=[])
    profile = finalize(state)
    check_consistent(profile)
    return {c.column_name: c for c in profile.columns}


def _exact_top(values: list[Any], k: int = 10) -> list[tuple[Any, int]]:
    """What ``GROUP BY value ORDER BY count DESC, value LIMIT k`` returns."""
    return sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def test_hundred_thousand_distinct_values_are_counted_exactly() -> None:
    """Far beyond the old 16,384-value limit, every count-based figure is exact."""
    rng = np.random.default_rng(11)
    ids = rng.integers(0, 100_000, 400_000)
    ids[:5_000] = 77  # one clear leader, then the rest by count and value
    prices = np.round(rng.lognormal(3, 1, 400_000), 2)
    text = np.char.add("user-", ids.astype(str)).astype(object)
    table = pa.table({"id": ids, "price": prices, "user": text})
    columns = _profile(table, chunk=50_000)
    for name in ("id", "price", "user"):
        values = table.column(name).to_pylist()
        column = columns[name]
        assert column.metrics["distinct_count"].exact
        assert column.distinct_count == len(set(values))
        assert column.metrics["top_values"].exact
        assert [(t.value, t.count) for t in column.top_values] == _exact_top(values)
        assert all(t.count_lower is None and t.count_error == 0 for t in column.top_values)
    for name in ("id", "price"):
        ordered = sorted(table.column(name).to_pylist())
        metrics = columns[name].metrics
        assert metrics["quantiles"].exact
        assert metrics["median"].exact
        for q, rank in QUANTILE_RANKS.items():
            assert metrics["quantiles"].value[q] == inverted_cdf(ordered, rank), q
        assert columns[name].median_value == inverted_cdf(ordered, 0.5)
        assert metrics["histogram"].exact
        edges = metrics["histogram"].value["edges"]
        expected, _ = np.histogram(np.array(ordered, dtype=float), bins=edges)
        assert metrics["histogram"].value["counts"] == expected.tolist()


def test_ties_are_ordered_by_value_not_by_text() -> None:
    table = pa.table({"n": [11, 13, 15, 5, 8] * 3 + [1]})
    top = _profile(table)["n"].top_values
    assert [t.value for t in top] == [5, 8, 11, 13, 15, 1]


def test_histogram_shows_the_negative_values_the_counts_report() -> None:
    """A long positive tail with a few negatives: the negative bins are not zero."""
    rng = np.random.default_rng(5)
    values = np.concatenate([-rng.uniform(0, 67.29, 987), rng.lognormal(4, 1.5, 200_000)])
    values = np.round(values, 2)
    rng.shuffle(values)
    column = _profile(pa.table({"x": values}), chunk=20_000)["x"]
    histogram = column.metrics["histogram"]
    assert histogram.exact
    expected, _ = np.histogram(values, bins=histogram.value["edges"])
    assert histogram.value["counts"] == expected.tolist()
    assert column.metrics["negative_count"].value == int((values < 0).sum())


def test_constant_and_few_valued_columns_have_exact_medians() -> None:
    table = pa.table({"c": [3.5] * 10_000, "few": [float(i % 23) for i in range(10_000)]})
    columns = _profile(table, chunk=300)
    assert columns["c"].metrics["median"].exact
    assert columns["c"].median_value == 3.5
    assert columns["few"].metrics["quantiles"].exact
    assert columns["few"].median_value == inverted_cdf(sorted(table.column("few").to_pylist()), 0.5)


def test_past_the_budget_only_certain_values_are_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few heavy values among a million rare ones: the heavy ones are listed with
    ranges that hold the truth; a column of rare values alone lists none and says so."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0.25")
    rng = np.random.default_rng(3)
    n = 300_000
    rare = rng.integers(0, 10_000_000, n)
    heavy = np.where(rng.random(n) < 0.03, rng.integers(0, 3, n) - 5, rare)
    table = pa.table({"heavy": heavy, "rare": rare})
    columns = _profile(table, chunk=30_000)
    truth = Counter(table.column("heavy").to_pylist())
    column = columns["heavy"]
    assert not column.metrics["top_values"].exact
    assert {t.value for t in column.top_values} == {-5, -4, -3}
    for top in column.top_values:
        assert top.count_lower is not None
        assert top.count_upper is not None
        assert top.count_lower <= truth[top.value] <= top.count_upper
    found = column.metrics["top_values_found_percentage"].value
    assert 0 < found <= 0.1  # the sketch recognises any value above 0.1% of rows
    rare_column = columns["rare"]
    assert rare_column.top_values == []
    assert rare_column.metrics["top_values_note"].value.startswith("no value occurs in more than")
    assert not rare_column.metrics["distinct_count"].exact


@pytest.mark.parametrize("as_bytes", [False, True])
def test_past_the_budget_text_lists_certain_values_with_true_ranges(
    monkeypatch: pytest.MonkeyPatch, as_bytes: bool
) -> None:
    """Text past its budget is counted by hashes first (only values whose hash repeats
    in a batch are counted): heavy values are still listed, their ranges hold the
    truth, the distinct count is within its bound, and rare text lists none."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0.25")
    rng = np.random.default_rng(5)
    n = 200_000
    rare = [f"comment number {i} of many, each its own" for i in rng.integers(0, 10**9, n)]
    heavy = [
        f"heavy-{int(k)}" if r < 0.04 else value
        for r, k, value in zip(rng.random(n), rng.integers(0, 3, n), rare, strict=True)
    ]
    arrow_type = pa.binary() if as_bytes else pa.string()
    encode = (lambda v: v.encode()) if as_bytes else (lambda v: v)
    table = pa.table(
        {
            "heavy": pa.array([encode(v) for v in heavy], arrow_type),
            "rare": pa.array([encode(v) for v in rare], arrow_type),
        }
    )
    columns = _profile(table, chunk=20_000)
    assert [c.unsupported_reason for c in columns.values()] == [None, None]
    truth = Counter(heavy)
    column = columns["heavy"]
    assert not column.metrics["top_values"].exact
    shown = {t.value for t in column.top_values}
    expected = {f"heavy-{k}" for k in range(3)}
    assert shown == ({encode(v).hex() for v in expected} if as_bytes else expected)
    for top in column.top_values:
        value = bytes.fromhex(top.value).decode() if as_bytes else top.value
        assert top.count_lower is not None
        assert top.count_upper is not None
        assert top.count_lower <= truth[value] <= top.count_upper
    distinct = column.metrics["distinct_count"]
    assert distinct.error_bound is not None
    # the bound is two standard errors (~95%): four hold for any seed
    assert abs(distinct.value - len(truth)) <= 2 * distinct.error_bound * len(truth)
    rare_column = columns["rare"]
    assert rare_column.top_values == []
    assert rare_column.metrics["top_values_note"].value.startswith("no value occurs in more than")


def test_parts_that_fit_and_a_whole_that_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two exact parts whose union is over the budget merge into sketches that were
    fed every value: the distinct estimate stays within its stated bound."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", str(40_000 * 16 / 2**20))
    a = pa.table({"x": np.arange(0, 30_000)})
    b = pa.table({"x": np.arange(30_000, 60_000)})
    states = [profile_batches(t.to_batches(), t.schema, column_metrics=[]) for t in (a, b)]
    assert all(s.columns["x"].counter.exact for s in states)  # type: ignore[attr-defined]
    column = finalize(merge_states(*states)).column("x")
    assert column is not None
    distinct = column.metrics["distinct_count"]
    assert not distinct.exact
    assert distinct.error_bound is not None
    assert abs(distinct.value - 60_000) <= 1.5 * distinct.error_bound * 60_000


def test_outliers_are_counted_exactly_and_read_the_same_on_every_run() -> None:
    """Within the budget the engine counts values past the fences exactly, from exact
    quantiles: two runs over differently batched data give the same count and text."""
    from dataprof.anomalies import OutlierDetector, Thresholds

    rng = np.random.default_rng(9)
    values = np.round(np.concatenate([rng.normal(50, 5, 60_000), rng.uniform(500, 900, 2_500)]), 3)
    rng.shuffle(values)
    table = pa.table({"reading": values})
    texts = []
    for chunk in (4_096, 25_000):
        profile = finalize(
            profile_batches(table.to_batches(max_chunksize=chunk), table.schema, column_metrics=[])
        )
        column = profile.column("reading")
        assert column is not None
        metric = column.metrics["outlier_count"]
        assert metric.exact
        lower, upper = metric.value["lower"], metric.value["upper"]
        assert metric.value["count"] == int(((values < lower) | (values > upper)).sum())
        (found,) = OutlierDetector().detect(profile, [], Thresholds())
        assert f"{metric.value['count']:,} values" in found.description
        texts.append(found.description)
    assert texts[0] == texts[1]


def test_past_the_budget_empty_text_and_bytes_count_as_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DataSketches' HLL ignores empty strings and takes no bytes: past the budget ''
    still counts apart from '0', and a binary column stays profiled."""
    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", "0")
    table = pa.table(
        {
            "s": ["", "0", "a", "", "0"] * 40,
            "b": [b"", b"\x00", b"a", b"", b"\x00"] * 40,
        }
    )
    columns = _profile(table, chunk=7)
    for name in ("s", "b"):
        assert columns[name].supported, columns[name].unsupported_reason
        assert not columns[name].metrics["distinct_count"].exact
        assert columns[name].distinct_count == 3


def _numbers(batches: list[list[int]], budget_bytes: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A numeric accumulator fed ``batches`` under a budget, and how often it folded."""
    from dataprof.profiling.accumulators import make_accumulator
    from dataprof.profiling.exact_counts import ExactCounts

    monkeypatch.setenv("DATAPROF_EXACT_BUDGET_MIB", str(budget_bytes / 2**20))
    folds: list[int] = []
    compact = ExactCounts.compact

    def counted(self: ExactCounts) -> None:
        if self._pending_keys:
            folds.append(len(self._pending_keys))
        compact(self)

    monkeypatch.setattr(ExactCounts, "compact", counted)
    acc = make_accumulator("n", pa.int64(), "bigint")
    for batch in batches:
        acc.update(pa.array(batch, pa.int64()))
    return acc, folds


def test_a_column_too_close_to_its_budget_to_call_is_not_folded_in_vain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1,000 distinct values fill a 16,000-byte budget exactly; the first check comes
    # with 1,500 pending keys, when the estimate says "about the budget".
    first = [[(b * 100 + i) % 1_000 for i in range(100)] for b in range(15)]
    growing = first + [[1_000 + b * 100 + i for i in range(100)] for b in range(10)]
    acc, folds = _numbers(growing, 16_000, monkeypatch)
    assert not acc.counter.exact  # it grew past the budget: given up, never folded
    assert folds == []
    steady = first + [[(b * 100 + i) % 1_000 for i in range(100)] for b in range(15, 60)]
    acc, folds = _numbers(steady, 16_000, monkeypatch)
    assert acc.counter.exact  # it stayed within: folded once checks ran out, exact
    assert len(acc.counter.table) == 1_000
    assert folds  # the fold that settled it


def test_string_bytes_reads_either_offset_width() -> None:
    from dataprof.profiling.exact_counts import string_bytes

    values = ["", "ab", "cde", "f" * 1000]
    for arrow_type in (pa.string(), pa.large_string(), pa.binary(), pa.large_binary()):
        arr = pa.array([v.encode() for v in values], pa.binary()).cast(arrow_type)
        assert string_bytes(arr) == 1005
        assert string_bytes(arr.slice(1, 2)) == 5
