"""The models a source is described by, before any connector is built.

``source_type`` is an open set: it is checked against the registry (entry points
and explicit registrations) so a third-party plugin validates like a first-party
one. ``connection_params`` stays a plain mapping here because its shape belongs to
the connector: each connector validates it against its own pydantic model when it
is built (:meth:`dataprof.DataConnector.__init__`). What this module does with the
mapping is keep secrets secret: any value under a key that names a secret becomes a
``SecretStr`` and is remembered for redaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from dataprof.redaction import is_secret_key, remember_secret

__all__ = ["ConnectionTestResult", "DataSourceConfig", "TableIdentity", "reveal_secrets"]


def _hide_secrets(value: Any, key: str = "") -> Any:
    if isinstance(value, Mapping):
        return {k: _hide_secrets(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide_secrets(v, key) for v in value]
    if isinstance(value, SecretStr):
        remember_secret(value.get_secret_value())
        return value
    if isinstance(value, str) and is_secret_key(key):
        remember_secret(value)
        return SecretStr(value)
    return value


def reveal_secrets(value: Any) -> Any:
    """The plain values behind :class:`DataSourceConfig`'s masking, for a connector's
    own params model to validate (and mask again where it declares ``SecretStr``)."""
    if isinstance(value, Mapping):
        return {k: reveal_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal_secrets(v) for v in value]
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value


class TableIdentity(TypedDict):
    """What names a profiled table (see :attr:`DataSourceConfig.identity`)."""

    source_type: str
    source_name: str | None
    database: str
    table: str


class DataSourceConfig(BaseModel):
    """Where a table lives: which connector, how to reach it, which table.

    ``name`` is optional and only labels the source in messages (the key of a
    named source in a config file).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_type: str = Field(min_length=1)
    connection_params: dict[str, Any] = Field(default_factory=dict)
    database: str
    table: str
    name: str | None = None

    @field_validator("source_type")
    @classmethod
    def _known_source_type(cls, value: str) -> str:
        from dataprof.registry import default_registry

        default_registry.check_name(value)
        return value

    @field_validator("connection_params", mode="after")
    @classmethod
    def _mask_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = _hide_secrets(value)
        return masked

    @property
    def qualified_table(self) -> str:
        """``database.table``, the form every message uses."""
        return f"{self.database}.{self.table}" if self.database else self.table

    @property
    def label(self) -> str:
        """The source as messages name it: ``name (type)`` or just the type."""
        return f"{self.name} ({self.source_type})" if self.name else self.source_type

    @property
    def identity(self) -> TableIdentity:
        """The fields that name the profiled table in a profile and in a store
        (``TableProfile``, ``SourceIdentity``): source type and name, database, table."""
        return TableIdentity(
            source_type=self.source_type,
            source_name=self.name,
            database=self.database,
            table=self.table,
        )


class ConnectionTestResult(BaseModel):
    """What `test_connection` found. A failure is a result, not an exception, so a
    health check can report every source in one pass."""

    model_config = ConfigDict(frozen=True)

    success: bool
    message: str
    row_count: int | None = None
