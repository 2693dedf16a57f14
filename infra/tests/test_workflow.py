"""The state machine's definition, parsed and walked: what follows what, what catches
what, and what ValidateInput lets through (its rules evaluated on sample inputs)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataprof_infra.settings import DEFAULT_MAX_CONCURRENCY
from dataprof_infra.workflow import (
    ERROR_VARIABLE,
    EXECUTION_ARN_VARIABLE,
    ITEM_VARIABLE,
    PROFILE_MODES,
    SPEC_VARIABLE,
)
from synthesis import Synthesized, one, synthesize

MODELS = (
    Path(__file__).resolve().parents[2] / "packages/dataprof-core/src/dataprof/profiling/models.py"
)
_MISSING = object()


def definition_of(synth: Synthesized) -> dict[str, Any]:
    """The definition with CloudFormation tokens (ARNs, ids) replaced by a placeholder."""
    body = one(synth.profiler, "AWS::StepFunctions::StateMachine")["Properties"]
    parts = body["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "<token>" for p in parts)
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def definition(synthesized: Synthesized) -> dict[str, Any]:
    return definition_of(synthesized)


def successors(state: dict[str, Any]) -> set[str]:
    nexts = {state[k] for k in ("Next", "Default") if k in state}
    nexts |= {choice["Next"] for choice in state.get("Choices", [])}
    nexts |= {catch["Next"] for catch in state.get("Catch", [])}
    return nexts


def _check_graph(graph: dict[str, Any]) -> None:
    """Every state of ``graph`` (a machine or a Map's processor) is reachable from its
    StartAt, and every path ends in a Succeed, a Fail or an End."""
    states = graph["States"]
    seen, todo = set(), [graph["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(successors(states[name]))
    assert seen == set(states)
    for name, state in states.items():
        if state["Type"] in ("Succeed", "Fail"):
            assert not successors(state)
        elif state.get("End") is True:
            assert "Next" not in state
        else:
            assert successors(state), f"{name} leads nowhere"
            assert state["Type"] == "Choice" or "Next" in state
        if "ItemProcessor" in state:
            _check_graph(state["ItemProcessor"])


def test_every_state_is_reachable_and_every_path_ends(definition: dict[str, Any]) -> None:
    assert definition["StartAt"] == "ValidateInput"
    _check_graph(definition)
    assert set(definition["States"]["RunProfiler"]["ItemProcessor"]["States"]) == {"ScanItem"}


def test_next_and_catch_are_wired_as_designed(definition: dict[str, Any]) -> None:
    states = definition["States"]
    assert states["ValidateInput"]["Type"] == "Choice"
    assert states["ValidateInput"]["Default"] == "InvalidInput"
    assert [c["Next"] for c in states["ValidateInput"]["Choices"]] == ["PlanKey"]
    assert states["InvalidInput"] == {
        "Type": "Fail",
        "Error": "InvalidInput",
        "Cause": states["InvalidInput"]["Cause"],
    }
    assert states["PlanKey"]["Type"] == "Pass"
    assert states["PlanKey"]["Next"] == "Plan"
    assert states["Plan"]["Next"] == "RunProfiler"
    assert states["RunProfiler"]["Next"] == "StoreResults"
    assert states["StoreResults"]["Next"] == "Succeeded"
    assert states["Succeeded"]["Type"] == "Succeed"
    for name in ("Plan", "RunProfiler", "StoreResults"):
        assert states[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleError"}
        ]
    assert states["HandleError"]["Next"] == "RunFailed"
    assert [c["Next"] for c in states["HandleError"]["Catch"]] == ["RunFailed"]
    assert states["HandleError"]["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    assert states["RunFailed"]["Type"] == "Fail"
    # The merge is retried whole (it rewrites the same run); every task on ECS capacity.
    store_retries = {e for r in states["StoreResults"]["Retry"] for e in r["ErrorEquals"]}
    assert store_retries == {"States.TaskFailed", "ECS.AmazonECSException"}
    assert all(r["MaxAttempts"] >= 2 for r in states["StoreResults"]["Retry"])
    scan = states["RunProfiler"]["ItemProcessor"]["States"]["ScanItem"]
    for task in (states["Plan"], scan):
        [retry] = task["Retry"]
        assert retry["ErrorEquals"] == ["ECS.AmazonECSException"]  # never a failed scan
        assert retry["BackoffRate"] > 1
        assert retry["MaxAttempts"] >= 3


def _tasks(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    states = definition["States"]
    found = {n: states[n] for n in ("Plan", "StoreResults", "HandleError")}
    found["ScanItem"] = states["RunProfiler"]["ItemProcessor"]["States"]["ScanItem"]
    return found


def _environment(task: dict[str, Any]) -> dict[str, str]:
    [override] = task["Parameters"]["Overrides"]["ContainerOverrides"]
    return {e["Name"]: e["Value.$"] for e in override["Environment"]}


def test_every_task_runs_the_job_on_fargate_with_a_timeout(definition: dict[str, Any]) -> None:
    commands = {}
    for name, task in _tasks(definition).items():
        assert task["Resource"].endswith(":states:::ecs:runTask.sync")  # RUN_JOB
        params = task["Parameters"]
        assert params["LaunchType"] == "FARGATE"
        assert params["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
        assert len(params["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]) == 2
        [override] = params["Overrides"]["ContainerOverrides"]
        commands[name] = override["Command"]
        env = _environment(task)
        assert not [n for n in env if "SECRET" in n or "KEY" in n]
        assert task["TimeoutSeconds"] > 0
        assert task["ResultPath"] is None  # the input passes through for the next task
        if name != "ScanItem":
            # Every task of the run names it by the execution ARN.
            assert env[EXECUTION_ARN_VARIABLE] == "$$.Execution.Id"
            assert env[SPEC_VARIABLE] == "States.JsonToString($$.Execution.Input)"
    assert commands == {
        "Plan": ["dataprof", "job", "plan"],
        "ScanItem": ["dataprof", "job", "scan"],
        "StoreResults": ["dataprof", "job", "merge"],
        "HandleError": ["dataprof", "job", "fail"],
    }
    assert _environment(_tasks(definition)["HandleError"])[ERROR_VARIABLE] == "$.error.Error"
    # The machine's own timeout is the backstop: longer than the plan, one wave of scans
    # per concurrency slot for a hundred waves, and the merge with its retries.
    tasks = _tasks(definition)
    assert definition["TimeoutSeconds"] > (
        tasks["Plan"]["TimeoutSeconds"]
        + 4 * tasks["ScanItem"]["TimeoutSeconds"]
        + 3 * tasks["StoreResults"]["TimeoutSeconds"]
    )


def test_the_plan_key_is_the_sha256_of_the_execution_arn(definition: dict[str, Any]) -> None:
    """``dataprof job plan`` writes runs/by-execution/<sha256 hex of the ARN>/plan.json
    (dataprof.fanout.execution_plan_name); the Pass state must name the same object."""
    plan_key = definition["States"]["PlanKey"]
    assert plan_key["Parameters"] == {
        "plan_key.$": "States.Format('runs/by-execution/{}/plan.json', "
        "States.Hash($$.Execution.Id, 'SHA-256'))"
    }
    assert plan_key["ResultPath"] == "$.plan"
    fanout = (MODELS.parents[1] / "fanout.py").read_text()
    assert 'f"runs/by-execution/{digest}/plan.json"' in fanout
    assert "hashlib.sha256(execution_arn.encode()).hexdigest()" in fanout


def test_the_map_is_distributed_and_reads_the_plan_from_the_bucket(
    definition: dict[str, Any], synthesized: Synthesized
) -> None:
    run = definition["States"]["RunProfiler"]
    assert run["Type"] == "Map"
    assert run["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",  # a .sync ECS task cannot run in an EXPRESS child
    }
    reader = run["ItemReader"]
    assert reader["Resource"].endswith(":states:::s3:getObject")
    assert reader["ReaderConfig"] == {"InputType": "JSON"}
    assert reader["Parameters"]["Key.$"] == "$.plan.plan_key"
    # The bucket is the results bucket the stack imports.
    body = one(synthesized.profiler, "AWS::StepFunctions::StateMachine")["Properties"]
    assert "dataprof-results-bucket-arn" in json.dumps(body["DefinitionString"])
    assert run["MaxConcurrency"] == DEFAULT_MAX_CONCURRENCY
    # Step Functions' default is 0 (CDK leaves a 0 out): one failed item fails the Map.
    assert run.get("ToleratedFailurePercentage", 0) == 0
    assert "ToleratedFailureCount" not in run
    assert run["ResultPath"] is None


def test_each_item_scans_its_number_of_the_parent_run(definition: dict[str, Any]) -> None:
    run = definition["States"]["RunProfiler"]
    # Evaluated in the parent execution: the child's own $$.Execution is another one.
    assert run["ItemSelector"] == {
        "item.$": "States.Format('{}', $$.Map.Item.Value.item)",
        "execution_arn.$": "$$.Execution.Id",
        "spec.$": "States.JsonToString($$.Execution.Input)",
    }
    scan = run["ItemProcessor"]["States"]["ScanItem"]
    assert _environment(scan) == {
        EXECUTION_ARN_VARIABLE: "$.execution_arn",
        SPEC_VARIABLE: "$.spec",
        ITEM_VARIABLE: "$.item",
    }
    assert (
        scan["Parameters"]["TaskDefinition"]
        == (definition["States"]["Plan"]["Parameters"]["TaskDefinition"])
    )
    assert scan["OutputPath"] == "$.item"  # the Map's collected result stays small


def test_context_sets_the_concurrency_and_the_item_size(tmp_path: Path) -> None:
    synth = synthesize(
        tmp_path, {"dataprof:max_concurrency": "7", "dataprof:bytes_per_task": 1_000_000}
    )
    states = definition_of(synth)["States"]
    assert states["RunProfiler"]["MaxConcurrency"] == 7
    [override] = states["Plan"]["Parameters"]["Overrides"]["ContainerOverrides"]
    assert override["Command"] == ["dataprof", "job", "plan", "--bytes-per-task", "1000000"]


def _lookup(document: Any, path: str) -> Any:
    assert path.startswith("$.")
    node = document
    for key in path[2:].split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def evaluate(rule: dict[str, Any], document: Any) -> bool:
    """Step Functions' Choice rule language, the operators ValidateInput uses."""
    if "And" in rule:
        return all(evaluate(r, document) for r in rule["And"])
    if "Or" in rule:
        return any(evaluate(r, document) for r in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], document)
    value = _lookup(document, rule["Variable"])
    if "IsPresent" in rule:
        return (value is not _MISSING) is bool(rule["IsPresent"])
    if value is _MISSING:
        return False
    if "IsString" in rule:
        return isinstance(value, str) is bool(rule["IsString"])
    if "StringEquals" in rule:
        return isinstance(value, str) and value == rule["StringEquals"]
    raise AssertionError(f"operator not emulated: {rule}")


