"""The Athena connector passes the whole conformance kit, pushdown test included, on the
emulated Athena (its SQL executed on DuckDB)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest

from dataprof import DataSourceConfig
from dataprof.testing import ConnectorConformanceTests, standard_table
from dataprof.testing.moto_server import MOTO_SECRET_ACCESS_KEY


def athena_standard_table() -> pa.Table:
    """The kit's table as Athena holds it: table columns carry no time zone."""
    table = standard_table()
    index = table.schema.get_field_index("ts")
    return table.set_column(index, "ts", table.column("ts").cast(pa.timestamp("us")))


class TestAthenaConformance(ConnectorConformanceTests):
    @pytest.fixture
    def expected(self) -> pa.Table:
        return athena_standard_table()

    @pytest.fixture
    def config(
        self, expected: pa.Table, make_config: Callable[..., DataSourceConfig]
    ) -> DataSourceConfig:
        return make_config("standard", expected)

    @pytest.fixture
    def bad_config(self, config: DataSourceConfig) -> DataSourceConfig:
        return config.model_copy(update={"table": "no_such_table"})

    @pytest.fixture
    def secret_values(self) -> list[str]:
        return [MOTO_SECRET_ACCESS_KEY]
