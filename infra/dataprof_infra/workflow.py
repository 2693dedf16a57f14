"""The Step Functions workflow: validate the input, plan, scan the items, merge and store,
or record the failure.

::

    ValidateInput --invalid--> InvalidInput (Fail, no run opened)
        | valid
    PlanKey      (Pass: $.plan_key = runs/by-execution/<sha256 of the execution ARN>/plan.json)
        |
    Plan         (dataprof job plan: start the run, pin the snapshot, write the items)
        |                       \\
    RunProfiler  (Distributed Map over the plan's items: dataprof job scan, one task each)
        |                       \\
    StoreResults (dataprof job merge: merge the states, judge, archive, save the run)
        |                       \\  Catch States.ALL on all three
    Succeeded                HandleError (dataprof job fail) --> RunFailed (Fail)

Every task is the same Fargate task definition with a different command, and every
command gets the execution ARN (``$$.Execution.Id``, as ``DATAPROF_EXECUTION_ARN``): the job derives the run id from
it, so the tasks name the same run without passing state, and a retried task
rewrites the same run instead of opening another. Step Functions cannot compute that
run id (a uuid5), so the Map reads the plan from a second name it can compute, the
SHA-256 of the execution ARN, which ``job plan`` writes too. Inside the Map each item
runs as a child execution whose ``$$.Execution`` is its own: the ItemSelector hands it
the parent's ARN and input, and the item's number. The workflow input reaches the
tasks as ``$$.Execution.Input`` (``DATAPROF_JOB_SPEC``); it never holds a secret (the job refuses literal
ones).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from dataprof_infra.settings import DEFAULT_MAX_CONCURRENCY

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "ERROR_VARIABLE",
    "EXECUTION_ARN_VARIABLE",
    "ITEM_VARIABLE",
    "MERGE_TIMEOUT",
    "PLAN_KEY_PREFIX",
    "PLAN_TIMEOUT",
    "PROFILE_MODES",
    "ProfileWorkflow",
    "SCAN_TIMEOUT",
    "SPEC_VARIABLE",
    "STATE_MACHINE_TIMEOUT",
]

PROFILE_MODES = ("sample", "full", "metadata", "pushdown", "auto")
"""dataprof's ProfileMode values (infra/ does not import dataprof; a test keeps them equal)."""

PLAN_TIMEOUT = Duration.minutes(30)
SCAN_TIMEOUT = Duration.hours(1)
"""One work item (about ten minutes of scanning at the default item size)."""
MERGE_TIMEOUT = Duration.hours(1)
FAIL_TIMEOUT = Duration.minutes(10)
STATE_MACHINE_TIMEOUT = Duration.hours(24)
"""The backstop: a 2 TB table is some 700 items, 35 waves of 20 tasks of ten minutes;
each task's own timeout (caught, recorded as a failed run) fires long before."""

PLAN_KEY_PREFIX = "runs/by-execution/"
"""Where ``dataprof job plan`` also writes the plan, under the SHA-256 hex digest of the
execution ARN (``dataprof.fanout.execution_plan_name``): a name Step Functions can compute."""

EXECUTION_ARN_VARIABLE = "DATAPROF_EXECUTION_ARN"
"""The execution ARN, from which the job derives the run id (every task gets it)."""
SPEC_VARIABLE = "DATAPROF_JOB_SPEC"
"""The workflow input as JSON (every task: it names the table the run belongs to)."""
ERROR_VARIABLE = "DATAPROF_JOB_ERROR"
"""The Step Functions error name that sent the run to HandleError (``dataprof job fail``)."""
ITEM_VARIABLE = "DATAPROF_ITEM"
"""The work item a scan task profiles (``dataprof job scan``)."""

_EXECUTION_ARN = sfn.JsonPath.string_at("$$.Execution.Id")
_EXECUTION_INPUT = sfn.JsonPath.json_to_string(sfn.JsonPath.object_at("$$.Execution.Input"))
_CAPACITY_ERRORS = ["ECS.AmazonECSException"]
"""What RunTask raises when the cluster cannot place a task for now (capacity, throttling)."""


