"""The Step Functions workflow: validate the input, profile, store, or record the failure.

::

    ValidateInput --invalid--> InvalidInput (Fail, no run opened)
        | valid
    RunProfiler  (dataprof job profile: start the run, profile, judge, archive the JSON)
        |                       \\
    StoreResults (dataprof job store: save the run through Supabase, publish)
        |                       \\  Catch States.ALL on both
    Succeeded                HandleError (dataprof job fail) --> RunFailed (Fail)

Every task is the same Fargate task definition with a different command, and every
command gets the execution ARN (``$$.Execution.Id``, as ``DATAPROF_EXECUTION_ARN``): the job derives the run id from
it, so the three tasks name the same run without passing state, and a retried task
rewrites the same run instead of opening another. The workflow input reaches the
tasks as ``$$.Execution.Input`` (``DATAPROF_JOB_SPEC``); it never holds a secret (the job refuses literal
ones).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

__all__ = [
    "ERROR_VARIABLE",
    "EXECUTION_ARN_VARIABLE",
    "PROFILE_MODES",
    "PROFILE_TIMEOUT",
    "ProfileWorkflow",
    "SPEC_VARIABLE",
    "STATE_MACHINE_TIMEOUT",
    "STORE_TIMEOUT",
]

PROFILE_MODES = ("sample", "full", "metadata", "pushdown", "auto")
"""dataprof's ProfileMode values (infra/ does not import dataprof; a test keeps them equal)."""

PROFILE_TIMEOUT = Duration.hours(4)
STORE_TIMEOUT = Duration.minutes(20)
FAIL_TIMEOUT = Duration.minutes(10)
STATE_MACHINE_TIMEOUT = Duration.hours(6)
"""Longer than every path through the tasks and their retries, so a task's own timeout
(caught, recorded as a failed run) always fires first; this one is the backstop."""

EXECUTION_ARN_VARIABLE = "DATAPROF_EXECUTION_ARN"
"""The execution ARN, from which the job derives the run id (every task gets it)."""
SPEC_VARIABLE = "DATAPROF_JOB_SPEC"
"""The workflow input as JSON (every task: it names the table the run belongs to)."""
ERROR_VARIABLE = "DATAPROF_JOB_ERROR"
"""The Step Functions error name that sent the run to HandleError (``dataprof job fail``)."""

_EXECUTION_ARN = sfn.JsonPath.string_at("$$.Execution.Id")
_EXECUTION_INPUT = sfn.JsonPath.json_to_string(sfn.JsonPath.object_at("$$.Execution.Input"))


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
        workers: int,
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
                                **environment,
                            }.items()
                        ],
                    )
                ],
                task_timeout=sfn.Timeout.duration(timeout),
                result_path=sfn.JsonPath.DISCARD,
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

        run_profiler = job(
            "RunProfiler",
            ["profile", "--workers", str(workers)],
            PROFILE_TIMEOUT,
            {SPEC_VARIABLE: _EXECUTION_INPUT},
        )
        store_results = job(
            "StoreResults", ["store"], STORE_TIMEOUT, {SPEC_VARIABLE: _EXECUTION_INPUT}
        )
        handle_error = job(
            "HandleError",
            ["fail"],
            FAIL_TIMEOUT,
            {
                SPEC_VARIABLE: _EXECUTION_INPUT,
                ERROR_VARIABLE: sfn.JsonPath.string_at("$.error.Error"),
            },
        )
        # The cluster may lack capacity for a moment; the same run id makes a retry safe.
        run_profiler.add_retry(
            errors=["ECS.AmazonECSException"],
            max_attempts=2,
            interval=Duration.seconds(30),
            backoff_rate=2,
        )
        # Step Functions sees every failed store as States.TaskFailed, transient or not; the
        # store rewrites the same run, so retrying the whole task is safe.
        store_results.add_retry(
            errors=["States.TaskFailed", "ECS.AmazonECSException"],
            max_attempts=3,
            interval=Duration.seconds(20),
            backoff_rate=2,
        )
        for task in (run_profiler, store_results):
            task.add_catch(handle_error, errors=["States.ALL"], result_path="$.error")
        handle_error.add_catch(run_failed, errors=["States.ALL"], result_path="$.error")

        definition = (
            sfn.Choice(self, "ValidateInput")
            .when(_valid_input(), run_profiler.next(store_results).next(succeeded))
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
            comment="dataprof: profile one table, store the run, or record why it failed",
        )
