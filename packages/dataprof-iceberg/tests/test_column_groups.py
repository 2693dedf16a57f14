"""An Iceberg table's columns profiled by forked workers (each rebuilding the connector from
its config and reading splits pinned to the snapshot) give the one-process profile."""

from __future__ import annotations

import os
from typing import Any

import pyarrow as pa
import pytest

from dataprof import get_connector
from dataprof.profiling import column_groups, profile_table
from dataprof.testing import assert_same_profile

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)


def _part(n: int, rows: int = 2_000) -> pa.Table:
    ids = range(n * rows, (n + 1) * rows)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "price": pa.array([(i % 997) / 4 for i in ids], pa.float64()),
            "note": pa.array([f"order {i} for {['Lyon', 'Porto', 'Gent'][i % 3]}" for i in ids]),
        }
    )


@pytest.mark.parametrize("in_parts", [False, True])
def test_columns_on_workers_give_the_one_process_profile(
    sql_warehouse: SqlWarehouse, monkeypatch: pytest.MonkeyPatch, in_parts: bool
) -> None:
    table = sql_warehouse.create("orders", _part(0))
    for n in range(1, 6):
        table.append(_part(n))
    monkeypatch.setattr(column_groups, "COLUMN_GROUPS_MIN_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.delenv("DATAPROF_THREADS", raising=False)
    # every column read in parts, or none
    monkeypatch.setattr(column_groups, "SPLIT_GROUP_SHARE", 0.0 if in_parts else 1e9)
    with get_connector(sql_warehouse.config("orders")) as connector:
        shared = profile_table(connector, mode="full")
        monkeypatch.setenv("DATAPROF_THREADS", "1")
        alone = profile_table(connector, mode="full")
        snapshot = connector.snapshot_id
    assert any("worker processes" in n for n in shared.notes), shared.notes
    assert any("read in parts" in n for n in shared.notes) == in_parts
    assert shared.row_count == alone.row_count == 12_000
    assert shared.snapshot_id == alone.snapshot_id == snapshot
    assert_same_profile(shared, alone)
