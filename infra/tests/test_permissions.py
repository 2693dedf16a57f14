"""Who may do what: the task role, the execution role, the workflow's role, and the secrets.

No statement anywhere has a wildcard action. The task role reaches the results bucket
and, only when the context names them, the sources; the Supabase secret reaches the
container as ECS secrets through the execution role, never as plain environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from aws_cdk.assertions import Template

from dataprof_infra.data_stack import RESULTS_BUCKET_ARN_EXPORT
from dataprof_infra.profiler_stack import RUN_SECRET_VARIABLE, SUPABASE_SECRET_FIELDS
from synthesis import Synthesized, one, resources

SECRET_LOOKING = re.compile(r"SECRET|KEY|PASSWORD|TOKEN|CREDENTIAL|SUPABASE", re.IGNORECASE)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(template: Template, role_hint: str | None = None) -> Iterator[dict[str, Any]]:
    """Every statement of the template's policies, or of the role whose id has ``role_hint``."""
    for policy in resources(template, "AWS::IAM::Policy").values():
        roles = [r["Ref"] for r in policy["Properties"].get("Roles", [])]
        if role_hint is not None and not any(role_hint in r for r in roles):
            continue
        yield from policy["Properties"]["PolicyDocument"]["Statement"]


def _role_id(template: Template, hint: str) -> str:
    [found] = [k for k in resources(template, "AWS::IAM::Role") if k.startswith(hint)]
    return found


def test_no_statement_has_a_wildcard_action(
    synthesized: Synthesized, with_access: Synthesized
) -> None:
    seen = 0
    for synth in (synthesized, with_access):
        for template in (synth.data, synth.profiler):
            for statement in statements(template):
                for action in _as_list(statement["Action"]):
                    seen += 1
                    assert "*" not in action, statement
    assert seen > 20


