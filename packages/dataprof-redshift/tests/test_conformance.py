"""The whole connector contract, through the emulated Data API over PostgreSQL."""

from __future__ import annotations

import pyarrow as pa
import pytest
from redshift_emulation import RedshiftEmulation
from redshift_tables import SECRET_ARN, redshift_config

from dataprof import DataSourceConfig
from dataprof.testing import ConnectorConformanceTests, standard_table


class TestRedshiftConnector(ConnectorConformanceTests):
    @pytest.fixture
    def expected(self) -> pa.Table:
        # Redshift has every type of the standard table, so nothing is adapted.
        return standard_table()

    @pytest.fixture
    def config(self, emulation: RedshiftEmulation, database: str) -> DataSourceConfig:
        return redshift_config(database)

    @pytest.fixture
    def bad_config(self, config: DataSourceConfig) -> DataSourceConfig:
        return config.model_copy(update={"table": "no_such_table"})

    @pytest.fixture
    def secret_values(self) -> list[str]:
        return [SECRET_ARN]
