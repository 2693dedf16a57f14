"""``connection_params`` of the ``iceberg`` source, and the PyIceberg catalog properties
they become.

The named fields cover what most users set (a catalog type, a region, endpoints, a
snapshot to pin); ``properties`` passes anything else straight to PyIceberg's
``load_catalog`` so that no catalog option is out of reach. Named fields win over
``properties`` because they are what the error messages point at.

The S3 region is always set when it is known (and required for Glue and for S3
warehouses): without it PyArrow's S3 client asks the internet for the bucket's
region and stalls for seconds, or forever on a machine without a route out.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from dataprof.redaction import is_secret_key, remember_secret

__all__ = ["CatalogType", "IcebergParams", "catalog_properties"]

CatalogType = Literal["glue", "sql", "rest", "hive"]
PropertyValue = str | int | float | bool | SecretStr

# connection_params field -> PyIceberg property; both names appear in error messages.
_PLAIN: dict[str, str] = {
    "uri": "uri",
    "warehouse": "warehouse",
    "glue_endpoint": "glue.endpoint",
    "s3_endpoint": "s3.endpoint",
    "profile_name": "client.profile-name",
    "access_key_id": "client.access-key-id",
}
_SECRET: dict[str, str] = {
    "secret_access_key": "client.secret-access-key",
    "session_token": "client.session-token",
    "credential": "credential",
    "token": "token",
}
_REGION_KEYS = ("client.region", "s3.region", "glue.region")


class IcebergParams(BaseModel):
    """``connection_params`` of the ``iceberg`` source (``database`` is the Iceberg
    namespace, ``table`` the table name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog_name: str = Field(default="default", min_length=1)
    catalog_type: CatalogType = "glue"
    region: str | None = Field(default=None, description="AWS region of Glue and of S3")
    glue_endpoint: str | None = Field(
        default=None, description="Glue endpoint override (VPC, tests)"
    )
    s3_endpoint: str | None = Field(default=None, description="S3 endpoint override (VPC, tests)")
    uri: str | None = Field(default=None, description="sql: SQLAlchemy URL; rest/hive: server URI")
    warehouse: str | None = Field(default=None, description="warehouse location or name")
    profile_name: str | None = Field(default=None, description="AWS profile")
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None
    session_token: SecretStr | None = None
    credential: SecretStr | None = Field(default=None, description="rest: OAuth client credential")
    token: SecretStr | None = Field(default=None, description="rest: bearer token")
    snapshot_id: int | None = Field(default=None, description="pin reads to this snapshot")
    as_of: datetime | None = Field(
        default=None, description="pin reads to the snapshot current at this time"
    )
    row_filter: str | None = Field(
        default=None, description="a PyIceberg filter expression, e.g. \"fare > 0 AND city = 'x'\""
    )
    case_sensitive: bool = True
    read_threads: int = Field(
        default=2,
        ge=1,
        le=32,
        description="files read at once by iter_batches (order kept; memory bounded per thread)",
    )
    properties: dict[str, PropertyValue] = Field(
        default_factory=dict,
        description="passed to pyiceberg.catalog.load_catalog as they are; values under "
        "secret-looking keys (s3.secret-access-key, token...) are kept as SecretStr",
    )

    @field_validator("credential")
    @classmethod
    def _remember_client_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """A REST credential is ``client_id:client_secret``; a server may echo the
        secret half alone, so that half is remembered for redaction too."""
        if value is not None:
            _, _, client_secret = value.get_secret_value().partition(":")
            if client_secret:
                remember_secret(client_secret)
        return value

    @field_validator("properties")
    @classmethod
    def _hide_secret_properties(cls, value: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
        hidden: dict[str, PropertyValue] = {}
        for key, item in value.items():
            plain = item.get_secret_value() if isinstance(item, SecretStr) else item
            if is_secret_key(key) and isinstance(plain, str):
                remember_secret(plain)
                hidden[key] = SecretStr(plain)
            else:
                hidden[key] = plain
        return hidden

    def plain_properties(self) -> dict[str, Any]:
        """``properties`` with their secrets revealed, for PyIceberg only."""
        return {
            k: v.get_secret_value() if isinstance(v, SecretStr) else v
            for k, v in self.properties.items()
        }

    def resolved_region(self) -> str | None:
        """The region from the params, the passthrough properties or the environment."""
        if self.region:
            return self.region
        plain = self.plain_properties()
        for key in _REGION_KEYS:
            if plain.get(key):
                return str(plain[key])
        return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None

    def needs_region(self) -> bool:
        """Glue always does; any catalog does once its data lives on S3."""
        warehouse = self.warehouse or str(self.plain_properties().get("warehouse", ""))
        return self.catalog_type == "glue" or warehouse.startswith(("s3://", "s3a://"))


def catalog_properties(params: IcebergParams) -> dict[str, Any]:
    """The keyword properties for ``load_catalog(params.catalog_name, **...)``. Values
    are strings except where a passthrough property was given as a number or boolean
    (PyIceberg reads ``glue.max-retries`` as an int)."""
    props: dict[str, Any] = params.plain_properties()
    props["type"] = params.catalog_type
    for field, key in _PLAIN.items():
        value = getattr(params, field)
        if value:
            props[key] = value
    for field, key in _SECRET.items():
        secret = getattr(params, field)
        if secret is not None:
            props[key] = secret.get_secret_value()
    region = params.resolved_region()
    if region:
        for key in _REGION_KEYS:
            props.setdefault(key, region)
        if params.region:
            for key in _REGION_KEYS:
                props[key] = params.region
    return props


def property_origin(key: str) -> str:
    """The name to put in an error about PyIceberg property ``key``: the
    ``connection_params`` field that sets it, or its place in ``properties``."""
    for field, prop in {**_PLAIN, **_SECRET}.items():
        if prop == key:
            return f"connection_params.{field}"
    if key in _REGION_KEYS:
        return "connection_params.region"
    if key == "type":
        return "connection_params.catalog_type"
    return f"connection_params.properties[{key!r}]"
