"""Reads through a real SQL catalog on SQLite with real Parquet files: snapshots,
time travel, schema evolution, every type, empty tables, projection, filters and
batch sizes."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyiceberg.schema import Schema
from pyiceberg.types import (
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FixedType,
    FloatType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

from dataprof import Capability, ColumnNotFoundError, get_connector

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)


def ids(connector: Any, **kwargs: Any) -> list[int]:
    return sorted(v for b in connector.iter_batches(**kwargs) for v in b.column("id").to_pylist())


def _ints(start: int, stop: int) -> pa.Table:
    return pa.table({"id": pa.array(range(start, stop), pa.int64())})


# -- snapshots --------------------------------------------------------------------------------
def test_reads_are_pinned_to_the_snapshot_of_first_use(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.create("t", _ints(0, 5))
    with get_connector(sql_warehouse.config("t")) as connector:
        pinned = connector.snapshot_id
        assert pinned == table.current_snapshot().snapshot_id
        table.append(_ints(5, 9))  # another writer, after the profile started
        assert connector.snapshot_id == pinned
        assert connector.get_row_count() == 5
        assert ids(connector) == list(range(5))
        assert connector.get_column_statistics().snapshot_id == pinned
        assert all(s.payload["snapshot_id"] == pinned for s in connector.plan_splits(4))
    with get_connector(sql_warehouse.config("t")) as fresh:
        assert fresh.get_row_count() == 9
        assert fresh.snapshot_id != pinned


def test_time_travel_by_snapshot_id_and_timestamp(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.create("t", _ints(0, 3))
    first = table.current_snapshot()
    time.sleep(0.01)
    table.append(_ints(3, 7))
    second = table.refresh().current_snapshot()
    time.sleep(0.01)
    table.append(_ints(7, 8))

    by_id = sql_warehouse.config("t", snapshot_id=first.snapshot_id)
    with get_connector(by_id) as connector:
        assert connector.snapshot_id == first.snapshot_id
        assert connector.get_row_count() == 3
        assert ids(connector) == [0, 1, 2]

    at = dt.datetime.fromtimestamp(second.timestamp_ms / 1000, dt.UTC)
    with get_connector(sql_warehouse.config("t", as_of=at.isoformat())) as connector:
        assert connector.snapshot_id == second.snapshot_id
        assert connector.get_row_count() == 7
        assert connector.get_column_statistics().columns["id"].upper_bound == 6


def test_schema_evolution_added_and_renamed_columns(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.create("t", pa.table({"id": [1, 2], "old_name": ["a", "b"]}))
    before = table.current_snapshot().snapshot_id
    with table.update_schema() as update:
        update.add_column("score", DoubleType())
        update.rename_column("old_name", "new_name")
    table.append(
        pa.table({"id": [3], "new_name": ["c"], "score": [0.5]}).cast(table.schema().as_arrow())
    )

    with get_connector(sql_warehouse.config("t")) as connector:
        assert connector.get_schema() == {"id": "long", "new_name": "string", "score": "double"}
        field_ids = connector.field_ids()
        rows = pa.Table.from_batches(list(connector.iter_batches())).sort_by("id").to_pylist()
        stats = connector.get_column_statistics()
    assert rows == [
        {"id": 1, "new_name": "a", "score": None},
        {"id": 2, "new_name": "b", "score": None},
        {"id": 3, "new_name": "c", "score": 0.5},
    ]
    # Files written before `score` existed count as nulls, not as unknown.
    assert (stats.columns["score"].value_count, stats.columns["score"].null_count) == (3, 2)
    assert stats.columns["new_name"].field_id == field_ids["new_name"]

    with get_connector(sql_warehouse.config("t", snapshot_id=before)) as old:
        assert list(old.get_schema()) == ["id", "old_name"]
        assert old.field_ids()["old_name"] == field_ids["new_name"]  # history follows the id


# -- types ------------------------------------------------------------------------------------
ALL_TYPES = Schema(
    NestedField(1, "b", BooleanType()),
    NestedField(2, "i", IntegerType()),
    NestedField(3, "l", LongType()),
    NestedField(4, "f", FloatType()),
    NestedField(5, "d", DoubleType()),
    NestedField(6, "dec", DecimalType(9, 2)),
    NestedField(7, "dec38", DecimalType(38, 10)),
    NestedField(8, "day", DateType()),
    NestedField(9, "tod", TimeType()),
    NestedField(10, "ts", TimestampType()),
    NestedField(11, "tstz", TimestamptzType()),
    NestedField(12, "s", StringType()),
    NestedField(13, "u", UUIDType()),
    NestedField(14, "fx", FixedType(4)),
    NestedField(15, "bin", BinaryType()),
    NestedField(
        16,
        "point",
        StructType(NestedField(17, "x", DoubleType()), NestedField(18, "y", DoubleType())),
    ),
    NestedField(19, "tags", ListType(20, StringType())),
    NestedField(21, "attrs", MapType(22, StringType(), 23, LongType())),
)

ALL_TYPE_NAMES = {
    "b": "boolean",
    "i": "int",
    "l": "long",
    "f": "float",
    "d": "double",
    "dec": "decimal(9, 2)",
    "dec38": "decimal(38, 10)",
    "day": "date",
    "tod": "time",
    "ts": "timestamp",
    "tstz": "timestamptz",
    "s": "string",
    "u": "uuid",
    "fx": "fixed[4]",
    "bin": "binary",
    "point": "struct<x: double, y: double>",
    "tags": "list<string>",
    "attrs": "map<string, long>",
}


def all_types_rows() -> list[dict[str, Any]]:
    utc = dt.UTC
    return [
        {
            "b": True,
            "i": -5,
            "l": 2**40,
            "f": 1.5,
            "d": -2.25,
            "dec": Decimal("12.34"),
            "dec38": Decimal("1234567890.0123456789"),
            "day": dt.date(2024, 2, 29),
            "tod": dt.time(23, 59, 59, 999999),
            "ts": dt.datetime(2024, 1, 1, 12, 30),
            "tstz": dt.datetime(2024, 1, 1, 12, 30, tzinfo=utc),
            "s": "Ωmega",
            "u": uuid.UUID(int=1).bytes,
            "fx": b"abcd",
            "bin": b"\x00\xff",
            "point": {"x": 1.0, "y": 2.0},
            "tags": ["a", "b"],
            "attrs": [("k", 1)],
        },
        {
            "b": False,
            "i": 7,
            "l": -1,
            "f": -0.5,
            "d": 1e300,
            "dec": Decimal("-0.01"),
            "dec38": Decimal("-1.0000000001"),
            "day": dt.date(1970, 1, 1),
            "tod": dt.time(0, 0),
            "ts": dt.datetime(1999, 12, 31, 23, 59, 59),
            "tstz": dt.datetime(2030, 6, 15, tzinfo=utc),
            "s": "",
            "u": uuid.UUID(int=2**127).bytes,
            "fx": b"zzzz",
            "bin": b"",
            "point": {"x": None, "y": -1.0},
            "tags": [],
            "attrs": [],
        },
        dict.fromkeys(ALL_TYPE_NAMES),
    ]


@pytest.fixture
def all_types_table(sql_warehouse: SqlWarehouse) -> Any:
    table = sql_warehouse.catalog.create_table(("ns", "types"), schema=ALL_TYPES)
    arrow = pa.Table.from_pylist(all_types_rows(), schema=table.schema().as_arrow())
    table.append(arrow)
    return table


def test_every_primitive_and_nested_type_round_trips(
    sql_warehouse: SqlWarehouse, all_types_table: Any
) -> None:
    with get_connector(sql_warehouse.config("types")) as connector:
        assert connector.get_schema() == ALL_TYPE_NAMES
        schema = connector.arrow_schema()
        read = pa.Table.from_batches(list(connector.iter_batches()), schema=schema)
        field_ids = connector.field_ids()
    written = all_types_table.schema()  # create_table assigns fresh ids
    point_id = str(written.find_field("point").field_id).encode()
    assert schema.field("point").metadata[b"PARQUET:field_id"] == point_id
    for dotted in ("point.y", "attrs.value", "tags.element", "tstz"):
        assert field_ids[dotted] == written.find_field(dotted).field_id, dotted
    expected = all_types_table.scan().to_arrow()
    assert read.sort_by("i").to_pylist() == expected.sort_by("i").to_pylist()
    assert read.num_rows == 3


def test_metadata_bounds_of_every_primitive_decode_to_values(
    sql_warehouse: SqlWarehouse, all_types_table: Any
) -> None:
    """Bounds come back as the Python values a scan's min and max would be."""
    with get_connector(sql_warehouse.config("types")) as connector:
        stats = connector.get_column_statistics()
    rows = all_types_rows()[:2]
    utc = dt.UTC
    expected_bounds = {
        "b": (False, True),
        "i": (-5, 7),
        "l": (-1, 2**40),
        "f": (-0.5, 1.5),
        "d": (-2.25, 1e300),
        "dec": (Decimal("-0.01"), Decimal("12.34")),
        "dec38": (Decimal("-1.0000000001"), Decimal("1234567890.0123456789")),
        "day": (dt.date(1970, 1, 1), dt.date(2024, 2, 29)),
        "tod": (dt.time(0, 0), dt.time(23, 59, 59, 999999)),
        "ts": (dt.datetime(1999, 12, 31, 23, 59, 59), dt.datetime(2024, 1, 1, 12, 30)),
        "tstz": (dt.datetime(2024, 1, 1, 12, 30, tzinfo=utc), dt.datetime(2030, 6, 15, tzinfo=utc)),
        "u": (uuid.UUID(int=1), uuid.UUID(int=2**127)),
    }
    for name, (low, high) in expected_bounds.items():
        column = stats.columns[name]
        assert (column.lower_bound, column.upper_bound) == (low, high), name
        assert column.bounds_exact, name
        assert (column.value_count, column.null_count) == (3, 1), name
    assert stats.columns["s"].lower_bound <= min(r["s"] for r in rows)
    assert not stats.columns["s"].bounds_exact
    assert stats.columns["point.x"].null_count == 2
    assert stats.columns["tags.element"].caveats


