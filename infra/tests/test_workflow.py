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

from dataprof_infra.workflow import (
    ERROR_VARIABLE,
    EXECUTION_ARN_VARIABLE,
    PROFILE_MODES,
    SPEC_VARIABLE,
)
from synthesis import Synthesized, one

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


def test_every_state_is_reachable_and_every_path_ends(definition: dict[str, Any]) -> None:
    states = definition["States"]
    assert definition["StartAt"] == "ValidateInput"
    seen, todo = set(), ["ValidateInput"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(successors(states[name]))
    assert seen == set(states)
    for name, state in states.items():
        if state["Type"] in ("Succeed", "Fail"):
            assert not successors(state)
        else:
            assert successors(state), f"{name} leads nowhere"
            assert state["Type"] == "Choice" or "Next" in state or state.get("End") is True


def test_next_and_catch_are_wired_as_designed(definition: dict[str, Any]) -> None:
    states = definition["States"]
    assert states["ValidateInput"]["Type"] == "Choice"
    assert states["ValidateInput"]["Default"] == "InvalidInput"
    assert [c["Next"] for c in states["ValidateInput"]["Choices"]] == ["RunProfiler"]
    assert states["InvalidInput"] == {
        "Type": "Fail",
        "Error": "InvalidInput",
        "Cause": states["InvalidInput"]["Cause"],
    }
    assert states["RunProfiler"]["Next"] == "StoreResults"
    assert states["StoreResults"]["Next"] == "Succeeded"
    assert states["Succeeded"]["Type"] == "Succeed"
    for name in ("RunProfiler", "StoreResults"):
        assert states[name]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleError"}
        ]
    assert states["HandleError"]["Next"] == "RunFailed"
    assert [c["Next"] for c in states["HandleError"]["Catch"]] == ["RunFailed"]
    assert states["HandleError"]["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    assert states["RunFailed"]["Type"] == "Fail"
    # The store is retried (it rewrites the same run); the profiler only on ECS capacity.
    [store_retry] = states["StoreResults"]["Retry"]
    assert "States.TaskFailed" in store_retry["ErrorEquals"]
    assert store_retry["MaxAttempts"] >= 2
    [profile_retry] = states["RunProfiler"]["Retry"]
    assert profile_retry["ErrorEquals"] == ["ECS.AmazonECSException"]


def test_every_task_runs_the_job_on_fargate_with_a_timeout(definition: dict[str, Any]) -> None:
    states = definition["States"]
    commands = {}
    total = 0
    for name in ("RunProfiler", "StoreResults", "HandleError"):
        task = states[name]
        assert task["Resource"].endswith(":states:::ecs:runTask.sync")  # RUN_JOB
        params = task["Parameters"]
        assert params["LaunchType"] == "FARGATE"
        assert params["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
        assert len(params["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]) == 2
        [override] = params["Overrides"]["ContainerOverrides"]
        commands[name] = override["Command"]
        env = {e["Name"]: e for e in override["Environment"]}
        # Every task names the run by the execution ARN.
        assert env[EXECUTION_ARN_VARIABLE]["Value.$"] == "$$.Execution.Id"
        assert env[SPEC_VARIABLE]["Value.$"] == "States.JsonToString($$.Execution.Input)"
        assert not [n for n in env if "SECRET" in n or "KEY" in n]
        assert task["TimeoutSeconds"] > 0
        total += task["TimeoutSeconds"]
        assert task["ResultPath"] is None  # the input passes through for the next task
    assert commands == {
        "RunProfiler": ["dataprof", "job", "profile", "--workers", "2"],
        "StoreResults": ["dataprof", "job", "store"],
        "HandleError": ["dataprof", "job", "fail"],
    }
    fail_env = {
        e["Name"]: e["Value.$"]
        for e in states["HandleError"]["Parameters"]["Overrides"]["ContainerOverrides"][0][
            "Environment"
        ]
    }
    assert fail_env[SPEC_VARIABLE] == "States.JsonToString($$.Execution.Input)"
    assert fail_env[ERROR_VARIABLE] == "$.error.Error"
    # The machine's own timeout is the backstop: longer than the tasks' with the store's retries.
    assert definition["TimeoutSeconds"] > total + 3 * states["StoreResults"]["TimeoutSeconds"]


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
            return bool(rule["Next"] == "RunProfiler")
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
