"""Empty tables, all-null columns, one row, columns of NaN: every figure still right."""

from __future__ import annotations

import math
from decimal import Decimal

import pyarrow as pa
import pytest
from engine_reference import ConnectorFactory, check_column, check_consistent

from dataprof.profiling import profile_table

TYPES: dict[str, tuple[pa.DataType, str]] = {
    "i": (pa.int64(), "numeric"),
    "f": (pa.float64(), "float"),
    "d": (pa.decimal128(9, 3), "decimal"),
    "s": (pa.string(), "string"),
    "b": (pa.bool_(), "boolean"),
    "bin": (pa.binary(), "binary"),
    "ts": (pa.timestamp("us", tz="UTC"), "temporal"),
    "day": (pa.date32(), "temporal"),
    "l": (pa.list_(pa.int32()), "list"),
}


def _table(columns: dict[str, list[object]]) -> pa.Table:
    return pa.table({name: pa.array(values, TYPES[name][0]) for name, values in columns.items()})


def test_empty_table(parquet_connector: ConnectorFactory) -> None:
    table = _table({name: [] for name in TYPES})
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    check_consistent(profile)
    assert profile.row_count == 0
    for name, (_, kind) in TYPES.items():
        column = profile.column(name)
        assert column is not None
        assert column.supported, column.unsupported_reason
        assert column.row_count == 0
        assert column.null_count == 0
        assert column.null_percentage is None
        check_column(column, [], kind=kind)


def test_all_null_columns(parquet_connector: ConnectorFactory) -> None:
    table = _table({name: [None, None, None] for name in TYPES})
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    check_consistent(profile)
    for name, (_, kind) in TYPES.items():
        column = profile.column(name)
        assert column is not None
        assert column.supported, column.unsupported_reason
        assert column.null_count == 3
        assert column.null_percentage == 100.0
        assert column.mean_value is None
        assert column.median_value is None
        check_column(column, [None] * 3, kind=kind)


def test_one_row(parquet_connector: ConnectorFactory) -> None:
    import datetime as dt

    row: dict[str, list[object]] = {
        "i": [42],
        "f": [-1.5],
        "d": [Decimal("1.250")],
        "s": ["only"],
        "b": [False],
        "bin": [b"\x01"],
        "ts": [dt.datetime(2024, 5, 1, tzinfo=dt.UTC)],
        "day": [dt.date(2024, 5, 1)],
        "l": [[1, 2, 3]],
    }
    table = _table(row)
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    check_consistent(profile)
    for name, (_, kind) in TYPES.items():
        column = profile.column(name)
        assert column is not None
        assert column.supported
        check_column(column, table.column(name).to_pylist(), kind=kind)
    i = profile.column("i")
    assert i is not None
    assert i.std_dev is None
    assert i.metrics["histogram"].value == {"edges": [42.0, 42.0], "counts": [1]}


@pytest.mark.parametrize("fill", [math.nan, math.inf])
def test_column_of_nan_or_infinity(parquet_connector: ConnectorFactory, fill: float) -> None:
    values = [fill, fill, None, fill]
    table = pa.table({"f": pa.array(values, pa.float64())})
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    check_consistent(profile)
    column = profile.column("f")
    assert column is not None
    assert column.supported
    check_column(column, values, kind="float")
    assert column.null_count == 1  # NaN is not null
    assert column.metrics["valid_count"].value == 0
    assert column.distinct_count == 0
    assert column.min_value is None
    assert column.mean_value is None


def test_nan_is_kept_apart_from_nulls(parquet_connector: ConnectorFactory) -> None:
    values = [1.0, math.nan, None, -math.inf, 2.0, math.inf, math.nan, 0.0, -0.0]
    table = pa.table({"f": pa.array(values)})
    column = profile_table(parquet_connector(table), mode="full", workers=1).column("f")
    assert column is not None
    check_column(column, values, kind="float")
    assert column.metrics["nan_count"].value == 2
    assert column.metrics["infinity_count"].value == 2
    assert column.metrics["zero_count"].value == 2
    assert column.distinct_count == 3  # 1.0, 2.0 and zero (-0.0 is 0.0)
