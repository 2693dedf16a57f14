"""The Glue catalog against a moto server on 127.0.0.1 (Glue and S3 endpoints): a
table written through PyIceberg and read back through the connector."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dataprof import DatabaseNotFoundError, DataSourceConfig, TableNotFoundError, get_connector


def test_glue_table_written_by_pyiceberg_reads_back(
    make_glue_table: Any, glue_params: dict[str, Any]
) -> None:
    data = pa.table(
        {
            "id": pa.array(range(100), pa.int64()),
            "city": pa.array([f"city-{i % 7}" for i in range(100)]),
            "fare": pa.array([None if i % 10 == 0 else i / 4 for i in range(100)]),
        }
    )
    name = make_glue_table(data)
    config = DataSourceConfig(
        source_type="iceberg", database="glue_ns", table=name, connection_params=glue_params
    )
    with get_connector(config) as connector:
        assert connector.get_schema() == {"id": "long", "city": "string", "fare": "double"}
        assert connector.count_rows().method == "snapshot summary"
        assert connector.get_row_count() == 100
        read = pa.Table.from_batches(list(connector.iter_batches(columns=["fare", "id"])))
        stats = connector.get_column_statistics()
        splits = connector.plan_splits(2)
        split_rows = [sum(b.num_rows for b in connector.iter_batches(split=s)) for s in splits]
    assert read.sort_by("id").column("fare").to_pylist() == data.column("fare").to_pylist()
    assert stats.columns["fare"].null_count == 10
    assert (stats.columns["id"].lower_bound, stats.columns["id"].upper_bound) == (0, 99)
    assert stats.data_file_count == 2
    assert sorted(split_rows) == [50, 50]
    assert all(p.startswith("s3://dataprof-warehouse/") for s in splits for p in s.payload["files"])


@pytest.mark.parametrize("namespace", ["glue_ns", "nowhere"])
def test_glue_missing_table_and_namespace(
    glue_params: dict[str, Any], glue_namespace: str, namespace: str
) -> None:
    error = TableNotFoundError if namespace == glue_namespace else DatabaseNotFoundError
    config = DataSourceConfig(
        source_type="iceberg", database=namespace, table="absent", connection_params=glue_params
    )
    with get_connector(config) as connector, pytest.raises(error) as info:
        connector.get_row_count()
    assert "'absent'" in str(info.value)
    assert repr(namespace) in str(info.value)
