"""Row counts, reads and statistics of snapshots with delete files.

`total-records` in a snapshot summary counts the rows of the data files; delete
files (merge-on-read, as Spark and Flink write them) make it an over-count. The
connector must count the live rows and say when metadata figures are stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyiceberg.table import Table

from dataprof import get_connector

SqlWarehouse = Any  # the conftest fixture's type (conftest is not importable under importlib mode)


def _two_files(sql_warehouse: SqlWarehouse) -> Table:
    table = sql_warehouse.create("t", pa.table({"id": pa.array(range(10), pa.int64())}))
    table.append(pa.table({"id": pa.array(range(10, 25), pa.int64())}))
    return table


def test_position_deletes_are_applied_to_count_and_reads(
    sql_warehouse: SqlWarehouse, position_deletes: Callable[[Table, dict[str, list[int]]], Table]
) -> None:
    table = _two_files(sql_warehouse)
    files = sorted(table.inspect.files().column("file_path").to_pylist())
    table = position_deletes(table, {files[0]: [0, 3, 3], files[1]: [1]})
    summary = table.current_snapshot().summary  # type: ignore[union-attr]
    assert summary["total-records"] == "25"  # the over-count the connector must not trust

    with get_connector(sql_warehouse.config("t")) as connector:
        counted = connector.count_rows()
        rows = sorted(v for b in connector.iter_batches() for v in b.column("id").to_pylist())
        stats = connector.get_column_statistics()

    assert counted.rows == len(rows) == 22
    assert counted.method == "manifests minus position deletes"
    assert not counted.read_data
    assert stats.row_count == 25
    assert not stats.row_count_exact
    assert stats.delete_file_count == 1
    assert any("delete" in c for c in stats.caveats)
    assert any("delete" in c for c in stats.columns["id"].caveats)
    assert not stats.columns["id"].counts_exact


def test_copy_on_write_delete_needs_no_correction(sql_warehouse: SqlWarehouse) -> None:
    table = _two_files(sql_warehouse)
    table.delete("id < 5")
    with get_connector(sql_warehouse.config("t")) as connector:
        assert connector.count_rows().method == "snapshot summary"
        assert connector.get_row_count() == 20
        stats = connector.get_column_statistics()
    assert stats.row_count_exact
    assert stats.columns["id"].counts_exact
    assert stats.columns["id"].lower_bound == 5


def test_equality_deletes_are_applied(
    sql_warehouse: SqlWarehouse, equality_deletes: Callable[[Table, dict[str, list[Any]]], Table]
) -> None:
    table = sql_warehouse.create(
        "t", pa.table({"id": pa.array([1, 2, 3, 4, None], pa.int64()), "k": list("abcde")})
    )
    equality_deletes(table, {"id": [2, 4, None]})
    with get_connector(sql_warehouse.config("t")) as connector:
        counted = connector.count_rows()
        read = pa.Table.from_batches(list(connector.iter_batches()))
        stats = connector.get_column_statistics()
    assert sorted(read.column("k").to_pylist()) == ["a", "c"]
    assert counted.rows == 2
    assert counted.read_data  # equality deletes can only be applied to the data
    assert stats.row_count == 5
    assert not stats.row_count_exact


def test_multi_column_equality_deletes_apply_only_to_older_files(
    sql_warehouse: SqlWarehouse, equality_deletes: Callable[[Table, dict[str, list[Any]]], Table]
) -> None:
    """Keys match on every column (null equal to null), and a delete applies only to
    data files with a lower sequence number: rows appended after it survive."""
    table = sql_warehouse.create(
        "t",
        pa.table(
            {"a": pa.array([1, 1, 2, None, None], pa.int64()), "b": ["x", "y", "x", "x", None]}
        ),
    )
    table = equality_deletes(table, {"a": [1, None, 2], "b": ["x", None, "y"]})
    table.append(pa.table({"a": pa.array([1], pa.int64()), "b": ["x"]}))  # after the delete
    with get_connector(sql_warehouse.config("t")) as connector:
        rows = pa.Table.from_batches(list(connector.iter_batches())).to_pylist()
        count = connector.get_row_count()
        only_b = pa.Table.from_batches(list(connector.iter_batches(columns=["b"])))
    expected = [{"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": None, "b": "x"}, {"a": 1, "b": "x"}]
    assert sorted(rows, key=repr) == sorted(expected, key=repr)
    assert count == 4
    assert only_b.column_names == ["b"]  # the key column was read for the deletes, then dropped
    assert only_b.num_rows == 4
