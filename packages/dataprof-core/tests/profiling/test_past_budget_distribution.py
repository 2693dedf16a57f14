"""Past the exact-count budget, histograms and outlier counts are the same on every run
and for any split of the table, agree with the other figures, and are exact where the
fine grid makes them so."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_reference import exact_budget
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprof.errors import ConfigurationError
from dataprof.profiling import ProfileState, finalize, merge_states, profile_batches

_TINY_BUDGET_MIB = "0.01"  # ~650 distinct numbers a column


def _heavy_table(rows: int = 120_000, seed: int = 3) -> pa.Table:
    rng = np.random.default_rng(seed)
    delay = np.concatenate(
        [rng.lognormal(1.0, 1.2, rows - 4_000), -rng.exponential(4.0, 3_990), [-900.0] * 10]
    )
    rng.shuffle(delay)
    return pa.table(
        {
            "delay": delay,
            "amount": rng.integers(-5_000, 2_000_000, rows),
            "at": pa.array(rng.integers(0, 2**41, rows) * 1000, pa.timestamp("us")),
        }
    )


def _profile_split(table: pa.Table, cuts: list[int], batch: int) -> Any:
    """The profile of ``table`` cut at ``cuts``, each part batched by ``batch`` rows and
    profiled alone, the parts merged last to first."""
    bounds = [0, *cuts, table.num_rows]
    states = [
        profile_batches(
            table.slice(lo, hi - lo).to_batches(max_chunksize=batch),
            table.schema,
            column_metrics=[],
        )
        for lo, hi in itertools.pairwise(bounds)
        if hi > lo
    ]
    state = states[-1]
    for other in reversed(states[:-1]):
        state = merge_states(state, other)
    return finalize(state)


def _figures(profile: Any) -> dict[str, Any]:
    """What must not change between runs: histograms, outlier counts, the anomaly text."""
    from dataprof.anomalies import OutlierDetector, Thresholds

    out: dict[str, Any] = {}
    for column in profile.columns:
        metrics = column.metrics
        out[column.column_name] = (
            metrics["histogram"].model_dump(),
            metrics["outlier_count"].model_dump() if "outlier_count" in metrics else None,
        )
    out["anomalies"] = [a.description for a in OutlierDetector().detect(profile, [], Thresholds())]
    return out


def test_the_same_data_split_differently_gives_the_same_histograms_and_outlier_text() -> None:
    table = _heavy_table()
    with exact_budget(_TINY_BUDGET_MIB):
        runs = [
            _profile_split(table, [], 65_536),
            _profile_split(table, [], 65_536),
            _profile_split(table, [40_000, 41_000, 90_000], 7_777),
            _profile_split(table, [5], 1_024),
        ]
    first = runs[0]
    delay = first.column("delay")
    assert not delay.metrics["distinct_count"].exact  # the column is past the budget
    expected = _figures(first)
    assert expected["anomalies"]
    for run in runs[1:]:
        assert _figures(run) == expected
    outliers = delay.metrics["outlier_count"]
    assert outliers.value["count_min"] <= outliers.value["count_max"]
    assert outliers.value["below"] > 0


def test_outlier_range_holds_the_true_count() -> None:
    table = _heavy_table()
    values = table.column("delay").to_numpy()
    with exact_budget(_TINY_BUDGET_MIB):
        column = _profile_split(table, [], 10_000).column("delay")
    figure = column.metrics["outlier_count"].value
    truth = int(((values < figure["lower"]) | (values > figure["upper"])).sum())
    assert figure["count_min"] <= truth <= figure["count_max"]
    # the range is narrow: only the buckets straddling a fence (1% wide) are unsure
    assert figure["count_max"] - figure["count_min"] <= max(0.05 * truth, 5)


def test_negative_bins_past_the_budget_sum_to_the_negative_count() -> None:
    table = _heavy_table()
    with exact_budget(_TINY_BUDGET_MIB):
        profile = _profile_split(table, [60_000], 8_192)
    for name in ("delay", "amount"):
        column = profile.column(name)
        histogram = column.metrics["histogram"]
        assert histogram.exact
        edges, counts = histogram.value["edges"], histogram.value["counts"]
        negatives = column.metrics["negative_count"].value
        assert negatives > 0
        assert 0.0 in edges
        below_zero = [c for e, c in zip(edges[1:], counts, strict=True) if e <= 0]
        assert below_zero[0] > 0  # the min's bin
        assert below_zero[-1] > 0  # the bin just below 0
        assert sum(below_zero) == negatives
        values = table.column(name).to_numpy()
        assert counts == _numpy_counts(values, edges)  # zeros only where no value lies
        assert edges[0] == column.metrics["min"].value  # never a bin below min


def _numpy_counts(values: np.ndarray, edges: list[Any]) -> list[int]:
    counts, _ = np.histogram(values, bins=np.array(edges))
    return [int(c) for c in counts]


def test_a_parquet_file_past_the_budget_gets_an_exact_histogram(tmp_path: Path) -> None:
    """Read through the file connector (Parquet, several row groups, workers), the
    histogram of every numeric column past the budget equals numpy's on its edges."""
    import dataprof
    from dataprof.connectors.file import FileConnector
    from dataprof.profiling import profile_table

    table = _heavy_table(rows=150_000, seed=8)
    path = tmp_path / "trips.parquet"
    pq.write_table(table, path, row_group_size=20_000)
    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="x", table="trips"
    )
    connector = FileConnector(config)
    with exact_budget(_TINY_BUDGET_MIB):
        profiles = [
            profile_table(
                connector, mode="full", workers=workers, batch_size=batch, parallel_min_rows=0
            )
            for workers, batch in ((1, 65_536), (2, 5_000))
        ]
    assert any("worker processes" in note for note in profiles[1].notes), profiles[1].notes
    for profile in profiles:
        for name in ("delay", "amount"):
            assert not profile.column(name).metrics["distinct_count"].exact  # past the budget
            histogram = profile.column(name).metrics["histogram"]
            assert histogram.exact
            expected = _numpy_counts(table.column(name).to_numpy(), histogram.value["edges"])
            assert histogram.value["counts"] == expected
        at = profile.column("at").metrics["histogram"]
        assert at.exact
        micros = table.column("at").cast(pa.int64()).to_numpy()
        edges = [
            int(pa.scalar(e, pa.timestamp("us")).cast(pa.int64()).as_py())
            for e in at.value["edges"]
        ]
        assert at.value["counts"] == _numpy_counts(micros, edges)
    assert _figures(profiles[0]) == _figures(profiles[1])


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-(2**40), 2**40).map(float),
            st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
        ),
        min_size=2,
        max_size=300,
    ),
    cuts=st.lists(st.integers(0, 300), max_size=3),
    batch=st.integers(1, 64),
)
def test_any_split_gives_the_whole_tables_histogram_and_outliers(
    values: list[float], cuts: list[int], batch: int
) -> None:
    table = pa.table({"x": pa.array(values, pa.float64())})
    cuts = sorted({c for c in cuts if 0 < c < len(values)})
    with exact_budget("0"):
        whole = _profile_split(table, [], len(values))
        parts = _profile_split(table, cuts, batch)
    assert _figures(whole) == _figures(parts)
    histogram = whole.column("x").metrics["histogram"].value
    assert sum(histogram["counts"]) == len(values)
    assert histogram["counts"] == _numpy_counts(np.array(values) + 0.0, histogram["edges"])