def test_empty_table(sql_warehouse: SqlWarehouse) -> None:
    sql_warehouse.create("empty", _ints(0, 0))
    with get_connector(sql_warehouse.config("empty")) as connector:
        assert connector.snapshot_id is None
        assert connector.get_row_count() == 0
        assert list(connector.iter_batches()) == []
        assert connector.get_sample_arrow(10).num_rows == 0
        assert connector.get_sample_arrow(10).schema.names == ["id"]
        stats = connector.get_column_statistics()
        assert (stats.row_count, stats.data_file_count) == (0, 0)
        assert stats.columns["id"].value_count == 0
        splits = connector.plan_splits(3)
        assert len(splits) == 1
        assert list(connector.iter_batches(split=splits[0])) == []


def test_all_null_column(sql_warehouse: SqlWarehouse) -> None:
    data = pa.table({"id": [1, 2, 3], "nothing": pa.array([None, None, None], pa.string())})
    sql_warehouse.create("nulls", data)
    sql_warehouse.catalog.load_table(("ns", "nulls")).append(data)
    with get_connector(sql_warehouse.config("nulls")) as connector:
        column = connector.get_column_statistics().columns["nothing"]
        read = pa.Table.from_batches(list(connector.iter_batches(columns=["nothing"])))
    assert (column.value_count, column.null_count) == (6, 6)
    assert (column.lower_bound, column.upper_bound) == (None, None)
    assert not any("record no bounds" in c for c in column.caveats)
    assert read.column("nothing").null_count == 6


