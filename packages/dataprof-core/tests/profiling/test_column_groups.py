"""A long table's columns shared between processes give the profile one process gives,
byte for byte (stored KLL sketches aside: their compactions are random in every run),
and a worker's failure reaches the caller as the worker's own error."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from engine_reference import ConnectorFactory, LongestValue
from hypothesis import given
from hypothesis import strategies as st

from dataprof.errors import ConnectorError
from dataprof.profiling import column_groups, profile_table
from dataprof.profiling.column_groups import (
    MAX_SINGLE_COLUMN_TASKS,
    TASKS_PER_PROCESS,
    column_tasks,
    join_column_states,
    parts_of,
    share_columns,
)
from dataprof.profiling.state import ProfileState
from dataprof.testing import assert_same_profile


def _table(rows: int) -> pa.Table:
    rng = np.random.default_rng(11)
    ids = rng.integers(0, rows // 2, rows)
    return pa.table(
        {
            "id": ids,
            "price": np.round(rng.lognormal(2, 1, rows), 2),
            "user": pa.array(np.char.add("u-", ids.astype(str))),
            "flag": rng.random(rows) < 0.3,
            "where": pa.array(
                [{"city": f"c{i % 7}", "zip": i % 1000} for i in range(rows)],
            ),
            "note": pa.array([("x" * 200 + str(i % 977)) for i in range(rows)]),
            "a/b": ids % 5,  # a "/" in a name: sketches are keyed "<column>/<sketch>"
        }
    )


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table is long enough, the machine has two idle cores."""
    monkeypatch.setattr(column_groups, "COLUMN_GROUPS_MIN_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.delenv("DATAPROF_THREADS", raising=False)


@pytest.mark.usefixtures("two_cores")
def test_shared_columns_give_one_process_profile(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(60_000)
    connector = parquet_connector(table, row_group_size=15_000)
    before = set(multiprocessing.active_children())  # other tests' may linger
    shared = profile_table(connector, mode="full", column_metrics=[LongestValue()])
    assert any("columns profiled by 2 worker processes" in n for n in shared.notes), shared.notes
    monkeypatch.setenv("DATAPROF_THREADS", "1")  # one core: no sharing
    alone = profile_table(connector, mode="full", column_metrics=[LongestValue()])
    assert not any("worker processes" in n for n in alone.notes)
    assert [c.column_name for c in shared.columns] == [c.column_name for c in alone.columns]
    assert not set(multiprocessing.active_children()) - before
    assert "where.city" in {c.column_name for c in shared.columns}
    by_name = {c.column_name: c for c in shared.columns}
    assert by_name["note"].metrics["longest_value"].value == 203
    assert "a/b/kll" in shared.sketches
    assert "a/b/top" in shared.sketches
    assert_same_profile(shared, alone, rel_tol=0.0)


@pytest.mark.usefixtures("two_cores")
def test_columns_read_in_parts_and_merged_give_the_same_profile(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = parquet_connector(_table(60_000), row_group_size=7_000)
    monkeypatch.setattr(column_groups, "SPLIT_GROUP_SHARE", 0.0)  # every column in parts
    seen: list[int] = []
    parts = profile_table(
        connector,
        mode="full",
        column_metrics=[LongestValue()],
        progress=lambda r, b: seen.append(r),
    )
    assert any("read in parts and merged" in n for n in parts.notes), parts.notes
    assert seen[-1] == 60_000
    monkeypatch.setenv("DATAPROF_THREADS", "1")
    alone = profile_table(connector, mode="full", column_metrics=[LongestValue()])
    assert parts.row_count == alone.row_count == 60_000
    assert_same_profile(parts, alone)  # merged moments: equal to 1e-12


def test_only_a_column_costing_most_of_a_share_is_read_in_parts() -> None:
    costs = {"text": 6.0, "a": 1.0, "b": 1.0, "c": 1.0}
    groups = column_tasks(costs, 2)
    assert parts_of(groups, costs, 2, splits=20) == [2, 1, 1, 1]
    assert parts_of(groups, costs, 2, splits=1) == [1, 1, 1, 1]  # nothing to part
    even = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}
    assert parts_of(column_tasks(even, 2), even, 2, splits=20) == [1, 1, 1, 1]


@pytest.mark.usefixtures("two_cores")
def test_progress_reaches_every_row(parquet_connector: ConnectorFactory) -> None:
    connector = parquet_connector(_table(40_000), row_group_size=10_000)
    seen: list[tuple[int, int]] = []
    profile = profile_table(connector, mode="full", progress=lambda r, b: seen.append((r, b)))
    assert any("worker processes" in n for n in profile.notes)
    assert seen
    assert seen[-1][0] == 40_000
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)


@pytest.mark.usefixtures("two_cores")
def test_a_failing_worker_fails_the_profile_with_its_error(
    parquet_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = parquet_connector(_table(20_000), row_group_size=5_000)
    reader = type(connector).iter_batches
    parent = os.getpid()

    def flaky(self: Any, columns: Any = None, batch_size: int = 65_536, **kw: Any) -> Any:
        if os.getpid() != parent:  # only in the forked worker
            raise ConnectorError("the disk went away", source="s", table="t", hint="retry")
        return reader(self, columns, batch_size, **kw)

    monkeypatch.setattr(type(connector), "iter_batches", flaky)
    before = set(multiprocessing.active_children())  # other tests' may linger
    with pytest.raises(ConnectorError, match="the disk went away"):
        profile_table(connector, mode="full")
    assert not set(multiprocessing.active_children()) - before


def test_small_tables_stay_in_one_process(parquet_connector: ConnectorFactory) -> None:
    profile = profile_table(parquet_connector(_table(5_000)), mode="full")
    assert not any("worker processes" in n for n in profile.notes)


def test_parts_over_different_rows_are_refused() -> None:
    from dataprof.profiling import finalize
    from dataprof.profiling.parallel import GroupResult

    schema = pa.schema([("a", pa.int64()), ("b", pa.int64())])
    a = ProfileState(pa.schema([schema.field("a")]))
    a.update(pa.record_batch({"a": [1, 2, 3]}))
    b = ProfileState(pa.schema([schema.field("b")]))
    b.update(pa.record_batch({"b": [1, 2]}))
    parts = [GroupResult(0, finalize(a), 1, 24, None, None)]
    parts.append(GroupResult(1, finalize(b), 1, 16, None, None))
    with pytest.raises(ConnectorError, match=r"changed while it was profiled.*2 and 3") as err:
        join_column_states(schema, {}, [], parts, {"source": "file:x", "table": "db.t"})
    assert err.value.table == "db.t"


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.floats(0, 10), max_size=30))
def test_sharing_partitions_the_columns_in_table_order(costs: dict[str, float]) -> None:
    for groups in (1, 2, 3):
        shared = share_columns(costs, groups)
        assert sorted(n for g in shared for n in g) == sorted(costs)
        order = list(costs)
        for group in shared:
            assert group == sorted(group, key=order.index)
        if costs:
            loads = [sum(costs[n] for n in g) for g in shared]
            # LPT: no group exceeds the even share by more than the costliest column
            assert max(loads) <= sum(costs.values()) / groups + max(costs.values()) + 1e-9


