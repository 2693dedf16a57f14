"""``connection_params`` of the ``redshift`` source.

The connector talks to Redshift only through the Data API (``redshift-data``), which
authenticates with the caller's AWS credentials plus one of: a Secrets Manager secret
(``secret_arn``), a database user for temporary credentials (``db_user``, provisioned
clusters), or nothing (Serverless maps the IAM identity to a database user). It takes
no password, so there is none here.

``database`` of the source config is the Redshift database; ``table`` is a table in
``schema_name``, or ``schema.table`` (see :func:`schema_and_table`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

__all__ = ["RedshiftParams", "schema_and_table"]


class RedshiftParams(BaseModel):
    """Where the Data API sends statements, as whom, and how long one may run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str | None = Field(
        default=None, description="AWS region of the workgroup or cluster (default: the SDK's)"
    )
    workgroup_name: str | None = Field(
        default=None, min_length=1, description="Redshift Serverless workgroup"
    )
    cluster_identifier: str | None = Field(
        default=None,
        min_length=1,
        validate_default=True,
        description="provisioned cluster (instead of workgroup_name)",
    )
    secret_arn: SecretStr | None = Field(
        default=None, description="Secrets Manager secret holding the database credentials"
    )
    db_user: str | None = Field(
        default=None, min_length=1, description="database user (temporary credentials)"
    )
    schema_name: str = Field(default="public", min_length=1)
    endpoint_url: str | None = Field(
        default=None, description="Data API endpoint override (VPC endpoints, tests)"
    )
    statement_timeout_s: float = Field(
        default=300, gt=0, description="a statement still running after this is cancelled"
    )

    @field_validator("cluster_identifier", mode="after")
    @classmethod
    def _one_target(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked on the later field so that the error names a connection_params field.
        workgroup = info.data.get("workgroup_name")
        if value is not None and workgroup is not None:
            raise ValueError(
                "set only one of workgroup_name (Serverless) and cluster_identifier "
                "(provisioned cluster), not both"
            )
        # An invalid workgroup_name is absent from info.data and reported on its own.
        if value is None and workgroup is None and "workgroup_name" in info.data:
            raise ValueError(
                "set workgroup_name (Serverless) or cluster_identifier (provisioned cluster)"
            )
        return value

    @property
    def target(self) -> dict[str, str]:
        """The Data API keywords naming the workgroup or cluster and the credentials."""
        found: dict[str, str] = {}
        if self.workgroup_name is not None:
            found["WorkgroupName"] = self.workgroup_name
        if self.cluster_identifier is not None:
            found["ClusterIdentifier"] = self.cluster_identifier
        if self.secret_arn is not None:
            found["SecretArn"] = self.secret_arn.get_secret_value()
        if self.db_user is not None:
            found["DbUser"] = self.db_user
        return found

    @property
    def target_field(self) -> str:
        """The ``connection_params`` field that names the target, for error messages."""
        return "workgroup_name" if self.workgroup_name is not None else "cluster_identifier"


def schema_and_table(params: RedshiftParams, table: str) -> tuple[str, str]:
    """(schema, table) of the source's ``table``.

    ``schema.table`` names the schema when ``schema_name`` was left at its default;
    with ``schema_name`` set explicitly, ``table`` is taken whole (so a table whose
    name holds a dot stays reachable).
    """
    if "schema_name" not in params.model_fields_set:
        schema, dot, name = table.partition(".")
        if dot and schema and name:
            return schema, name
    return params.schema_name, table
