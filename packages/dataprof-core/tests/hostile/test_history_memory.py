"""Judging a run against its history holds one whole past run at a time: peak memory
does not follow the number of stored runs, nor what the runs hold beyond what the
history detectors read (issue 8)."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from dataprof.anomalies import Thresholds
from dataprof.cli.report_commands import runs_before
from dataprof.job import judge
from dataprof.profiling import finalize, profile_batches
from dataprof.profiling.models import TableProfile
from dataprof.stores import LocalProfileStore, SourceIdentity


def large_run() -> TableProfile:
    """20 columns: numeric ones with full KLL sketches, text ones of long values whose
    top values and frequent-items sketches hold values cut at 128 characters."""
    rows = 20_000
    rng = np.random.default_rng(7)
    data: dict[str, object] = {f"n{i}": rng.normal(i, 1.0, rows) for i in range(10)}
    for i in range(10):
        data[f"s{i}"] = [f"{v:05d}" + "y" * 300 for v in rng.integers(0, 3_000, rows)]
    table = pa.table(data)
    state = profile_batches(table.to_batches(), table.schema, column_metrics=[])
    return finalize(state, database="db", table="big")


def store_of(root: Path, runs: int, current: TableProfile) -> LocalProfileStore:
    store = LocalProfileStore(root)
    for index in range(runs):
        when = current.started_at - timedelta(days=runs - index)
        past = current.model_copy(
            update={"run_id": f"{index:032x}", "started_at": when, "finished_at": when}
        )
        store.save_run(past)
    return store


def traced_peak(work: Callable[[], object]) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_judging_against_30_large_runs_takes_no_more_memory_than_against_5(
    tmp_path: Path,
) -> None:
    current = large_run()
    source = SourceIdentity.of(current)
    stores = {n: store_of(tmp_path / str(n), n, current) for n in (5, 30)}
    run_file = max(p.stat().st_size for p in (tmp_path / "5").rglob("runs/*.json"))
    assert run_file > 100_000  # large runs: sketches and long values
    one_run, _ = traced_peak(lambda: stores[5].get_run(f"{0:032x}"))
    peaks = {}
    for n, store in stores.items():
        peaks[n], judged = traced_peak(lambda store=store: judge(current, store, Thresholds()))
        assert isinstance(judged, TableProfile)
        comparison = judged.history_comparison
        assert comparison is not None
        assert len(comparison.compared_run_ids) == n  # every run was read and compared
        assert comparison.last_run_id == f"{n - 1:032x}"
        assert judged.anomalies == []  # the same table each run: nothing to report
        assert len(store.list_runs(source)) == n
    # Holding whole runs, each past run cost about 600 KB here (5 runs: 3.5 MB, 30: 19 MB,
    # 17 times reading one run). A view keeps a column's figures, under 1 KB (measured:
    # 5 runs 1.5 MB, 30 runs 2.0 MB), and one run is read at a time.
    columns = len(current.columns)
    views = 30 * columns * 2_000
    assert peaks[30] - peaks[5] < 25 * columns * 2_000, peaks
    assert peaks[30] < 2 * one_run + views, (peaks, one_run)
    # The report's trends (`dataprof profile --html`, `dataprof report`) read the same way.
    later = current.model_copy(update={"started_at": current.started_at + timedelta(days=1)})
    report_peak, before = traced_peak(lambda: runs_before(stores[30], later))
    assert isinstance(before, list)
    assert len(before) == 30
    assert report_peak < 2 * one_run + views, (report_peak, one_run)