def test_a_state_past_the_budget_travels_and_a_forged_summary_is_refused() -> None:
    import pickle

    from dataprof.profiling.state_format import read_state, write_state

    table = _heavy_table(rows=20_000)
    with exact_budget(_TINY_BUDGET_MIB):
        state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
        expected = _figures(finalize(state))
        again = ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
        assert _figures(finalize(again)) == expected
        key = b"k" * 32
        travelled, _ = read_state(write_state(state, key=key, meta={}), key=key)
        assert _figures(finalize(travelled)) == expected

    summary = state.columns["delay"].summary  # type: ignore[attr-defined]
    summary.grid.counts[0] += 1  # one value more than the column counted
    with pytest.raises(ConfigurationError, match="readable"):
        ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
    summary.grid.counts[0] -= 1
    summary.log.zeros += 10**6
    with pytest.raises(ConfigurationError):
        ProfileState.from_bytes(state.to_bytes(), column_metrics=[])
    summary.log.zeros -= 10**6
    fields = summary.__getstate__()
    fields["grid"]["counts"] = b"\x01" * (8 * 5000)  # more fine bins than a grid holds
    forged = pickle.dumps(fields)
    with pytest.raises(ValueError, match="fine grid"):
        type(summary).__new__(type(summary)).__setstate__(pickle.loads(forged))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(-(2**63), 2**63 - 1),
            st.integers(0, 2**64 - 1),
            st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999),  # years 1-9999
        ),
        min_size=2,
        max_size=120,
    ),
    cut=st.integers(1, 119),
    batch=st.integers(1, 16),
)
def test_extreme_values_past_the_budget_keep_every_column_and_exact_bins(
    data: list[tuple[float, int, int, int]], cut: int, batch: int
) -> None:
    """The full float64, int64 and uint64 ranges and far timestamps, past a zero budget:
    histograms cover every value with strictly increasing edges, whatever the split."""
    floats, ints, unsigned, micros = (list(c) for c in zip(*data, strict=True))
    table = pa.table(
        {
            "f": pa.array(floats, pa.float64()),
            "i": pa.array(ints, pa.int64()),
            "u": pa.array(unsigned, pa.uint64()),
            "t": pa.array(micros, pa.timestamp("us")),
        }
    )
    with exact_budget("0"):
        whole = _profile_split(table, [], len(data))
        parts = _profile_split(table, [min(cut, len(data) - 1)], batch)
    assert _figures(whole) == _figures(parts)
    for column in whole.columns:
        assert column.supported, column.unsupported_reason
        histogram = column.metrics["histogram"].value
        assert sum(histogram["counts"]) == len(data)
        assert column.metrics["histogram"].exact  # from the fine grid, never lost
        edges = histogram["edges"]
        constant = len(edges) == 2 and edges[0] == edges[1]  # one value: one bin
        assert constant or all(a < b for a, b in itertools.pairwise(edges))
    counts = whole.column("f").metrics["histogram"].value
    assert counts["counts"] == _numpy_counts(np.array(floats) + 0.0, counts["edges"])