def accepted(definition: dict[str, Any], document: Any) -> bool:
    choice = definition["States"]["ValidateInput"]
    for rule in choice["Choices"]:
        if evaluate(rule, document):
            return bool(rule["Next"] == "PlanKey")
    return False


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ({"source": {"data_source_id": "abc"}, "table": "orders"}, True),
        ({"source": {"source_type": "file"}, "table": "t", "mode": "full"}, True),
        ({"source": {"data_source_id": "abc"}, "table": "t", "mode": "sample"}, True),
        ({"table": "orders"}, False),
        ({"source": {"data_source_id": "abc"}}, False),
        ({"source": {"data_source_id": "abc"}, "table": 3}, False),
        ({"source": {"data_source_id": "abc"}, "table": "t", "mode": "fast"}, False),
        ({"source": {"data_source_id": "abc"}, "table": "t", "mode": "FULL"}, False),
        ({"source": {"data_source_id": "abc"}, "table": "t", "mode": 1}, False),
        ({}, False),
    ],
)
def test_validate_input_on_samples(definition: dict[str, Any], document: Any, valid: bool) -> None:
    assert accepted(definition, document) is valid


@given(mode=st.one_of(st.sampled_from(PROFILE_MODES), st.text(max_size=12)))
def test_validate_input_accepts_exactly_dataprofs_modes(
    synthesized: Synthesized, mode: str
) -> None:
    document = {"source": {"data_source_id": "x"}, "table": "t", "mode": mode}
    assert accepted(definition_of(synthesized), document) is (mode in PROFILE_MODES)


def test_modes_are_dataprofs_profile_modes() -> None:
    """infra/ does not import dataprof: read ProfileMode's values from its source."""
    tree = ast.parse(MODELS.read_text())
    [profile_mode] = [
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ProfileMode"
    ]
    values = {
        node.value.value
        for node in profile_mode.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert values == set(PROFILE_MODES)