# -- projection, filters, batches -------------------------------------------------------------
def test_projection_keeps_the_order_asked_and_rejects_unknown_columns(
    sql_warehouse: SqlWarehouse,
) -> None:
    sql_warehouse.create("t", pa.table({"a": [1], "b": ["x"], "c": [2.0]}))
    with get_connector(sql_warehouse.config("t")) as connector:
        batch = next(connector.iter_batches(columns=["c", "a"]))
        assert batch.schema.names == ["c", "a"]
        assert [b.num_columns for b in connector.iter_batches(columns=[])] == [0]
        assert sum(b.num_rows for b in connector.iter_batches(columns=[])) == 1
        with pytest.raises(ColumnNotFoundError, match="'zz'"):
            list(connector.iter_batches(columns=["a", "zz"]))


def test_row_filter_applies_to_reads_counts_and_capabilities(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.create("t", _ints(0, 50))
    table.append(_ints(50, 100))
    config = sql_warehouse.config("t", row_filter="id >= 40 AND id < 60")
    with get_connector(config) as connector:
        assert ids(connector) == list(range(40, 60))
        assert connector.get_row_count() == 20
        assert connector.count_rows().method == "scan with row filter"
        assert not connector.supports(Capability.ROW_COUNT_FROM_METADATA)
        assert not connector.supports(Capability.COLUMN_STATS_FROM_METADATA)
        assert connector.supports(Capability.PARALLEL_SPLITS)
        parts = [ids(connector, split=s) for s in connector.plan_splits(2)]
    assert sorted(v for p in parts for v in p) == list(range(40, 60))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch_size=st.integers(min_value=1, max_value=40))
def test_batches_never_exceed_batch_size(sql_warehouse: SqlWarehouse, batch_size: int) -> None:
    name = f"b{batch_size}"
    if not sql_warehouse.catalog.table_exists(("ns", name)):
        table = sql_warehouse.create(name, _ints(0, 37))
        table.append(_ints(37, 45))
    with get_connector(sql_warehouse.config(name)) as connector:
        sizes = [b.num_rows for b in connector.iter_batches(batch_size=batch_size)]
    assert sum(sizes) == 45
    assert max(sizes) <= batch_size
    assert all(size > 0 for size in sizes)


def test_a_split_read_in_another_process_sees_the_planned_snapshot(
    sql_warehouse: SqlWarehouse,
) -> None:
    """A worker builds its own connector from the same config, after the table moved on."""
    table = sql_warehouse.create("t", _ints(0, 10))
    for start in range(10, 50, 10):
        table.append(_ints(start, start + 10))
    with get_connector(sql_warehouse.config("t")) as planner:
        splits = planner.plan_splits(3)
        snapshot = planner.snapshot_id
    table.append(_ints(50, 60))
    table.delete("id < 5")
    payloads = [s.model_dump_json() for s in splits]  # what crosses the process boundary
    with get_connector(sql_warehouse.config("t")) as worker:
        from dataprof import ScanSplit

        parts = [ids(worker, split=ScanSplit.model_validate_json(p)) for p in payloads]
        assert worker.snapshot_id != snapshot
    assert sorted(v for p in parts for v in p) == list(range(50))
    assert len(splits) == 3
    assert {len(p) for p in parts} <= {10, 20}
