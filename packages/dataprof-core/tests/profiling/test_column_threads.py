"""Columns profiled on threads give the same profile, byte for byte, as one thread
(stored KLL sketches aside: their compactions are random in every run)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dataprof.profiling import finalize, profile_batches
from dataprof.profiling.column_threads import MIN_ROWS_PER_TASK, column_threads
from dataprof.stores.codec import profile_to_json


def _table(rows: int) -> pa.Table:
    rng = np.random.default_rng(5)
    ids = rng.integers(0, rows // 3, rows)
    return pa.table(
        {
            "id": ids,
            "price": np.round(rng.lognormal(2, 1, rows), 2),
            "user": pa.array(np.char.add("u-", ids.astype(str))),
            "flag": rng.random(rows) < 0.3,
            "when": pa.array(ids * 1_000_000, pa.timestamp("us")),
            "note": pa.array([("x" * 300 + str(i % 977)) for i in range(rows)]),
        }
    )


def _json(table: pa.Table, monkeypatch: pytest.MonkeyPatch, threads: int) -> str:
    monkeypatch.setenv("DATAPROF_THREADS", str(threads))
    state = profile_batches(table.to_batches(max_chunksize=20_000), table.schema, column_metrics=[])
    profile = finalize(state, run_id="r", database="db", table="t")
    # Which sketches there are, and in which order, is part of the comparison.
    sketch_names = dict.fromkeys(profile.sketches, "")
    fixed = {"started_at": None, "finished_at": None, "sketches": sketch_names}
    return profile_to_json(profile.model_copy(update=fixed))


def test_threads_do_not_change_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(120_000)
    assert MIN_ROWS_PER_TASK <= 20_000  # batches do go to threads
    one = _json(table, monkeypatch, 1)
    assert one == _json(table, monkeypatch, 2)
    assert one == _json(table, monkeypatch, 3)


def test_thread_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAPROF_THREADS", "3")
    assert column_threads() == 3
    monkeypatch.setenv("DATAPROF_THREADS", "not a number")
    assert column_threads() >= 1
    monkeypatch.delenv("DATAPROF_THREADS")
    assert column_threads() >= 1


def test_a_column_that_fails_on_a_thread_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataprof.profiling.accumulators.numeric import NumericAccumulator

    def broken(self: NumericAccumulator, arr: pa.Array) -> None:
        raise RuntimeError("boom")

    monkeypatch.setenv("DATAPROF_THREADS", "2")
    monkeypatch.setattr(NumericAccumulator, "_update", broken)
    table = pa.table({"n": list(range(40_000)), "s": ["a", "b"] * 20_000})
    profile = finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[]))
    by_name = {c.column_name: c for c in profile.columns}
    assert not by_name["n"].supported
    assert "boom" in (by_name["n"].unsupported_reason or "")
    assert by_name["s"].supported
    assert by_name["s"].distinct_count == 2
