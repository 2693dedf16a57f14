"""Every Arrow type against the reference: through Parquet where Parquet holds the
type, through the state API on in-memory batches where it does not."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from engine_reference import ConnectorFactory, check_column, check_consistent, values_of

from dataprof.profiling import TableProfile, finalize, profile_batches, profile_table

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1))


def _ints(lo: int, hi: int) -> list[int | None]:
    return [lo, hi, 0, None, -1 if lo < 0 else 1, hi, 3, None, 7, lo]


NUMERIC_COLUMNS: dict[str, tuple[pa.DataType, list[Any], str]] = {
    "i8": (pa.int8(), _ints(-128, 127), "numeric"),
    "i16": (pa.int16(), _ints(-32768, 32767), "numeric"),
    "i32": (pa.int32(), _ints(-(2**31), 2**31 - 1), "numeric"),
    "i64": (pa.int64(), _ints(-(2**53), 2**53), "numeric"),
    "u8": (pa.uint8(), _ints(0, 255), "numeric"),
    "u16": (pa.uint16(), _ints(0, 65535), "numeric"),
    "u32": (pa.uint32(), _ints(0, 2**32 - 1), "numeric"),
    "u64": (pa.uint64(), _ints(0, 2**52), "numeric"),
    "f32": (pa.float32(), [1.5, -2.25, None, 0.0, 3.0, 1.5, -0.0, 8.0, None, 2.5], "float"),
    "f64": (
        pa.float64(),
        [1.5, math.nan, None, math.inf, -math.inf, 0.0, -7.25, 1e15, 1.5, math.nan],
        "float",
    ),
    "dec": (
        pa.decimal128(10, 2),
        [
            Decimal("10.50"),
            Decimal("-3.75"),
            None,
            Decimal("0.00"),
            Decimal("99999999.99"),
            Decimal("0.01"),
            Decimal("10.50"),
            None,
            Decimal("-0.01"),
            Decimal("12.34"),
        ],
        "decimal",
    ),
    "dec256": (
        pa.decimal256(40, 5),
        [
            Decimal("12345678901234567890.12345"),
            Decimal("-1.00000"),
            None,
            Decimal("2.50000"),
            Decimal("2.50000"),
            None,
            Decimal("0.00001"),
            Decimal("7.00000"),
            Decimal("8.00000"),
            Decimal("9.00000"),
        ],
        "decimal",
    ),
}

TEMPORAL_COLUMNS: dict[str, tuple[pa.DataType, list[Any]]] = {
    "d32": (
        pa.date32(),
        [
            dt.date(2024, 1, 1),
            None,
            dt.date(1999, 12, 31),
            dt.date(2024, 2, 29),
            dt.date(1970, 1, 1),
            dt.date(2024, 1, 1),
            None,
            dt.date(1900, 3, 1),
        ],
    ),
    "d64": (pa.date64(), [dt.date(2024, 1, 1), None, dt.date(2000, 1, 2), dt.date(2024, 1, 1)]),
    "t32": (pa.time32("ms"), [dt.time(1, 2, 3, 4000), None, dt.time(23, 59, 59), dt.time(0, 0)]),
    "t64": (pa.time64("us"), [dt.time(12, 0, 0, 1), None, dt.time(0, 0, 0, 999), dt.time(12)]),
    "ts_s": (pa.timestamp("s"), [dt.datetime(2024, 1, 1), None, dt.datetime(1969, 7, 20, 20, 17)]),
    "ts_ms_tz": (
        pa.timestamp("ms", tz="Europe/Paris"),
        [
            dt.datetime(2024, 1, 1, 12, tzinfo=PARIS),
            None,
            dt.datetime(2023, 3, 26, 1, 59, tzinfo=PARIS),
        ],
    ),
    "ts_us_utc": (
        pa.timestamp("us", tz="UTC"),
        [
            dt.datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=UTC),
            None,
            dt.datetime(1970, 1, 1, tzinfo=UTC),
            dt.datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=UTC),
        ],
    ),
}


def _profile(parquet_connector: ConnectorFactory, table: pa.Table) -> TableProfile:
    profile = profile_table(parquet_connector(table), mode="full", workers=1)
    check_consistent(profile)
    return profile


@pytest.mark.parametrize("name", sorted(NUMERIC_COLUMNS))
def test_numeric_types_match_reference(parquet_connector: ConnectorFactory, name: str) -> None:
    data_type, values, kind = NUMERIC_COLUMNS[name]
    table = pa.table({name: pa.array(values, data_type)})
    column = _profile(parquet_connector, table).column(name)
    assert column is not None
    assert column.supported, column.unsupported_reason
    check_column(column, table.column(name).to_pylist(), kind=kind)


@pytest.mark.parametrize("data_type", [pa.decimal32(5, 2), pa.decimal64(12, 2)])
def test_narrow_decimals(data_type: pa.DataType) -> None:
    values = [Decimal("1.50"), None, Decimal("-2.25"), Decimal("1.50")]
    table = pa.table({"d": pa.array(values, data_type)})
    column = finalize(profile_batches(table.to_batches(), table.schema)).column("d")
    assert column is not None
    assert column.supported, column.unsupported_reason
    check_column(column, values, kind="decimal")


def test_list_views_and_run_end_encoded() -> None:
    table = pa.table(
        {
            "lv": pa.array([[1], [2, 3], None], pa.list_view(pa.int64())),
            "llv": pa.array([[1], [], None], pa.large_list_view(pa.int64())),
            "ree": pa.RunEndEncodedArray.from_arrays([2, 3], pa.array(["a", None])),
        }
    )
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    for name, longest in (("lv", 2), ("llv", 1)):
        column = profile.column(name)
        assert column is not None
        assert column.supported, column.unsupported_reason
        assert column.metrics["length_max"].value == longest
    ree = profile.column("ree")
    assert ree is not None
    check_column(ree, ["a", "a", None], kind="string")


def test_decimal_sums_stay_exact(parquet_connector: ConnectorFactory) -> None:
    """0.1 + 0.2 in float is not 0.3; the decimal sum, min and max never go through float."""
    values = [Decimal("0.10"), Decimal("0.20")] * 50 + [Decimal("99999999999999999.99")]
    table = pa.table({"d": pa.array(values, pa.decimal128(19, 2))})
    column = _profile(parquet_connector, table).column("d")
    assert column is not None
    assert column.metrics["sum"].value == Decimal("100000000000000014.99")
    assert column.max_value == Decimal("99999999999999999.99")
    assert isinstance(column.min_value, Decimal)


@pytest.mark.parametrize("name", sorted(TEMPORAL_COLUMNS))
def test_temporal_types_match_reference(parquet_connector: ConnectorFactory, name: str) -> None:
    data_type, values = TEMPORAL_COLUMNS[name]
    table = pa.table({name: pa.array(values, data_type)})
    column = _profile(parquet_connector, table).column(name)
    assert column is not None
    assert column.supported, column.unsupported_reason
    python_values = table.column(name).to_pylist()
    check_column(column, python_values, kind="temporal")
    # Values come back as the type they are, zone included.
    assert type(column.min_value) is type(next(v for v in python_values if v is not None))
    if getattr(data_type, "tz", None):
        assert column.min_value.tzinfo is not None
        assert column.metrics["quantiles"].value["p50"].tzinfo is not None


def test_nanosecond_timestamps_keep_their_nanoseconds() -> None:
    values = [1_700_000_000_000_000_001, None, 1_700_000_000_000_000_000]
    table = pa.table({"ts": pa.array(values, pa.timestamp("ns", tz="UTC"))})
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    column = profile.column("ts")
    assert column is not None
    assert column.min_value == dt.datetime.fromtimestamp(1_700_000_000, UTC)
    assert column.max_value == "2023-11-14 22:13:20.000000001Z"
    assert column.distinct_count == 2


def test_duration_and_time_ns() -> None:
    table = pa.table(
        {
            "dur": pa.array(
                [dt.timedelta(seconds=5), None, dt.timedelta(days=-1)], pa.duration("us")
            ),
            "t_ns": pa.array([1_000, 2_000, None], pa.time64("ns")),
        }
    )
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    dur = profile.column("dur")
    assert dur is not None
    assert dur.supported
    check_column(dur, table.column("dur").to_pylist(), kind="temporal")
    t_ns = profile.column("t_ns")
    assert t_ns is not None
    assert t_ns.min_value == dt.time(0, 0, 0, 1)
    assert t_ns.max_value == dt.time(0, 0, 0, 2)


STRINGS = ["alpha", "Ωmega", None, "", "delta", "alpha", "ëpsilon", "alpha", None, "zz"]
BINARIES = [b"\x00\x01", None, b"", b"\xff", b"\x00\x01", b"abc"]


@pytest.mark.parametrize("data_type", [pa.string(), pa.large_string()])
def test_strings_match_reference(
    parquet_connector: ConnectorFactory, data_type: pa.DataType
) -> None:
    table = pa.table({"s": pa.array(STRINGS, data_type)})
    column = _profile(parquet_connector, table).column("s")
    assert column is not None
    check_column(column, STRINGS, kind="string")


def test_string_view_and_binary_view() -> None:
    table = pa.table(
        {
            "sv": pa.array(STRINGS, pa.string_view()),
            "bv": pa.array(BINARIES + [None] * 4, pa.binary_view()),
        }
    )
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    check_consistent(profile)
    sv, bv = profile.column("sv"), profile.column("bv")
    assert sv is not None
    assert bv is not None
    check_column(sv, STRINGS, kind="string")
    check_column(bv, BINARIES + [None] * 4, kind="binary")


@pytest.mark.parametrize("data_type", [pa.binary(), pa.large_binary()])
def test_binaries_match_reference(
    parquet_connector: ConnectorFactory, data_type: pa.DataType
) -> None:
    table = pa.table({"b": pa.array(BINARIES, data_type)})
    column = _profile(parquet_connector, table).column("b")
    assert column is not None
    check_column(column, BINARIES, kind="binary")


def test_fixed_size_binary(parquet_connector: ConnectorFactory) -> None:
    values = [b"ab", b"cd", None, b"ab"]
    table = pa.table({"b": pa.array(values, pa.binary(2))})
    column = _profile(parquet_connector, table).column("b")
    assert column is not None
    check_column(column, values, kind="binary")


def test_booleans(parquet_connector: ConnectorFactory) -> None:
    values = [True, False, None, True, True, None]
    table = pa.table({"b": pa.array(values)})
    column = _profile(parquet_connector, table).column("b")
    assert column is not None
    check_column(column, values, kind="boolean")
    assert column.top_values[0].value is True


def test_nested_types(parquet_connector: ConnectorFactory) -> None:
    table = pa.table(
        {
            "address": pa.array(
                [
                    {"city": "Paris", "zip": 75001, "geo": {"lat": 48.8}},
                    None,
                    {"city": None, "zip": 1000, "geo": None},
                    {"city": "Lyon", "zip": 69001, "geo": {"lat": 45.7}},
                ]
            ),
            "tags": pa.array([["a", "b"], [], None, ["c"]]),
            "big": pa.array([[1], [2, 3], None, []], pa.large_list(pa.int64())),
            "pair": pa.array([[1, 2], None, [3, 4], [5, 6]], pa.list_(pa.int64(), 2)),
            "attrs": pa.array(
                [[("k", 1)], None, [], [("a", 1), ("b", 2), ("c", 3)]],
                pa.map_(pa.string(), pa.int64()),
            ),
        }
    )
    profile = _profile(parquet_connector, table)
    names = [c.column_name for c in profile.columns]
    assert names == [
        "address",
        "address.city",
        "address.zip",
        "address.geo",
        "address.geo.lat",
        "tags",
        "big",
        "pair",
        "attrs",
    ]
    for dotted, kind in [
        ("address.city", "string"),
        ("address.zip", "numeric"),
        ("address.geo.lat", "float"),
    ]:
        column = profile.column(dotted)
        assert column is not None
        assert column.supported
        check_column(column, values_of(table, dotted), kind=kind)
    assert profile.column("address").null_count == 1  # type: ignore[union-attr]
    assert profile.column("address.geo").null_count == 2  # type: ignore[union-attr]
    for name, lengths in [
        ("tags", [2, 0, 1]),
        ("big", [1, 2, 0]),
        ("pair", [2, 2, 2]),
        ("attrs", [1, 0, 3]),
    ]:
        column = profile.column(name)
        assert column is not None
        assert column.supported, column.unsupported_reason
        assert column.null_count == 1
        assert column.metrics["length_min"].value == min(lengths)
        assert column.metrics["length_max"].value == max(lengths)
        assert column.metrics["length_mean"].value == pytest.approx(sum(lengths) / 3)
        assert column.metrics["empty_count"].value == lengths.count(0)
    assert profile.column("attrs").inferred_type == "map"  # type: ignore[union-attr]
    assert "address.city" in profile.schema_fields


def test_dictionary_and_null_columns(parquet_connector: ConnectorFactory) -> None:
    values = ["x", "y", None, "x"]
    table = pa.table({"dict": pa.array(values).dictionary_encode(), "nothing": pa.nulls(4)})
    profile = _profile(parquet_connector, table)
    column = profile.column("dict")
    assert column is not None
    check_column(column, values, kind="string")
    nothing = profile.column("nothing")
    assert nothing is not None
    assert nothing.supported
    assert nothing.null_count == 4
    assert nothing.inferred_type == "null"


def test_unsupported_types_are_marked_not_crashed() -> None:
    union = pa.UnionArray.from_sparse(
        pa.array([0, 1], pa.int8()), [pa.array([1, 2]), pa.array(["a", "b"])]
    )
    interval = pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval())
    table = pa.table({"u": union, "iv": interval, "ok": pa.array([1, 2])})
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    check_consistent(profile)
    for name in ("u", "iv"):
        column = profile.column(name)
        assert column is not None
        assert not column.supported
        assert column.unsupported_reason
        assert "no accumulator" in column.unsupported_reason
        assert column.row_count == 2
    assert profile.column("iv").null_count == 1  # type: ignore[union-attr]
    assert profile.column("ok").supported  # type: ignore[union-attr]


def test_extension_type_is_profiled_by_its_storage() -> None:
    uuid_values = [b"\x01" * 16, None, b"\x02" * 16]
    storage = pa.array(uuid_values, pa.binary(16))
    arr = pa.ExtensionArray.from_storage(pa.uuid(), storage)
    table = pa.table({"id": arr})
    profile = finalize(profile_batches(table.to_batches(), table.schema))
    column = profile.column("id")
    assert column is not None
    assert column.supported
    assert column.data_type == "extension<arrow.uuid>"
    check_column(column, uuid_values, kind="binary")
