"""DataStack: the bucket that keeps every run's full profile JSON.

It lives in its own stack so the profiler can be torn down and redeployed without
touching the results: ``ProfilerStack`` imports the bucket's ARN from this stack's
export and depends on it.
"""

from __future__ import annotations

from aws_cdk import (
    Acknowledgment,
    CfnOutput,
    Duration,
    Environment,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_s3 as s3
from constructs import Construct

__all__ = ["RESULTS_BUCKET_ARN_EXPORT", "DataStack"]

RESULTS_BUCKET_ARN_EXPORT = "dataprof-results-bucket-arn"
"""The export ProfilerStack imports the bucket by (a fixed name, not a generated one)."""

INFREQUENT_ACCESS_AFTER = Duration.days(30)
EXPIRES_AFTER = Duration.days(365)
DESCRIPTION = "dataprof: the results bucket (full profile JSON of every run)"


class DataStack(Stack):
    """The results bucket: private, TLS only, S3-managed keys, aged out after a year."""

    def __init__(
        self, scope: Construct, construct_id: str, *, env: Environment | None = None
    ) -> None:
        super().__init__(scope, construct_id, env=env, description=DESCRIPTION)
        self.results_bucket = s3.Bucket(
            self,
            "ResultsBucket",
            bucket_name=f"profile-results-{self.account}-{self.region}",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=False,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="age-out-profiles",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=INFREQUENT_ACCESS_AFTER,
                        )
                    ],
                    expiration=EXPIRES_AFTER,
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                )
            ],
        )
        Validations.of(self.results_bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="Only the profiler's task role writes this bucket, one object per run; "
                "server access logs would need a second bucket and say less than the run "
                "records in the profile store. Enable CloudTrail data events if an audit needs it.",
            )
        )
        CfnOutput(
            self,
            "ResultsBucketArn",
            value=self.results_bucket.bucket_arn,
            export_name=RESULTS_BUCKET_ARN_EXPORT,
            description="The results bucket, imported by the profiler stack",
        )
