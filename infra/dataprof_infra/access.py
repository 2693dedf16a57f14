"""The IAM statements that let the profiler task read the sources the context names.

One function per kind of source, each scoped to exactly what the context lists (a
Glue database and its tables, an S3 prefix, an Athena workgroup, a Redshift
Serverless workgroup, a secret ARN). No statement has a ``*`` action; the only
``*`` resource is Redshift Data's statement calls, which IAM cannot scope to a
resource and which a condition limits to the statements the task itself started.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from dataprof_infra.settings import DataAccess

__all__ = ["data_access_statements", "data_access_wildcards"]


def _s3_statements(
    stack: Stack, locations: tuple[tuple[str, str], ...], object_actions: list[str]
) -> list[iam.PolicyStatement]:
    statements: list[iam.PolicyStatement] = []
    for bucket, prefix in locations:
        bucket_arn = f"arn:{stack.partition}:s3:::{bucket}"
        statements.append(
            iam.PolicyStatement(actions=object_actions, resources=[f"{bucket_arn}/{prefix}*"])
        )
        statements.append(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            )
        )
        statements.append(
            iam.PolicyStatement(actions=["s3:GetBucketLocation"], resources=[bucket_arn])
        )
    return statements


def _glue_statements(stack: Stack, databases: tuple[str, ...]) -> list[iam.PolicyStatement]:
    if not databases:
        return []
    resources = [stack.format_arn(service="glue", resource="catalog")]
    for database in databases:
        resources.append(
            stack.format_arn(service="glue", resource="database", resource_name=database)
        )
        resources.append(
            stack.format_arn(service="glue", resource="table", resource_name=f"{database}/*")
        )
    return [
        iam.PolicyStatement(
            actions=[
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:GetTables",
                "glue:GetPartitions",
            ],
            resources=resources,
        )
    ]


def _athena_statements(stack: Stack, workgroups: tuple[str, ...]) -> list[iam.PolicyStatement]:
    if not workgroups:
        return []
    return [
        iam.PolicyStatement(
            actions=[
                "athena:GetWorkGroup",
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
            ],
            resources=[
                stack.format_arn(service="athena", resource="workgroup", resource_name=wg)
                for wg in workgroups
            ],
        )
    ]


def _redshift_statements(stack: Stack, workgroups: tuple[str, ...]) -> list[iam.PolicyStatement]:
    if not workgroups:
        return []
    arns = [
        wg
        if wg.startswith("arn:")
        else stack.format_arn(service="redshift-serverless", resource="workgroup", resource_name=wg)
        for wg in workgroups
    ]
    return [
        iam.PolicyStatement(
            actions=["redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials"],
            resources=arns,
        ),
        # Describe/GetStatementResult/Cancel take a statement id, not a resource: IAM only
        # accepts "*" here, so a condition keeps the task to the statements it started.
        iam.PolicyStatement(
            actions=[
                "redshift-data:DescribeStatement",
                "redshift-data:GetStatementResult",
                "redshift-data:CancelStatement",
            ],
            resources=["*"],
            conditions={
                "StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}
            },
        ),
    ]


def data_access_statements(stack: Stack, access: DataAccess) -> list[iam.PolicyStatement]:
    """Every statement the context's sources need; empty without data-access context."""
    statements = _glue_statements(stack, access.glue_databases)
    statements += _s3_statements(stack, access.s3_data_prefixes, ["s3:GetObject"])
    statements += _athena_statements(stack, access.athena_workgroups)
    statements += _s3_statements(
        stack,
        access.athena_output_prefixes,
        ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
    )
    statements += _redshift_statements(stack, access.redshift_workgroups)
    if access.redshift_secret_arns:
        statements.append(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"],
                resources=list(access.redshift_secret_arns),
            )
        )
    return statements


def data_access_wildcards(access: DataAccess) -> dict[str, str]:
    """The wildcard resources of :func:`data_access_statements`, as cdk-nag names them,
    each with the reason it stays."""
    wildcards: dict[str, str] = {}
    for database in access.glue_databases:
        resource = f"arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/{database}/*"
        wildcards[resource] = (
            f"Every table of the Glue database {database!r}, which the context names for profiling."
        )
    for bucket, prefix in access.s3_data_prefixes:
        wildcards[f"arn:<AWS::Partition>:s3:::{bucket}/{prefix}*"] = (
            f"Objects under s3://{bucket}/{prefix}, a data prefix the context names (read only)."
        )
    for bucket, prefix in access.athena_output_prefixes:
        wildcards[f"arn:<AWS::Partition>:s3:::{bucket}/{prefix}*"] = (
            f"Athena query results under s3://{bucket}/{prefix}, the output prefix the "
            "context names."
        )
    if access.redshift_workgroups:
        wildcards["*"] = (
            "Redshift Data's DescribeStatement, GetStatementResult and CancelStatement accept "
            "no resource; the statement-owner condition limits them to the task's own statements."
        )
    return wildcards
