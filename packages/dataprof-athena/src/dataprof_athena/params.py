"""The ``connection_params`` of an ``athena`` source.

Credentials come from the usual AWS chain (environment, profile, instance role)
unless given here; a secret given here is a ``SecretStr`` and never shown.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["AthenaParams"]


class AthenaParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str | None = Field(default=None, description="AWS region; default: the AWS chain's")
    work_group: str = Field(default="primary", description="Athena work group the queries run in")
    catalog: str = Field(default="AwsDataCatalog", description="data catalog holding the database")
    output_location: str | None = Field(
        default=None,
        pattern=r"^s3://[^/]+(/.*)?$",
        description="s3://bucket/prefix/ for query results; default: the work group's",
    )
    endpoint_url: str | None = Field(default=None, description="Athena endpoint (VPC endpoint)")
    s3_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint for reading results; default: endpoint_url's S3"
    )
    query_timeout_s: float = Field(
        default=300.0, gt=0, description="seconds before a query is stopped"
    )
    max_attempts: int = Field(
        default=10,
        ge=1,
        description="attempts per AWS call, the first included (botocore adaptive retries)",
    )
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None
    session_token: SecretStr | None = None
    profile_name: str | None = None
