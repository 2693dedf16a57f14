"""The workflow input (`JobSpec`) and the run id every task derives from the execution ARN."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataprof import ConfigurationError
from dataprof.job_spec import InlineSource, JobSpec, SourceById, run_id_for_execution
from dataprof.profiling.models import ProfileMode

ARN = "arn:aws:states:eu-west-1:123456789012:execution:dataprof-profile:7b0e6c1e"


def spec(**fields: object) -> str:
    body: dict[str, object] = {
        "source": {"source_type": "file", "connection_params": {"path": "/data/t.parquet"}},
        "table": "t",
    }
    body.update(fields)
    return json.dumps(body)


def test_run_id_is_uuid5_of_the_arn_in_32_hex() -> None:
    run_id = run_id_for_execution(ARN)
    assert re.fullmatch(r"[0-9a-f]{32}", run_id)
    assert uuid.UUID(hex=run_id).version == 5
    assert run_id == run_id_for_execution(ARN)  # every task, every retry: the same run
    assert run_id != run_id_for_execution(ARN + "x")


@given(st.text(min_size=1).map(lambda tail: f"arn:aws:states:r:1:execution:m:{tail}"))
def test_distinct_executions_get_distinct_runs(arn: str) -> None:
    assert run_id_for_execution(arn) != run_id_for_execution(arn + "-retry")


def test_run_id_refuses_what_is_not_an_arn() -> None:
    with pytest.raises(ConfigurationError, match="not an execution ARN"):
        run_id_for_execution("my-execution")


def test_full_spec_parses() -> None:
    parsed = JobSpec.parse(
        spec(
            database="sales",
            mode="full",
            columns=["a", "b"],
            sample_size=500,
            thresholds={"row_count_max_relative_change": 0.2},
        )
    )
    assert isinstance(parsed.source, InlineSource)
    assert (parsed.mode, parsed.columns, parsed.sample_size) == (ProfileMode.FULL, ["a", "b"], 500)
    assert parsed.thresholds_model().row_count_max_relative_change == 0.2
    by_id = JobSpec.parse(json.dumps({"source": {"data_source_id": "6f1c"}, "table": "t"}))
    assert by_id.source == SourceById(data_source_id="6f1c")
    assert by_id.mode is ProfileMode.AUTO


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (spec(owner="me"), "owner: Extra inputs are not permitted"),
        (spec(mode="fast"), "mode: Input should be"),
        (spec(sample_size=0), "sample_size"),
        (json.dumps({"source": {"data_source_id": "x", "extra": 1}, "table": "t"}), "source.extra"),
        (json.dumps({"table": "t"}), "source: Field required"),
        (json.dumps({"source": {"data_source_id": "x"}}), "table: Field required"),
        (spec(thresholds={"no_such_detector": 1}), "thresholds"),
        ("{not json", "not JSON"),
    ],
)
def test_bad_spec_names_the_field(text: str, named: str) -> None:
    with pytest.raises(ConfigurationError, match="job spec") as caught:
        JobSpec.parse(text)
    assert named in str(caught.value)


def test_literal_secret_is_refused_naming_the_field_without_echoing_it() -> None:
    text = spec(
        source={
            "source_type": "redshift",
            "connection_params": {"workgroup": "wg", "password": "hunter2-literal"},
        }
    )
    with pytest.raises(ConfigurationError) as caught:
        JobSpec.parse(text)
    message = str(caught.value)
    assert "connection_params.password holds a literal secret" in message
    assert "hunter2-literal" not in message


def test_references_and_secret_arns_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    text = spec(
        source={
            "source_type": "file",
            "connection_params": {
                "path": "/data/t.parquet",
                "nested": {"api_key": "${ORDERS_KEY}"},
                "secret_arn": "arn:aws:secretsmanager:eu-west-1:1:secret:x",
            },
            "name": "orders",
        }
    )
    parsed = JobSpec.parse(text)
    monkeypatch.setenv("ORDERS_KEY", "resolved-at-run-time")
    config = parsed.source_config()
    assert config.name == "orders"
    assert config.table == "t"
    nested = config.connection_params["nested"]["api_key"]
    assert nested.get_secret_value() == "resolved-at-run-time"  # masked once resolved


def test_data_source_id_needs_a_store_that_keeps_sources(tmp_path: object) -> None:
    parsed = JobSpec.parse(json.dumps({"source": {"data_source_id": "6f1c"}, "table": "t"}))
    with pytest.raises(ConfigurationError, match="data_source_id '6f1c' needs a profile store"):
        parsed.source_config(None)
