"""Fixtures for the engine's tests: tables written to Parquet and read through the
built-in ``file`` connector, the same path a user takes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataprof
from dataprof.connector import DataConnector

ConnectorFactory = Callable[..., DataConnector]


def file_connector(path: Path) -> DataConnector:
    config = dataprof.DataSourceConfig(
        source_type="file", connection_params={"path": str(path)}, database="x", table="y"
    )
    return dataprof.get_connector(config)


@pytest.fixture
def parquet_connector(tmp_path: Path) -> ConnectorFactory:
    """Write ``table`` to Parquet (``row_group_size`` rows per group) and connect to it."""
    counter = iter(range(1_000_000))

    def make(table: pa.Table, row_group_size: int | None = None) -> DataConnector:
        path = tmp_path / f"t{next(counter)}.parquet"
        pq.write_table(table, path, row_group_size=row_group_size)
        return file_connector(path)

    return make
