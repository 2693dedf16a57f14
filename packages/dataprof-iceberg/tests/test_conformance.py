"""dataprof's connector conformance kit, on both catalogs: SQL on SQLite and Glue on moto."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from dataprof import DataSourceConfig
from dataprof.testing import ConnectorConformanceTests, standard_table

SECRET = "sql-catalog-secret-value"


class TestSqlCatalogConformance(ConnectorConformanceTests):
    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(self, expected: pa.Table, sql_warehouse: Any) -> DataSourceConfig:
        table = sql_warehouse.create("standard", expected.slice(0, 4))
        table.append(expected.slice(4))  # two files, so splits have something to divide
        return sql_warehouse.config("standard", properties={"s3.secret-access-key": SECRET})

    @pytest.fixture
    def bad_config(self, config: DataSourceConfig) -> DataSourceConfig:
        return config.model_copy(update={"table": "no_such_table"})

    @pytest.fixture
    def secret_values(self) -> list[str]:
        return [SECRET]


class TestGlueCatalogConformance(ConnectorConformanceTests):
    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(
        self, expected: pa.Table, make_glue_table: Any, glue_params: dict[str, Any]
    ) -> DataSourceConfig:
        name = make_glue_table(expected)
        return DataSourceConfig(
            source_type="iceberg", database="glue_ns", table=name, connection_params=glue_params
        )

    @pytest.fixture
    def bad_config(self, config: DataSourceConfig) -> DataSourceConfig:
        return config.model_copy(update={"table": "no_such_table"})

    @pytest.fixture
    def secret_values(self, glue_params: dict[str, Any]) -> list[str]:
        return [glue_params["secret_access_key"]]
