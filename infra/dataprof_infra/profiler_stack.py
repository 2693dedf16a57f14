"""ProfilerStack: where a profile runs (a Fargate task) and what runs it (the workflow).

The network is two public subnets and no NAT gateway: the task gets a public IP to
pull its image and reach AWS and Supabase, and its security group lets nothing in
and only HTTPS (443) out. The task's role may read and write the results bucket's
``profiles/`` (the archive) and ``runs/`` (plans and partial states of fanned-out runs)
and read only the sources the CDK context names; the Supabase URL and key, and the
secret that signs a run's partial states, reach the container as ECS secrets from
Secrets Manager, never as plain environment.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Acknowledgment, Environment, Fn, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from dataprof_infra.access import data_access_statements, data_access_wildcards
from dataprof_infra.data_stack import RESULTS_BUCKET_ARN_EXPORT
from dataprof_infra.nag import (
    acknowledge_wildcard_resources,
    child_execution_resources,
    task_definition_family_resource,
)
from dataprof_infra.settings import Settings
from dataprof_infra.workflow import PLAN_KEY_PREFIX, ProfileWorkflow

__all__ = [
    "ARCHIVE_PREFIX",
    "RUNS_PREFIX",
    "RUN_SECRET_VARIABLE",
    "CLUSTER_NAME",
    "CONTAINER_NAME",
    "IMAGE_EXCLUDES",
    "ProfilerStack",
    "REPO_ROOT",
    "SUPABASE_SECRET_FIELDS",
    "TASK_CPU",
    "TASK_MEMORY_MIB",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The build context of the image: the repository, so the image installs this checkout."""

IMAGE_EXCLUDES = [
    ".git",
    ".venv",
    ".nox",
    "node_modules",
    "infra/node_modules",
    "infra/cdk.out",
    "bench-data",
    "dataprof-demo",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".dataprof",
    "**/__pycache__",
]
"""Kept out of the image's build context (and of the synth's copy of it): without
``infra/cdk.out`` each synth would copy the previous synth's assets into itself."""

CLUSTER_NAME = "profiler-cluster"
CONTAINER_NAME = "dataprof"
TASK_CPU = 2048
TASK_MEMORY_MIB = 8192
ARCHIVE_PREFIX = "profiles/"
"""Where dataprof's ProfileArchive keeps full profiles under its root
(``profiles/<table key>/<run_id>.json``)."""
RUNS_PREFIX = "runs/"
"""Where ``dataprof job plan|scan|merge`` keep a run's plan and partial states
(``runs/<run_id>/``, ``runs/by-execution/<digest>/plan.json``). With the archive prefix,
the only objects of the bucket the task may touch."""
RUN_SECRET_VARIABLE = "DATAPROF_RUN_SECRET"
"""The key of the HMAC on each partial state (dataprof.fanout.SECRET_ENV_VAR)."""

SUPABASE_SECRET_FIELDS = {"SUPABASE_URL": "url", "SUPABASE_SERVICE_ROLE_KEY": "service_role_key"}
"""Container variable -> JSON field of the Supabase secret."""


