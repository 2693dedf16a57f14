"""A host that turns on DEBUG logging through dataprof (``--log-level DEBUG``) gets
botocore's request logs without the AWS session token or secret key: the real
botocore, signing real requests to the moto server, with a session token."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from dataprof.logging_config import configure_logging
from dataprof.testing.moto_server import MOTO_REGION

TOKEN = "IQoJb3JpZ2luX2VjEH0aCXVzLWVhc3QtMSJHMEUCIQDsessiontokenvalue0123456789abcdef"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYdataprof"


@pytest.fixture
def debug_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("DEBUG")
    yield
    root.removeHandler(handler)
    root.setLevel(level)


def test_botocore_debug_logs_never_show_the_session_token(
    moto_server: str, debug_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    session = boto3.session.Session(region_name=MOTO_REGION)  # credentials from the env
    athena = session.client("athena", endpoint_url=moto_server)
    athena.list_work_groups()
    s3 = session.client("s3", endpoint_url=moto_server)
    s3.list_buckets()
    err = capsys.readouterr().err
    # DEBUG really was on: botocore logged the signed requests, headers and all.
    assert "AmazonAthena.ListWorkGroups" in err
    assert "x-amz-security-token" in err.lower()
    assert err.count("**********") >= 4
    assert TOKEN not in err
    assert TOKEN[:20] not in err
    assert SECRET not in err
