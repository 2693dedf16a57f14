"""Fixtures for the engine's tests: tables written to Parquet and read through the
built-in ``file`` connector, the same path a user takes.

The suite runs with ``--import-mode=importlib``, which puts no test folder on
``sys.path``; this folder goes on it so that ``engine_reference`` imports.
"""

from __future__ import annotations

import sys
from itertools import count
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from engine_reference import ConnectorFactory, file_connector  # noqa: E402

from dataprof.connector import DataConnector  # noqa: E402


@pytest.fixture
def parquet_connector(tmp_path: Path) -> ConnectorFactory:
    """Write ``table`` to Parquet (``row_group_size`` rows per group) and connect to it."""
    numbers = count()

    def make(table: pa.Table, row_group_size: int | None = None) -> DataConnector:
        path = tmp_path / f"t{next(numbers)}.parquet"
        pq.write_table(table, path, row_group_size=row_group_size)
        return file_connector(path)

    return make
