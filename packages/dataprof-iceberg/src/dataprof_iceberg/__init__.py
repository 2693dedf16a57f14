"""dataprof's Iceberg backend: Iceberg tables through any PyIceberg catalog.

`IcebergConnector` is registered under the entry point ``iceberg``; `demo` builds a
local warehouse to try it without a cloud account (`dataprof demo`).
"""

from __future__ import annotations

from dataprof_iceberg.connector import IcebergConnector, RowCount
from dataprof_iceberg.params import IcebergParams

__all__ = ["IcebergConnector", "IcebergParams", "RowCount"]
