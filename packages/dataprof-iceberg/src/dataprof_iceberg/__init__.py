"""dataprof's Iceberg backend: Iceberg tables through any PyIceberg catalog.

`IcebergConnector` is registered under the entry point ``iceberg``;
`create_demo_warehouse` (the ``dataprof demo`` command) builds a local warehouse
to try it without a cloud account.

The names below load on first access: the core CLI imports ``dataprof_iceberg.cli``
on every start, and that must not pay for importing PyIceberg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataprof_iceberg.connector import IcebergConnector, RowCount
    from dataprof_iceberg.demo import DemoWarehouse, create_demo_warehouse
    from dataprof_iceberg.params import IcebergParams

__all__ = [
    "DemoWarehouse",
    "IcebergConnector",
    "IcebergParams",
    "RowCount",
    "create_demo_warehouse",
]

_WHERE = {
    "IcebergConnector": "dataprof_iceberg.connector",
    "RowCount": "dataprof_iceberg.connector",
    "IcebergParams": "dataprof_iceberg.params",
    "DemoWarehouse": "dataprof_iceberg.demo",
    "create_demo_warehouse": "dataprof_iceberg.demo",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'dataprof_iceberg' has no attribute {name!r}")
