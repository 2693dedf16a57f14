"""dataprof: profiles of what is in your tables and what went wrong with them.

The public API of the SDK. Importing it stays light: no backend, no boto3, no
PyIceberg, no pandas and no pyarrow are imported until something needs them.
"""

from __future__ import annotations

from dataprof import _allocator  # noqa: F401  (first: it picks pyarrow's allocator)
from dataprof.config import ConnectionTestResult, DataSourceConfig
from dataprof.connector import (
    Capability,
    ColumnStatistics,
    DataConnector,
    NoParams,
    ScanSplit,
    TableStatistics,
)
from dataprof.errors import (
    AccessDeniedError,
    AuthenticationError,
    BackendNotInstalledError,
    CapabilityNotSupportedError,
    ColumnNotFoundError,
    ConfigurationError,
    ConnectorError,
    DatabaseNotFoundError,
    DuplicatePluginError,
    NotFoundError,
    OperationTimeoutError,
    PermissionDeniedError,
    PluginError,
    PluginImportError,
    QueryFailedError,
    StateFormatError,
    TableNotFoundError,
    TransientError,
    UnknownSourceTypeError,
)
from dataprof.hooks import get_hooks, hookimpl
from dataprof.in_memory import profile
from dataprof.redaction import get_logger, redact
from dataprof.registry import (
    ConnectorInfo,
    ConnectorRegistry,
    get_connector,
    list_connectors,
    register,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``dataprof.report`` without importing it (or Jinja2) on ``import dataprof``."""
    if name == "report":
        import importlib

        return importlib.import_module("dataprof.report")
    raise AttributeError(f"module 'dataprof' has no attribute {name!r}")


__all__ = [
    "AccessDeniedError",
    "AuthenticationError",
    "BackendNotInstalledError",
    "Capability",
    "CapabilityNotSupportedError",
    "ColumnNotFoundError",
    "ColumnStatistics",
    "ConfigurationError",
    "ConnectionTestResult",
    "ConnectorError",
    "ConnectorInfo",
    "ConnectorRegistry",
    "DataConnector",
    "DataSourceConfig",
    "DatabaseNotFoundError",
    "DuplicatePluginError",
    "NoParams",
    "NotFoundError",
    "OperationTimeoutError",
    "PermissionDeniedError",
    "PluginError",
    "PluginImportError",
    "QueryFailedError",
    "ScanSplit",
    "StateFormatError",
    "TableNotFoundError",
    "TableStatistics",
    "TransientError",
    "UnknownSourceTypeError",
    "__version__",
    "get_connector",
    "get_hooks",
    "get_logger",
    "hookimpl",
    "list_connectors",
    "profile",
    "redact",
    "register",
]
