"""dataprof.aws_errors: botocore's exceptions (real ones, built as botocore builds them)
become dataprof's, naming the call that failed."""

from __future__ import annotations

import pytest
from botocore import exceptions as bce

from dataprof.aws_errors import translate_botocore
from dataprof.errors import (
    AuthenticationError,
    ConfigurationError,
    PermissionDeniedError,
    QueryFailedError,
    TransientError,
)

WHERE = {"source": "athena", "table": "db.t"}


def _client_error(code: str, operation: str, retries: int = 0) -> bce.ClientError:
    return bce.ClientError(
        {
            "Error": {"Code": code, "Message": f"{code} happened"},
            "ResponseMetadata": {"RetryAttempts": retries},
        },
        operation,
    )


@pytest.mark.parametrize(
    ("code", "operation", "kind", "text"),
    [
        (
            "AccessDeniedException",
            "StartQueryExecution",
            PermissionDeniedError,
            "athena:StartQueryExecution",
        ),
        ("AccessDenied", "GetObject", PermissionDeniedError, "s3:GetObject"),
        (
            "ExpiredTokenException",
            "GetTableMetadata",
            AuthenticationError,
            "athena:GetTableMetadata",
        ),
        ("InternalServerException", "GetQueryResults", QueryFailedError, "InternalServerException"),
    ],
)
def test_client_errors_name_the_call(
    code: str, operation: str, kind: type[Exception], text: str
) -> None:
    error = translate_botocore(
        _client_error(code, operation), service="athena", doing="reading", where=WHERE
    )
    assert isinstance(error, kind)
    assert text in str(error)
    assert "db.t" in str(error)


def test_throttling_says_how_many_attempts() -> None:
    error = translate_botocore(
        _client_error("ThrottlingException", "GetQueryExecution", retries=4),
        service="athena",
        doing="polling",
        where=WHERE,
    )
    assert isinstance(error, TransientError)
    assert error.attempts == 5
    assert "5 attempts" in str(error)


def test_credentials_and_endpoints() -> None:
    creds = translate_botocore(bce.NoCredentialsError(), service="athena", doing="x", where=WHERE)
    assert isinstance(creds, AuthenticationError)
    endpoint = translate_botocore(
        bce.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        service="athena",
        doing="x",
        where=WHERE,
        endpoint_hint="check connection_params.endpoint_url",
    )
    assert isinstance(endpoint, ConfigurationError)
    assert "connection_params.endpoint_url" in str(endpoint)


def test_other_exceptions_are_not_botocores() -> None:
    assert translate_botocore(ValueError("x"), service="athena", doing="x", where=WHERE) is None


def test_the_shared_moto_server_listens_on_loopback_only(moto_server: str) -> None:
    from dataprof.testing.moto_server import aws_client

    assert moto_server.startswith("http://127.0.0.1:")
    s3 = aws_client("s3", moto_server)
    s3.create_bucket(Bucket="dataprof-athena-fixture-check")
    assert "dataprof-athena-fixture-check" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