def test_task_role_reaches_the_results_bucket_and_nothing_else_without_context(
    synthesized: Synthesized,
) -> None:
    task = list(statements(synthesized.profiler, _role_id(synthesized.profiler, "TaskRole")))
    actions = {a for s in task for a in _as_list(s["Action"])}
    assert actions == {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListBucket"}
    imported = {"Fn::ImportValue": RESULTS_BUCKET_ARN_EXPORT}
    for statement in task:
        for resource in _as_list(statement["Resource"]):
            assert str(imported) in str(resource), statement
        if statement["Action"] == "s3:ListBucket":
            assert statement["Condition"] == {"StringLike": {"s3:prefix": ["profiles/*", "runs/*"]}}
        else:  # objects of the archive prefix and of the runs' files only
            assert statement["Resource"] == [
                {"Fn::Join": ["", [imported, "/profiles/*"]]},
                {"Fn::Join": ["", [imported, "/runs/*"]]},
            ], statement


def test_task_role_with_context_reads_exactly_the_named_sources(with_access: Synthesized) -> None:
    template = with_access.profiler
    task = list(statements(template, _role_id(template, "TaskRole")))
    by_action: dict[str, list[Any]] = {}
    for statement in task:
        for action in _as_list(statement["Action"]):
            by_action.setdefault(action, []).extend(_as_list(statement["Resource"]))
    text = {action: str(res) for action, res in by_action.items()}
    assert "table/sales/*" in text["glue:GetTable"]
    assert "table/hr/*" in text["glue:GetTable"]
    assert "database/sales" in text["glue:GetDatabase"]
    assert ":s3:::lake/sales/*" in text["s3:GetObject"]
    assert ":s3:::lake2/hr/*" in text["s3:GetObject"]
    assert ":s3:::athena-results/dataprof/*" in text["s3:PutObject"]
    assert "lake/sales" not in text["s3:PutObject"]  # data prefixes are read only
    assert "workgroup/primary" in text["athena:StartQueryExecution"]
    assert (
        "workgroup/0123abcd-0000-1111-2222-333344445555" in text["redshift-data:ExecuteStatement"]
    )
    assert by_action["secretsmanager:GetSecretValue"] == [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift/dataprof-AbCdEf"
    ]
    # The one "*" resource: Redshift Data's statement calls, held to the task's own statements.
    for statement in task:
        if "*" in _as_list(statement["Resource"]):
            assert set(_as_list(statement["Action"])) == {
                "redshift-data:DescribeStatement",
                "redshift-data:GetStatementResult",
                "redshift-data:CancelStatement",
            }
            assert statement["Condition"] == {
                "StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}
            }
    listing = [s for s in task if s["Action"] == "s3:ListBucket" and "Condition" in s]
    assert {str(s["Condition"]["StringLike"]["s3:prefix"]) for s in listing} == {
        "['sales/*']",
        "['hr/*']",
        "['dataprof/*']",
        "['profiles/*', 'runs/*']",  # the results bucket's archive and runs
    }


def _container(synth: Synthesized) -> dict[str, Any]:
    task = one(synth.profiler, "AWS::ECS::TaskDefinition")["Properties"]
    [container] = task["ContainerDefinitions"]
    return container  # type: ignore[no-any-return]


def test_supabase_secret_reaches_the_container_as_secrets_only(synthesized: Synthesized) -> None:
    container = _container(synthesized)
    secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    assert set(secrets) == {*SUPABASE_SECRET_FIELDS, RUN_SECRET_VARIABLE}
    # The key that signs partial states: a secret the stack generates, by reference.
    [run_secret] = resources(synthesized.profiler, "AWS::SecretsManager::Secret")
    assert secrets[RUN_SECRET_VARIABLE] == {"Ref": run_secret}
    for name, field in SUPABASE_SECRET_FIELDS.items():
        value = str(secrets[name])
        assert ":secret:dataprof/supabase" in value
        assert value.endswith(f":{field}::']]}}")
    names = [variable["Name"] for variable in container.get("Environment", [])]
    assert names, "the archive location is plain environment"
    [archive] = [v["Value"] for v in container["Environment"] if v["Name"] == "DATAPROF_ARCHIVE"]
    # The archive's root is the bucket: dataprof writes under profiles/ itself.
    assert archive["Fn::Join"][1][0] == "s3://"
    assert len(archive["Fn::Join"][1]) == 2
    assert not [n for n in names if SECRET_LOOKING.search(n)]


def test_execution_role_reads_only_the_named_secret(
    synthesized: Synthesized, with_access: Synthesized
) -> None:
    for synth, name in ((synthesized, "dataprof/supabase"), (with_access, "team/supabase")):
        template = synth.profiler
        execution = list(statements(template, _role_id(template, "TaskDefinitionExecutionRole")))
        reads = [s for s in execution if "secretsmanager:GetSecretValue" in _as_list(s["Action"])]
        # The Supabase secret by name, and the run secret the stack generates; nothing else.
        [run_secret] = resources(template, "AWS::SecretsManager::Secret")
        assert len(reads) == 2
        [supabase] = [s for s in reads if s["Resource"] != {"Ref": run_secret}]
        assert f":secret:{name}-??????" in str(supabase["Resource"])
        # ... and the task role never reads it
        task = statements(template, _role_id(template, "TaskRole"))
        assert name not in str(list(task))


def test_workflow_input_never_carries_the_supabase_secret(synthesized: Synthesized) -> None:
    machine = one(synthesized.profiler, "AWS::StepFunctions::StateMachine")
    assert "supabase" not in str(machine).lower()


def test_state_machine_reads_only_the_plan_prefix_of_the_bucket(synthesized: Synthesized) -> None:
    template = synthesized.profiler
    machine = list(statements(template, _role_id(template, "WorkflowStateMachineRole")))
    reads = [s for s in machine if any(a.startswith("s3:") for a in _as_list(s["Action"]))]
    assert [s["Action"] for s in reads] == ["s3:GetObject"]
    [resource] = _as_list(reads[0]["Resource"])
    assert resource == {
        "Fn::Join": ["", [{"Fn::ImportValue": RESULTS_BUCKET_ARN_EXPORT}, "/runs/by-execution/*"]]
    }