def test_few_columns_are_a_task_each_costliest_first() -> None:
    costs = {"a": 1.0, "b": 5.0, "c": 0.5, "d": 2.0}
    assert column_tasks(costs, 2) == [["b"], ["d"], ["a"], ["c"]]


def test_many_columns_are_grouped_a_few_groups_a_process() -> None:
    costs = {f"c{i}": float(i % 7 + 1) for i in range(MAX_SINGLE_COLUMN_TASKS * 3)}
    tasks = column_tasks(costs, 2)
    assert len(tasks) == TASKS_PER_PROCESS * 2
    loads = [sum(costs[n] for n in task) for task in tasks]
    assert loads == sorted(loads, reverse=True)
    assert sorted(n for task in tasks for n in task) == sorted(costs)


def test_the_kit_comparison_names_what_differs() -> None:
    from dataprof.profiling import finalize, profile_batches

    def profile(values: list[float]) -> Any:
        table = pa.table({"x": values})
        return finalize(profile_batches(table.to_batches(), table.schema, column_metrics=[]))

    same = profile([1.0, 2.0, 3.5])
    assert_same_profile(same, profile([1.0, 2.0, 3.5]))
    with pytest.raises(AssertionError, match=r"profile/columns\[0\]/.*max"):
        assert_same_profile(same, profile([1.0, 2.0, 3.6]))
    column = same.columns[0]
    mean = column.metrics["mean"].value * (1 + 1e-14)
    metrics = {**column.metrics, "mean": column.metrics["mean"].model_copy(update={"value": mean})}
    nudged = same.model_copy(
        update={"columns": [column.model_copy(update={"metrics": metrics, "mean_value": mean})]}
    )
    assert_same_profile(same, nudged)  # within 1e-12
    with pytest.raises(AssertionError, match="mean"):
        assert_same_profile(same, nudged, rel_tol=0.0)


_NO_PANDAS_SCRIPT = """
import os, sys
import dataprof
from dataprof.profiling import column_groups, column_workers, profile_table

def checked(*args):
    result = original(*args)
    assert "pandas" not in sys.modules, "a worker imported pandas"
    return result

original = column_workers._profile_group
column_workers._profile_group = checked
column_groups.COLUMN_GROUPS_MIN_BYTES = 0
os.cpu_count = lambda: 2
path = sys.argv[1]
config = dataprof.DataSourceConfig(
    source_type="file", connection_params={"path": path}, database="d", table="t"
)
profile = profile_table(dataprof.get_connector(config), mode="full")
assert any("worker processes" in note for note in profile.notes), profile.notes
assert [c.unsupported_reason for c in profile.columns] == [None, None]
assert profile.column("n").distinct_count == 50
assert "pandas" not in sys.modules, "the parent imported pandas"
print("ok")
"""


def test_column_workers_and_their_parent_never_import_pandas(tmp_path: Any) -> None:
    """pyarrow imports pandas (0.2 s, 32 MiB a process) the first time a process converts
    numpy values; a long table's profile leaves it unimported in every process."""
    import subprocess
    import sys

    import pyarrow.parquet as pq

    rng = np.random.default_rng(3)
    table = pa.table({"n": rng.integers(0, 50, 30_000), "s": rng.choice(["a", "b"], 30_000)})
    pq.write_table(table, tmp_path / "t.parquet")  # here: the script imports no pandas
    done = subprocess.run(
        [sys.executable, "-c", _NO_PANDAS_SCRIPT, str(tmp_path / "t.parquet")],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "DATAPROF_THREADS"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
