"""Logging as the CLI configures it: one handler that redacts every record, whoever
logged it (a dependency's logger has no dataprof filter of its own)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.logging_config import configure_logging
from dataprof.redaction import RedactingFilter

TOKEN = "IQoJb3JpZ2luX2VjEH0aCXVzLWVhc3QtMSJHMEUCIQDenvtoken0123456789"


@pytest.fixture
def restore_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_records_of_any_logger_are_redacted_at_debug(
    restore_root: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    configure_logging("DEBUG")
    other = logging.getLogger("some.dependency")  # no dataprof filter on it
    assert not other.filters
    # The shapes botocore logs a signed request in at DEBUG.
    other.debug("x-amz-security-token:%s", "canonical-token-value-1234")
    other.debug(
        "Sending http request: <AWSPreparedRequest headers={'X-Amz-Security-Token': b'%s', "
        "'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/athena"
        "/aws4_request, SignedHeaders=host, Signature=%s'}>",
        "header-token-value-5678",
        "9f" * 32,
    )
    other.info("the environment's token: %s", TOKEN)
    try:
        raise RuntimeError(f"failed with token {TOKEN}")
    except RuntimeError:
        other.exception("in a traceback too")
    err = capsys.readouterr().err
    for secret in (TOKEN, "canonical-token-value-1234", "header-token-value-5678", "9f" * 32):
        assert secret not in err
    assert err.count("DEBUG some.dependency") == 2
    assert "in a traceback too" in err
    assert "RuntimeError" in err


def test_configuring_twice_keeps_one_handler(restore_root: logging.Logger) -> None:
    before = list(restore_root.handlers)  # pytest's own (the README test may filter them)
    configure_logging("INFO")
    handler = configure_logging("warning")
    added = [h for h in restore_root.handlers if h not in before]
    assert added == [handler]
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    assert restore_root.level == logging.WARNING


def test_cli_log_level_option(restore_root: logging.Logger, tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2, 3]}), tmp_path / "t.parquet")
    runner = CliRunner()
    result = runner.invoke(
        build_app(), ["--log-level", "bogus", "schema", str(tmp_path / "t.parquet")]
    )
    assert result.exit_code == 2
    assert "unknown level" in result.stderr
    result = runner.invoke(
        build_app(), ["--log-level", "debug", "schema", str(tmp_path / "t.parquet")]
    )
    assert result.exit_code == 0, result.stderr
    assert restore_root.level == logging.DEBUG
    assert any(
        any(isinstance(f, RedactingFilter) for f in h.filters) for h in restore_root.handlers
    )
