"""Every failure as the ConnectorError that says what to fix, and nothing left running."""

from __future__ import annotations

import pytest
from redshift_emulation import RedshiftEmulation
from redshift_tables import SECRET_ARN, redshift_config

from dataprof import get_connector
from dataprof.errors import (
    ConfigurationError,
    DatabaseNotFoundError,
    OperationTimeoutError,
    PermissionDeniedError,
    QueryFailedError,
    TableNotFoundError,
    TransientError,
)
from dataprof_redshift import data_api


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cluster_identifier": "c1"}, "cluster_identifier"),
        ({"workgroup_name": None}, "cluster_identifier"),
        ({"password": "hunter22"}, "password"),
        ({"statement_timeout_s": 0}, "statement_timeout_s"),
    ],
)
def test_bad_params_name_the_field(database: str, params: dict[str, object], field: str) -> None:
    config = redshift_config(database, **params)
    if params.get("workgroup_name", "") is None:
        config = config.model_copy(
            update={
                "connection_params": {
                    k: v for k, v in config.connection_params.items() if k != "workgroup_name"
                }
            }
        )
    with pytest.raises(ConfigurationError, match=rf"connection_params\.{field}"):
        get_connector(config)


def test_unknown_workgroup_names_the_field(emulation: RedshiftEmulation, database: str) -> None:
    with (
        get_connector(redshift_config(database, workgroup_name="nope")) as connector,
        pytest.raises(ConfigurationError, match=r"connection_params\.workgroup_name") as info,
    ):
        connector.arrow_schema()
    assert SECRET_ARN not in str(info.value)


def test_unknown_database_schema_and_table(emulation: RedshiftEmulation, database: str) -> None:
    with (
        get_connector(redshift_config("no_such_db")) as connector,
        pytest.raises(DatabaseNotFoundError),
    ):
        connector.get_row_count()
    with (
        get_connector(redshift_config(database, table="nowhere.standard_rows")) as connector,
        pytest.raises(DatabaseNotFoundError, match="'nowhere'"),
    ):
        connector.get_row_count()
    with (
        get_connector(redshift_config(database, table="missing")) as connector,
        pytest.raises(TableNotFoundError, match="'missing'"),
    ):
        connector.get_row_count()
    assert emulation.executed == []  # found missing by DescribeTable, before any SQL


def test_a_table_dropped_after_describe_is_table_not_found(
    emulation: RedshiftEmulation, database: str
) -> None:
    with get_connector(redshift_config(database)) as connector:
        connector.arrow_schema()
        emulation.connection().execute("DROP TABLE standard_rows")
        with pytest.raises(TableNotFoundError, match="statement"):
            connector.get_row_count()


def test_failed_statement_keeps_reason_and_id(emulation: RedshiftEmulation, database: str) -> None:
    emulation.fail_next = "ERROR: Disk Full"
    with (
        get_connector(redshift_config(database)) as connector,
        pytest.raises(QueryFailedError) as info,
    ):
        connector.get_row_count()
    assert info.value.engine_reason == "ERROR: Disk Full"
    assert info.value.query_id == emulation.executed[0].id
    assert emulation.executed[0].id in str(info.value)


def test_access_denied_names_the_call(emulation: RedshiftEmulation, database: str) -> None:
    emulation.deny = {"ExecuteStatement"}
    with (
        get_connector(redshift_config(database)) as connector,
        pytest.raises(PermissionDeniedError, match="redshift-data:ExecuteStatement"),
    ):
        connector.get_row_count()


def test_timeout_cancels_the_statement(emulation: RedshiftEmulation, database: str) -> None:
    emulation.hold_running = True
    config = redshift_config(database, statement_timeout_s=0.3)
    with get_connector(config) as connector, pytest.raises(OperationTimeoutError) as info:
        connector.get_row_count()
    (statement,) = emulation.executed
    assert info.value.cancelled == f"redshift statement {statement.id}"
    assert emulation.cancelled == [statement.id]
    assert statement.status == "ABORTED"
    assert statement.postgres_sql is None  # nothing ran
    assert "statement_timeout_s" in str(info.value)


def test_interrupt_cancels_the_statement(emulation: RedshiftEmulation, database: str) -> None:
    emulation.hold_running = True
    emulation.interrupt_polls = True
    with (
        get_connector(redshift_config(database)) as connector,
        pytest.raises(OperationTimeoutError, match="Interrupted"),
    ):
        connector.get_row_count()
    assert emulation.cancelled == [emulation.executed[0].id]


def test_throttling_is_retried_then_transient(
    emulation: RedshiftEmulation, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_api, "MAX_ATTEMPTS", 2)  # one backoff sleep, not four
    emulation.always_throttle = {"DescribeStatement"}
    with (
        get_connector(redshift_config(database)) as connector,
        pytest.raises(TransientError) as info,
    ):
        connector.get_row_count()
    assert info.value.attempts == 2
    assert emulation.calls.count("DescribeStatement") == 2  # botocore retried once
    assert emulation.cancelled == [emulation.executed[0].id]  # and nothing is left running