def _valid_input() -> sfn.Condition:
    mode_ok = sfn.Condition.or_(
        sfn.Condition.is_not_present("$.mode"),
        *(sfn.Condition.string_equals("$.mode", mode) for mode in PROFILE_MODES),
    )
    return sfn.Condition.and_(
        sfn.Condition.is_present("$.source"),
        sfn.Condition.is_present("$.table"),
        sfn.Condition.is_string("$.table"),
        mode_ok,
    )


class ProfileWorkflow(Construct):
    """The state machine and its log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        task_definition: ecs.FargateTaskDefinition,
        container: ecs.ContainerDefinition,
        security_group: ec2.ISecurityGroup,
        results_bucket: s3.IBucket,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        bytes_per_task: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)

        def job(
            state_name: str,
            command: list[str],
            timeout: Duration,
            environment: dict[str, str],
        ) -> tasks.EcsRunTask:
            return tasks.EcsRunTask(
                self,
                state_name,
                state_name=state_name,
                integration_pattern=sfn.IntegrationPattern.RUN_JOB,
                cluster=cluster,
                task_definition=task_definition,
                launch_target=tasks.EcsFargateLaunchTarget(
                    platform_version=ecs.FargatePlatformVersion.LATEST
                ),
                assign_public_ip=True,  # no NAT: the public IP is how it pulls its image
                subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
                security_groups=[security_group],
                container_overrides=[
                    tasks.ContainerOverride(
                        container_definition=container,
                        command=["dataprof", "job", *command],
                        # Step Functions fills paths only in objects, not in a command's
                        # list: what varies per execution reaches the job as variables.
                        environment=[
                            tasks.TaskEnvironmentVariable(name=name, value=value)
                            for name, value in {
                                EXECUTION_ARN_VARIABLE: _EXECUTION_ARN,
                                SPEC_VARIABLE: _EXECUTION_INPUT,
                                **environment,
                            }.items()
                        ],
                    )
                ],
                task_timeout=sfn.Timeout.duration(timeout),
                result_path=sfn.JsonPath.DISCARD,
            )

        def retry_capacity(task: tasks.EcsRunTask, attempts: int) -> None:
            # The cluster may lack capacity for a moment; the same run id (and item
            # number) makes a retry rewrite the same files.
            task.add_retry(
                errors=_CAPACITY_ERRORS,
                max_attempts=attempts,
                interval=Duration.seconds(30),
                backoff_rate=2,
                max_delay=Duration.minutes(5),
                jitter_strategy=sfn.JitterType.FULL,
            )

        invalid = sfn.Fail(
            self,
            "InvalidInput",
            error="InvalidInput",
            cause="The input needs `source` and a string `table`; `mode`, when given, is one "
            f"of {', '.join(PROFILE_MODES)}. No run was opened.",
        )
        run_failed = sfn.Fail(
            self, "RunFailed", error="ProfileRunFailed", cause="The run is recorded as failed."
        )
        succeeded = sfn.Succeed(self, "Succeeded")

        plan_key = sfn.Pass(
            self,
            "PlanKey",
            comment="Name the plan as `dataprof job plan` writes it for this execution "
            "(dataprof.fanout.execution_plan_name): Step Functions cannot compute the run id.",
            parameters={
                "plan_key": sfn.JsonPath.format(
                    PLAN_KEY_PREFIX + "{}/plan.json",
                    sfn.JsonPath.hash(_EXECUTION_ARN, "SHA-256"),
                )
            },
            result_path="$.plan",
        )
        plan_command = ["plan"]
        if bytes_per_task is not None:
            plan_command += ["--bytes-per-task", str(bytes_per_task)]
        plan = job("Plan", plan_command, PLAN_TIMEOUT, {})
        retry_capacity(plan, 3)

        # A child execution of the Map sees its own $$.Execution: the selector, evaluated
        # in this execution, hands each item the run's ARN and input and its number.
        run_profiler = sfn.DistributedMap(
            self,
            "RunProfiler",
            state_name="RunProfiler",
            item_reader=sfn.S3JsonItemReader(
                # By name, not as the bucket: CDK would grant s3:GetObject on all of it;
                # the role reads the plan prefix only (see ProfilerStack).
                bucket_name_path=results_bucket.bucket_name,
                key=sfn.JsonPath.string_at("$.plan.plan_key"),
            ),
            item_selector={
                "item": sfn.JsonPath.format("{}", sfn.JsonPath.string_at("$$.Map.Item.Value.item")),
                "execution_arn": _EXECUTION_ARN,
                "spec": _EXECUTION_INPUT,
            },
            max_concurrency=max_concurrency,
            tolerated_failure_percentage=0,
            map_execution_type=sfn.StateMachineType.STANDARD,
            result_path=sfn.JsonPath.DISCARD,
        )
        scan = tasks.EcsRunTask(
            self,
            "ScanItem",
            state_name="ScanItem",
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            cluster=cluster,
            task_definition=task_definition,
            launch_target=tasks.EcsFargateLaunchTarget(
                platform_version=ecs.FargatePlatformVersion.LATEST
            ),
            assign_public_ip=True,
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_groups=[security_group],
            container_overrides=[
                tasks.ContainerOverride(
                    container_definition=container,
                    command=["dataprof", "job", "scan"],
                    environment=[
                        tasks.TaskEnvironmentVariable(
                            name=EXECUTION_ARN_VARIABLE,
                            value=sfn.JsonPath.string_at("$.execution_arn"),
                        ),
                        tasks.TaskEnvironmentVariable(
                            name=SPEC_VARIABLE, value=sfn.JsonPath.string_at("$.spec")
                        ),
                        tasks.TaskEnvironmentVariable(
                            name=ITEM_VARIABLE, value=sfn.JsonPath.string_at("$.item")
                        ),
                    ],
                )
            ],
            task_timeout=sfn.Timeout.duration(SCAN_TIMEOUT),
            result_path=sfn.JsonPath.DISCARD,
            # Each child's output joins the Map's result (kept under 256 KB): the number only.
            output_path="$.item",
        )
        retry_capacity(scan, 6)
        run_profiler.item_processor(scan)

        store_results = job("StoreResults", ["merge"], MERGE_TIMEOUT, {})
        retry_capacity(store_results, 3)
        # Step Functions sees every failed merge as States.TaskFailed, transient or not;
        # the merge rewrites the same run, so retrying the whole task is safe.
        store_results.add_retry(
            errors=["States.TaskFailed"],
            max_attempts=3,
            interval=Duration.seconds(20),
            backoff_rate=2,
        )
        handle_error = job(
            "HandleError",
            ["fail"],
            FAIL_TIMEOUT,
            {ERROR_VARIABLE: sfn.JsonPath.string_at("$.error.Error")},
        )
        for step in (plan, run_profiler, store_results):
            step.add_catch(handle_error, errors=["States.ALL"], result_path="$.error")
        handle_error.add_catch(run_failed, errors=["States.ALL"], result_path="$.error")

        definition = (
            sfn.Choice(self, "ValidateInput")
            .when(
                _valid_input(),
                plan_key.next(plan).next(run_profiler).next(store_results).next(succeeded),
            )
            .otherwise(invalid)
        )
        handle_error.next(run_failed)

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=STATE_MACHINE_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False
            ),
            comment="dataprof: plan, scan the items in parallel, merge and store the run, "
            "or record why it failed",
        )
        # The Map reads its items from the plan prefix, nothing else of the bucket.
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[results_bucket.arn_for_objects(f"{PLAN_KEY_PREFIX}*")],
            )
        )
