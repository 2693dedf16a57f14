"""The reference connector passes the kit in every format it reads."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.json as pajson  # noqa: F401 - proves the JSON reader is importable
import pyarrow.parquet as pq
import pytest

from dataprof import DataSourceConfig
from dataprof.testing import ConnectorConformanceTests, standard_table


def file_config(path: Path | str, **params: str) -> DataSourceConfig:
    return DataSourceConfig(
        source_type="file",
        connection_params={"path": str(path), **params},
        database="files",
        table="t",
    )


class FileConformance(ConnectorConformanceTests):
    @pytest.fixture
    def bad_config(self, tmp_path: Path) -> DataSourceConfig:
        return DataSourceConfig(
            source_type="file",
            connection_params={"path": str(tmp_path / "missing" / "*.parquet")},
            database="files",
            table="missing_table",
        )


class TestParquetFile(FileConformance):
    ordered = True

    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        pq.write_table(expected, tmp_path / "t.parquet", row_group_size=2)
        return file_config(tmp_path / "t.parquet")


class TestParquetDirectoryOfFiles(FileConformance):
    """Several files and row groups: splits have something to balance."""

    @pytest.fixture
    def expected(self) -> pa.Table:
        return pa.concat_tables([standard_table()] * 3)

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        for i in range(3):
            pq.write_table(standard_table(), tmp_path / f"part-{i}.parquet", row_group_size=3)
        return file_config(tmp_path)


class TestArrowIpcFile(FileConformance):
    ordered = True

    @pytest.fixture
    def expected(self) -> pa.Table:
        return standard_table()

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        feather.write_feather(expected, tmp_path / "t.arrow", compression="uncompressed")
        return file_config(tmp_path / "t.arrow")


SIMPLE = pa.table(
    {
        "id": pa.array([1, 2, 3, 4], pa.int64()),
        "score": pa.array([0.5, None, -1.25, 3.0], pa.float64()),
        "label": pa.array(["a", "b", None, "d"], pa.string()),
    }
)


class TestCsvGlob(FileConformance):
    ordered = True

    @pytest.fixture
    def expected(self) -> pa.Table:
        return SIMPLE

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        pacsv.write_csv(expected, tmp_path / "t.csv")
        return file_config(tmp_path / "*.csv")


class TestJsonLines(FileConformance):
    ordered = True

    @pytest.fixture
    def expected(self) -> pa.Table:
        return SIMPLE

    @pytest.fixture
    def config(self, expected: pa.Table, tmp_path: Path) -> DataSourceConfig:
        import json

        lines = [json.dumps(row) for row in expected.to_pylist()]
        (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n")
        return file_config(tmp_path / "t.jsonl")
