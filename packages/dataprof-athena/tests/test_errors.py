"""Bad input and failing services end in a dataprof error naming what to fix; a query we
stop waiting for is stopped in Athena too."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pyarrow as pa
import pytest
from athena_emulation import AthenaEmulation
from conftest import athena_params

from dataprof import DataSourceConfig, get_connector
from dataprof.errors import (
    ConfigurationError,
    DatabaseNotFoundError,
    OperationTimeoutError,
    PermissionDeniedError,
    QueryFailedError,
    TableNotFoundError,
    TransientError,
)
from dataprof.testing.moto_server import aws_client, moto_api

SMALL = pa.table({"a": pa.array([1, 2, 3], pa.int64()), "b": pa.array(["x", None, "z"])})


def test_unknown_table_and_database(make_config: Callable[..., DataSourceConfig]) -> None:
    make_config("present", SMALL)
    with (
        get_connector(make_config("absent")) as connector,
        pytest.raises(TableNotFoundError, match="absent"),
    ):
        connector.arrow_schema()
    nowhere = get_connector(make_config("present", database="nowhere"))
    with nowhere, pytest.raises(DatabaseNotFoundError, match="nowhere"):
        nowhere.get_schema()


def test_a_query_failing_on_a_missing_table_says_so_with_its_id(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    # the catalog knows no such table, and neither does the engine: count(*) fails in Athena
    make_config("present", SMALL)
    with get_connector(make_config("gone")) as connector, pytest.raises(TableNotFoundError) as info:
        connector.get_row_count()
    assert "TABLE_NOT_FOUND" in str(info.value)
    assert "query id" in str(info.value)


def test_other_failed_queries_carry_athenas_reason(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    connector = get_connector(make_config("t", SMALL))
    with connector, pytest.raises(QueryFailedError) as info:
        connector.run(f"SELECT no_such_function(a) FROM {connector.table_sql}", "testing")
    assert info.value.query_id
    assert "no_such_function" in (info.value.engine_reason or "")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"work_group": "nope"}, "connection_params.work_group"),
        ({"work_group": "no-output"}, "connection_params.output_location"),
    ],
)
def test_work_group_problems_name_the_param(
    make_config: Callable[..., DataSourceConfig], params: dict[str, str], field: str
) -> None:
    with (
        get_connector(make_config("t", SMALL, **params)) as connector,
        pytest.raises(ConfigurationError) as info,
    ):
        connector.get_row_count()
    assert field in str(info.value)


def test_access_denied_names_the_call(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    athena.fail_next = [(400, "AccessDeniedException")]
    with (
        get_connector(make_config("t", SMALL)) as connector,
        pytest.raises(PermissionDeniedError) as info,
    ):
        connector.get_schema()
    assert "athena:GetTableMetadata" in str(info.value)


def test_throttling_is_retried_then_reported_with_attempts(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    athena.fail_next = [(400, "ThrottlingException")]
    with get_connector(make_config("t", SMALL, max_attempts=2)) as connector:
        assert connector.get_schema() == {"a": "bigint", "b": "string"}  # one retry sufficed
        athena.fail_next = [(400, "ThrottlingException")] * 2
        connector.__dict__.pop("_columns")
        with pytest.raises(TransientError) as info:
            connector.get_schema()
    assert info.value.attempts == 2


def test_unquotable_names_are_refused_before_any_query(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    with (
        get_connector(make_config("bad\nname")) as connector,
        pytest.raises(ConfigurationError, match="control"),
    ):
        connector.get_row_count()
    assert athena.statements == []


# -- the timeout: moto's own Athena, held RUNNING by its state manager -------------------


@pytest.fixture
def held_queries(moto_server: str) -> Iterator[None]:
    """moto keeps every Athena query RUNNING until told otherwise (state manager)."""
    moto_api(
        moto_server,
        "state-manager/set-transition",
        {
            "model_name": "athena::execution",
            "transition": {"progression": "manual", "times": 10_000},
        },
    )
    yield
    moto_api(moto_server, "state-manager/unset-transition", {"model_name": "athena::execution"})


def test_timeout_stops_the_query(moto_server: str, held_queries: None) -> None:
    bucket = f"athena-timeout-{uuid.uuid4().hex[:8]}"
    aws_client("s3", moto_server).create_bucket(Bucket=bucket)
    config = DataSourceConfig(
        source_type="athena",
        database="db",
        table="t",
        connection_params=athena_params(
            moto_server, query_timeout_s=0.5, output_location=f"s3://{bucket}/results/"
        ),
    )
    with get_connector(config) as connector, pytest.raises(OperationTimeoutError) as info:
        connector.get_row_count()
    assert info.value.cancelled
    assert info.value.cancelled.startswith("athena query ")
    query_id = info.value.cancelled.removeprefix("athena query ")
    athena = aws_client("athena", moto_server)
    state = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert state["State"] == "CANCELLED"


def test_timeout_in_the_emulation_stops_the_query_and_nothing_runs_after(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    from dataprof.profiling import profile_table

    config = make_config("t", SMALL, query_timeout_s=0.3)
    athena.running_polls = 1_000_000
    with get_connector(config) as connector, pytest.raises(OperationTimeoutError):
        profile_table(connector, mode="pushdown")
    started = list(athena.executions)
    assert athena.stopped == started[-1:]
    assert len(athena.statements) == len(started)


def test_an_interrupt_stops_the_query_and_propagates(
    athena: AthenaEmulation, make_config: Callable[..., DataSourceConfig]
) -> None:
    from dataprof_athena.polling import run_query

    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    athena.running_polls = 1_000_000
    with get_connector(make_config("t", SMALL)) as connector, pytest.raises(KeyboardInterrupt):
        run_query(
            connector.athena,
            f"SELECT count(*) FROM {connector.table_sql}",
            start_kwargs={"WorkGroup": "primary"},
            timeout_s=60,
            where=connector.error_context(),
            sleep=interrupted,
        )
    assert athena.stopped == list(athena.executions)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"output_location": "my-bucket/results"}, "connection_params.output_location"),
        ({"query_timeout_s": 0}, "connection_params.query_timeout_s"),
        ({"password": "x"}, "connection_params.password"),
    ],
)
def test_bad_params_are_refused_when_the_connector_is_built(
    make_config: Callable[..., DataSourceConfig], params: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigurationError, match=field.replace(".", r"\.")):
        get_connector(make_config("t", **params))
