"""A partitioned table: reads, row filters pruning partitions, statistics and splits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DateType, LongType, NestedField, StringType

from dataprof import get_connector

SqlWarehouse = Any  # conftest's fixture type (conftest is not importable under importlib mode)

SCHEMA = Schema(
    NestedField(1, "id", LongType()),
    NestedField(2, "region", StringType()),
    NestedField(3, "day", DateType()),
)
SPEC = PartitionSpec(
    PartitionField(2, 1000, IdentityTransform(), "region"),
    PartitionField(3, 1001, IdentityTransform(), "day"),  # day() needs pyiceberg-core to write
)


def test_partitioned_table(sql_warehouse: SqlWarehouse) -> None:
    table = sql_warehouse.catalog.create_table(("ns", "p"), schema=SCHEMA, partition_spec=SPEC)
    rows = [
        {"id": i, "region": ["eu", "us", "ap"][i % 3], "day": dt.date(2024, 1, 1 + i % 4)}
        for i in range(60)
    ]
    table.append(pa.Table.from_pylist(rows, schema=table.schema().as_arrow()))
    files = table.inspect.files().num_rows
    assert files == 12  # 3 regions x 4 days

    with get_connector(sql_warehouse.config("p")) as connector:
        stats = connector.get_column_statistics()
        splits = connector.plan_splits(5)
        read = sorted(
            v
            for s in splits
            for b in connector.iter_batches(split=s)
            for v in b.column("id").to_pylist()
        )
    assert stats.data_file_count == 12
    assert stats.columns["id"].lower_bound == 0
    assert stats.columns["day"].upper_bound == dt.date(2024, 1, 4)
    assert len(splits) == 5
    assert sum(len(s.payload["files"]) for s in splits) == 12
    assert read == list(range(60))

    config = sql_warehouse.config("p", row_filter="region = 'eu'")
    with get_connector(config) as filtered:
        assert filtered.get_row_count() == 20
        planned = filtered.plan_splits(8)
    assert sum(len(s.payload["files"]) for s in planned) == 4  # other regions pruned