class ProfilerStack(Stack):
    """The VPC, cluster, task definition and the Step Functions workflow that runs them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        env: Environment | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=env,
            description="dataprof: the Fargate profiler and its Step Functions workflow",
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                )
            ],
            restrict_default_security_group=False,
        )
        Validations.of(self.vpc).acknowledge(
            Acknowledgment(
                id="AwsSolutions-VPC7",
                reason="The VPC only hosts short batch tasks whose one way out is HTTPS; "
                "their security group admits no inbound traffic, so flow logs would record "
                "little beyond the task's own calls, which CloudTrail already has.",
            )
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "TaskSecurityGroup",
            vpc=self.vpc,
            description="dataprof task: no inbound, HTTPS out only",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(),
            ec2.Port.tcp(443),
            "HTTPS to AWS APIs, the image registry and Supabase",
        )
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=CLUSTER_NAME,
            vpc=self.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )

        results_bucket = s3.Bucket.from_bucket_arn(
            self, "ResultsBucket", Fn.import_value(RESULTS_BUCKET_ARN_EXPORT)
        )
        self.task_role = iam.Role(
            self,
            "TaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="dataprof task: the results bucket, and the sources the context names",
        )
        self._grant_results_bucket(results_bucket)
        for statement in data_access_statements(self, settings.data_access):
            self.task_role.add_to_policy(statement)

        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=TASK_CPU,
            memory_limit_mib=TASK_MEMORY_MIB,
            task_role=self.task_role,
        )
        self.log_group = logs.LogGroup(self, "TaskLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.run_secret = secretsmanager.Secret(
            self,
            "RunSecret",
            description="dataprof: the key that signs the partial states of fanned-out runs",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        Validations.of(self.run_secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="The run secret only signs partial states that live for one run; "
                "rotating it mid-run would make that run's states unreadable, and a "
                "leaked key is bounded by the task role's write access to runs/.",
            )
        )
        supabase = secretsmanager.Secret.from_secret_name_v2(
            self, "SupabaseSecret", settings.supabase_secret_name
        )
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=ecs.ContainerImage.from_asset(
                str(REPO_ROOT), file="infra/Dockerfile", exclude=IMAGE_EXCLUDES
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="dataprof", log_group=self.log_group),
            environment={
                # The archive's root: it writes under profiles/ itself.
                "DATAPROF_ARCHIVE": f"s3://{results_bucket.bucket_name}",
                # The runs' root: plan, scan and merge work under runs/ themselves.
                "DATAPROF_RUNS": f"s3://{results_bucket.bucket_name}",
                "AWS_REGION": self.region,
            },
            secrets={
                **{
                    variable: ecs.Secret.from_secrets_manager(supabase, field)
                    for variable, field in SUPABASE_SECRET_FIELDS.items()
                },
                RUN_SECRET_VARIABLE: ecs.Secret.from_secrets_manager(self.run_secret),
            },
        )
        Validations.of(self.task_definition).acknowledge(
            Acknowledgment(
                id="AwsSolutions-ECS2",
                reason="The environment holds only the archive and runs locations and the "
                "region; the Supabase URL and key and the run secret are container Secrets "
                "from Secrets Manager.",
            )
        )
        self.workflow = ProfileWorkflow(
            self,
            "Workflow",
            cluster=self.cluster,
            task_definition=self.task_definition,
            container=self.container,
            security_group=self.security_group,
            results_bucket=results_bucket,
            max_concurrency=settings.max_concurrency,
            bytes_per_task=settings.bytes_per_task,
        )
        self._acknowledge_wildcards(settings)

    def _grant_results_bucket(self, bucket: s3.IBucket) -> None:
        """Read and write the archive's profiles and the runs' files, and list them.
        Nothing else of S3."""
        prefixes = [f"{ARCHIVE_PREFIX}*", f"{RUNS_PREFIX}*"]
        self.task_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[bucket.arn_for_objects(prefix) for prefix in prefixes],
            )
        )
        self.task_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": prefixes}},
            )
        )

    def _acknowledge_wildcards(self, settings: Settings) -> None:
        """The wildcard resources left in the roles' policies, each with its reason."""
        acknowledge_wildcard_resources(
            self.task_role,
            {
                f"{RESULTS_BUCKET_ARN_EXPORT}/{ARCHIVE_PREFIX}*": "Profile objects of the "
                "results bucket's archive prefix: the task writes one per run, named by the "
                "table and the run id it derives at run time.",
                f"{RESULTS_BUCKET_ARN_EXPORT}/{RUNS_PREFIX}*": "A fanned-out run's plan and "
                "partial states, under runs/<run id>/ (and the plan under "
                "runs/by-execution/<digest>/), named at run time.",
                **data_access_wildcards(settings.data_access),
            },
        )
        execution_role = self.task_definition.obtain_execution_role()
        acknowledge_wildcard_resources(
            execution_role,
            {
                "*": "ecr:GetAuthorizationToken accepts no resource; pulling is scoped to "
                "the image's repository by the statements CDK adds beside it."
            },
        )
        acknowledge_wildcard_resources(
            self.workflow.state_machine.role,
            {
                "*": "Granted by CDK for what accepts no resource or is unknown before the "
                "run: ecs:StopTask/DescribeTasks on the task it started, log delivery "
                "(logs:*LogDelivery) and X-Ray tracing.",
                task_definition_family_resource(self.task_definition): "ecs:RunTask on the "
                "profiler's own task definition family (any revision), granted by CDK's "
                "EcsRunTask.",
                f"{RESULTS_BUCKET_ARN_EXPORT}/{PLAN_KEY_PREFIX}*": "The Distributed Map "
                "reads the plan of its own execution, named by the digest of the execution "
                "ARN, known only at run time; nothing else of the bucket.",
            },
        )
        executions, children = child_execution_resources(self.workflow.state_machine)
        acknowledge_wildcard_resources(
            self.workflow.state_machine,
            {
                executions: "Granted by CDK for the Distributed Map: describe and stop the "
                "machine's own executions, whose names are made at run time.",
                children: "Granted by CDK for the Distributed Map: the child executions "
                "of this machine's runs (one per work item), named at run time.",
            },
        )
