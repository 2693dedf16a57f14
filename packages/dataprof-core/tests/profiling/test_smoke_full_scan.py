"""A full scan of the basic types through the file connector, against pyarrow."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from engine_reference import ConnectorFactory

from dataprof.profiling import ProfileMode, RunStatus, profile_table
from dataprof.testing.datasets import standard_table


def test_full_scan_counts_match_pyarrow(parquet_connector: ConnectorFactory) -> None:
    table = standard_table()
    connector = parquet_connector(table)
    profile = profile_table(connector, mode="full", workers=1)
    assert profile.status is RunStatus.SUCCEEDED
    assert profile.mode is ProfileMode.FULL
    assert not profile.sampled
    assert profile.row_count == table.num_rows
    for name in table.column_names:
        column = profile.column(name)
        assert column is not None, name
        assert column.supported, (name, column.unsupported_reason)
        assert column.row_count == table.num_rows
        assert column.null_count == table[name].null_count
        expected_distinct = len(pc.unique(table[name].drop_null()))
        assert column.distinct_count == expected_distinct, name
    assert set(profile.schema_fields) == set(table.column_names)


def test_progress_reports_cumulative_rows(parquet_connector: ConnectorFactory) -> None:
    table = pa.table({"x": pa.array(range(10_000))})
    connector = parquet_connector(table)
    seen: list[tuple[int, int]] = []
    profile_table(
        connector,
        mode="full",
        workers=1,
        batch_size=1_000,
        progress=lambda r, b: seen.append((r, b)),
    )
    assert seen[-1][0] == 10_000
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)
    assert len(seen) >= 10
