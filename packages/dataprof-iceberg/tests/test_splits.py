"""Planning splits: every file in exactly one split, bins balanced by bytes."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dataprof import ConfigurationError, ScanSplit, get_connector
from dataprof_iceberg.splits import FileUnit, balance_files

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)

_units = st.lists(st.integers(min_value=0, max_value=10**9), max_size=60).map(
    lambda sizes: [FileUnit(f"f{i:03d}", s, s // 100) for i, s in enumerate(sizes)]
)


@given(units=_units, target=st.integers(min_value=1, max_value=16))
@example(units=[FileUnit("f000", 0, 0), FileUnit("f001", 0, 0)], target=2)  # empty files
def test_each_file_once_and_loads_within_one_file(units: list[FileUnit], target: int) -> None:
    splits = balance_files(units, target, snapshot_id=7)
    assert [s.index for s in splits] == list(range(len(splits)))
    assert len(splits) == max(1, min(target, len(units)))
    planned = [path for s in splits for path in s.payload["files"]]
    assert sorted(planned) == sorted(u.path for u in units)
    assert all(s.payload["snapshot_id"] == 7 for s in splits)
    assert sum(s.estimated_rows or 0 for s in splits) == sum(u.record_count for u in units)
    if units:
        loads = [s.estimated_bytes for s in splits]
        assert max(loads) - min(loads) <= max(u.size_bytes for u in units)


def test_split_of_an_expired_snapshot_is_a_clear_error(sql_warehouse: SqlWarehouse) -> None:
    sql_warehouse.create("t", pa.table({"id": [1, 2]}))
    stale = ScanSplit(index=0, payload={"snapshot_id": 12345, "files": ["x.parquet"]})
    with (
        get_connector(sql_warehouse.config("t")) as connector,
        pytest.raises(ConfigurationError, match="12345"),
    ):
        list(connector.iter_batches(split=stale))


def test_counting_with_position_deletes_reads_delete_files_not_data_files(
    sql_warehouse: SqlWarehouse, position_deletes: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyiceberg.io.pyarrow import PyArrowFileIO

    table = sql_warehouse.create("t", pa.table({"id": list(range(10))}))
    (data_file,) = table.inspect.files().column("file_path").to_pylist()
    table = position_deletes(table, {data_file: [2, 5]})
    opened: list[str] = []
    real = PyArrowFileIO.new_input

    def counting(self: PyArrowFileIO, location: str) -> Any:
        opened.append(location)
        return real(self, location)

    monkeypatch.setattr(PyArrowFileIO, "new_input", counting)
    with get_connector(sql_warehouse.config("t")) as connector:
        assert connector.get_row_count() == 8
    assert data_file not in opened
    assert any("delete-" in p for p in opened)
