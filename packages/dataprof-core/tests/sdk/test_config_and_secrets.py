"""Configs validate early and never show a secret."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from dataprof import (
    ConfigurationError,
    DataSourceConfig,
    QueryFailedError,
    get_connector,
    get_logger,
    redact,
)
from dataprof.redaction import REDACTED, remember_secret


def test_secret_params_are_masked_everywhere() -> None:
    cfg = DataSourceConfig(
        source_type="file",
        connection_params={
            "path": "x.parquet",
            "nested": {"aws_secret_access_key": "AKIAsecretvalue"},
        },
        database="d",
        table="t",
    )
    assert isinstance(cfg.connection_params["nested"]["aws_secret_access_key"], SecretStr)
    for text in (repr(cfg), str(cfg), cfg.model_dump_json()):
        assert "AKIAsecretvalue" not in text


def test_params_errors_name_the_field_but_not_the_value() -> None:
    cfg = DataSourceConfig(
        source_type="file",
        connection_params={"path": "x.parquet", "password": "hunter2-long"},
        database="d",
        table="t",
    )
    with pytest.raises(ConfigurationError) as info:
        get_connector(cfg)
    assert "connection_params.password" in str(info.value)
    assert "hunter2-long" not in str(info.value)
    assert "[source: file, table: d.t]" in str(info.value)


def test_engine_error_echoing_a_secret_is_redacted() -> None:
    DataSourceConfig(
        source_type="file",
        connection_params={"path": "p", "token": "tok-123456"},
        database="d",
        table="t",
    )
    err = QueryFailedError(
        "query failed", engine_reason="auth with tok-123456 refused", query_id="q-1"
    )
    assert "tok-123456" not in str(err)
    assert "q-1" in str(err)
    assert REDACTED in str(err)


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    remember_secret("sup3r-s3cret")
    logger = get_logger("dataprof.test")
    with caplog.at_level(logging.INFO, logger="dataprof.test"):
        logger.info("connecting with %s and postgresql://bob:pw9999@host/db", "sup3r-s3cret")
    assert "sup3r-s3cret" not in caplog.text
    assert "pw9999" not in caplog.text


@given(
    secret=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=4, max_size=40
    ),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
)
def test_a_remembered_secret_never_survives_redaction(secret: str, before: str, after: str) -> None:
    from dataprof import redaction

    known = set(redaction._known)
    remember_secret(secret)
    try:
        assert secret not in redact(before + secret + after)
    finally:
        # Forget the random secrets again: one like "time" would mask "RuntimeError" in every
        # later test of the session.
        redaction._known.intersection_update(known)


@given(st.text(min_size=1, max_size=60))
def test_hostile_table_names_render_in_errors(name: str) -> None:
    err = ConfigurationError("bad", source="file", table=name)
    assert isinstance(str(err), str)
    assert err.table == name


def test_errors_carry_default_hints() -> None:
    from dataprof import TableNotFoundError

    err = TableNotFoundError("Table 'x' not found", source="iceberg", table="db.x")
    assert str(err).startswith("Table 'x' not found [source: iceberg, table: db.x]\nHint: ")
