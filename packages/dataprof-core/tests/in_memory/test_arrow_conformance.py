"""The `arrow` connector passes the same conformance kit as every other connector."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dataprof import DataSourceConfig
from dataprof.connectors.arrow import InMemoryData
from dataprof.testing import ConnectorConformanceTests, standard_table


class BrokenStream:
    """A producer whose C stream fails, as a closed database cursor would."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        raise ValueError("the cursor is closed")


def test_a_config_holding_data_serializes_as_its_type_only() -> None:
    """Fix: connectors/arrow.py InMemoryData (excluded from dumps and reprs)."""
    table = pa.table({"secret_values": ["a", "b", "c"]})
    config = DataSourceConfig(
        source_type="arrow",
        connection_params={"data": InMemoryData(data=table)},
        database="",
        table="t",
    )
    dumped = config.model_dump_json()
    assert '"object_type":"pyarrow.lib.Table"' in dumped
    assert "secret_values" not in dumped
    assert "secret_values" not in repr(config)


class TestArrowConnector(ConnectorConformanceTests):
    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(self, expected: pa.Table) -> DataSourceConfig:
        return DataSourceConfig(
            source_type="arrow",
            connection_params={"data": InMemoryData(data=expected)},
            database="",
            table="frame",
        )

    @pytest.fixture
    def bad_config(self) -> DataSourceConfig:
        return DataSourceConfig(
            source_type="arrow",
            connection_params={"data": InMemoryData(data=BrokenStream())},
            database="",
            table="cursor",
        )
