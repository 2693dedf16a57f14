"""cdk-nag acknowledgments: each wildcard finding named exactly, with why it stays.

cdk-nag 3 reports every wildcard resource of a policy as its own finding
(``AwsSolutions-IAM5[Resource::<resource>]``) and accepts no blanket suppression, so
each is acknowledged here by the resource it names, on the construct that owns it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_stepfunctions as sfn
from constructs import IConstruct

__all__ = [
    "acknowledge_wildcard_resources",
    "child_execution_resources",
    "task_definition_family_resource",
]


def acknowledge_wildcard_resources(construct: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledge IAM5 on ``construct`` for each wildcard resource, with its reason."""
    for resource, reason in reasons.items():
        Validations.of(construct).acknowledge(
            Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
        )


def task_definition_family_resource(task_definition: ecs.TaskDefinition) -> str:
    """The resource cdk-nag reports for ``ecs:RunTask`` on every revision of the task
    definition's family (``family:*``), which Step Functions' grant uses: the task
    definition's ARN taken apart with Fn::Split/Fn::Select, rendered as cdk-nag does."""
    stack = Stack.of(task_definition)
    logical_id = stack.resolve(stack.get_logical_id(task_definition.node.default_child))  # type: ignore[arg-type]
    ref = {"Ref": logical_id}

    def part(index: int, of: object, separator: str = ":") -> str:
        return json.dumps(
            {"Fn::Select": [index, {"Fn::Split": [separator, of]}]}, separators=(",", ":")
        )

    resource = {"Fn::Select": [5, {"Fn::Split": [":", ref]}]}
    fields = ":".join(part(i, ref) for i in range(1, 5))
    return f"arn:{fields}:{part(0, resource, '/')}/{part(1, resource, '/')}:*"


def child_execution_resources(state_machine: sfn.StateMachine) -> tuple[str, str]:
    """The resources cdk-nag reports for the policy CDK adds so a Distributed Map may
    start, watch and stop its child executions: the machine's executions and their
    children (``execution:<name>:*`` and ``execution:<name>/*:*``)."""
    stack = Stack.of(state_machine)
    logical_id = stack.resolve(stack.get_logical_id(state_machine.node.default_child))  # type: ignore[arg-type]
    name = json.dumps(
        {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": logical_id}]}]}, separators=(",", ":")
    )
    prefix = f"arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{name}"
    return f"{prefix}:*", f"{prefix}/*:*"
