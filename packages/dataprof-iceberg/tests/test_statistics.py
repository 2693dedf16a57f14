"""Metadata statistics against the truth computed by scanning the same data.

Counts and numeric bounds must be exact; truncated string bounds must contain the
true min and max; and none of it may open a data file.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyiceberg.io.pyarrow import PyArrowFileIO

from dataprof import get_connector

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)

_ints = st.one_of(st.none(), st.integers(min_value=-(2**62), max_value=2**62))
_floats = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=64))
_strings = st.one_of(st.none(), st.text(max_size=40))
_row = st.tuples(_ints, _floats, _strings)
_appends = st.lists(st.lists(_row, min_size=1, max_size=25), min_size=1, max_size=3)


def _arrow(rows: list[tuple[Any, Any, Any]]) -> pa.Table:
    return pa.table(
        {
            "n": pa.array([r[0] for r in rows], pa.int64()),
            "x": pa.array([r[1] for r in rows], pa.float64()),
            "s": pa.array([r[2] for r in rows], pa.string()),
        }
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(appends=_appends)
def test_metadata_statistics_equal_a_scan(
    sql_warehouse: SqlWarehouse, appends: list[list[tuple[Any, Any, Any]]]
) -> None:
    if sql_warehouse.catalog.table_exists(("ns", "h")):
        sql_warehouse.catalog.drop_table(("ns", "h"))
    table = sql_warehouse.catalog.create_table(("ns", "h"), schema=_arrow([]).schema)
    for rows in appends:
        table.append(_arrow(rows))
    truth = pa.concat_tables(_arrow(rows) for rows in appends)

    with get_connector(sql_warehouse.config("h")) as connector:
        stats = connector.get_column_statistics()
    assert stats.row_count == truth.num_rows
    assert stats.row_count_exact
    assert stats.data_file_count == len(appends)
    for name in ("n", "x", "s"):
        column = stats.columns[name]
        values = truth.column(name)
        assert column.value_count == truth.num_rows, name
        assert column.null_count == values.null_count, name
        non_null = [v for v in values.to_pylist() if v is not None]
        if name == "x":
            non_null = [v for v in non_null if not math.isnan(v)]
        if not non_null:
            assert (column.lower_bound, column.upper_bound) == (None, None)
            continue
        low, high = min(non_null), max(non_null)
        if name == "s":
            # Truncated bounds bracket the values (UTF-8 byte order equals code point order).
            assert not column.bounds_exact
            assert column.lower_bound <= low
            assert column.upper_bound >= high
        elif name == "x" and column.lower_bound is None:
            # A file of only NaN has no bounds and PyIceberg records no NaN counts, so
            # metadata cannot tell it from a file whose bounds were not recorded.
            assert any("record no bounds" in c for c in column.caveats)
        else:
            assert (column.lower_bound, column.upper_bound) == (low, high), name
            assert column.bounds_exact
    nans = int(pc.sum(pc.is_nan(pc.drop_null(truth.column("x")))).as_py() or 0)
    assert stats.columns["x"].nan_count in (None, nans)  # PyIceberg's writer records none


def test_statistics_open_no_data_file(sql_warehouse: SqlWarehouse, monkeypatch: Any) -> None:
    """Count every file the table's real FileIO opens while statistics are computed."""
    table = sql_warehouse.create("t", _arrow([(1, 1.0, "a"), (None, None, None)]))
    for i in range(4):
        table.append(_arrow([(i, float(i), str(i))]))
    data_files = set(table.inspect.files().column("file_path").to_pylist())
    assert len(data_files) == 5

    opened: list[str] = []
    real_new_input = PyArrowFileIO.new_input

    def counting_new_input(self: PyArrowFileIO, location: str) -> Any:
        opened.append(location)
        return real_new_input(self, location)

    monkeypatch.setattr(PyArrowFileIO, "new_input", counting_new_input)
    with get_connector(sql_warehouse.config("t")) as connector:
        stats = connector.get_column_statistics()
        count = connector.count_rows()
    assert stats.row_count == count.rows == 6
    assert stats.columns["n"].null_count == 1
    assert opened, "the counter saw nothing: the test is not observing the FileIO"
    assert any(p.endswith(".avro") for p in opened)  # manifests were read ...
    assert not data_files & set(opened)  # ... and no data file was

    opened.clear()
    with get_connector(sql_warehouse.config("t")) as connector:
        list(connector.iter_batches())
    assert data_files == set(opened) & data_files  # the counter does see data reads


def test_truncated_string_bounds_bracket_long_values(sql_warehouse: SqlWarehouse) -> None:
    values = ["x" * 40 + "b", "a" * 30, "zzzzzzzzzzzzzzzzzzzzzz", None]
    sql_warehouse.create("t", pa.table({"s": pa.array(values, pa.string())}))
    with get_connector(sql_warehouse.config("t")) as connector:
        column = connector.get_column_statistics().columns["s"]
    assert not column.bounds_exact
    assert any("truncated" in c for c in column.caveats)
    assert column.lower_bound <= "a" * 30
    assert column.upper_bound >= "zzzzzzzzzzzzzzzzzzzzzz"
    assert len(column.lower_bound) <= 16  # a bound, not the value


def test_full_metrics_mode_makes_string_bounds_exact(sql_warehouse: SqlWarehouse) -> None:
    values = ["a" * 30, "b" * 30]
    sql_warehouse.create("t", pa.table({"s": values}), **{"write.metadata.metrics.default": "full"})
    with get_connector(sql_warehouse.config("t")) as connector:
        column = connector.get_column_statistics().columns["s"]
    assert (column.lower_bound, column.upper_bound) == ("a" * 30, "b" * 30)
    assert column.bounds_exact


def test_struct_fields_have_null_counts_and_say_bounds_are_unknown(
    sql_warehouse: SqlWarehouse,
) -> None:
    point = pa.array([{"lat": 1.0}, {"lat": None}, None], pa.struct([("lat", pa.float64())]))
    sql_warehouse.create("t", pa.table({"id": [1, 2, 3], "point": point}))
    with get_connector(sql_warehouse.config("t")) as connector:
        stats = connector.get_column_statistics()
    lat = stats.columns["point.lat"]
    assert lat.null_count == 2
    if lat.lower_bound is None:
        assert any("record no bounds" in c for c in lat.caveats)
    else:
        assert lat.lower_bound == lat.upper_bound == 1.0


def test_file_manifest_and_size_counts(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.create("t", _arrow([(1, 1.0, "a")]))
    table.append(_arrow([(2, 2.0, "b")]))
    files = table.inspect.files()
    with get_connector(sql_warehouse.config("t")) as connector:
        stats = connector.get_column_statistics()
    assert stats.data_file_count == 2
    assert stats.manifest_count == len(table.current_snapshot().manifests(table.io))
    assert stats.total_size_bytes == sum(files.column("file_size_in_bytes").to_pylist())
    sizes = [c.size_bytes for c in stats.columns.values()]
    assert all(isinstance(s, int) and s > 0 for s in sizes)
