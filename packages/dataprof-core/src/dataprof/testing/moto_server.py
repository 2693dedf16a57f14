"""One moto *server* for a test session, shared by every package's AWS tests.

Why a server and not ``mock_aws()``: PyArrow's S3 client is C++ and never sees an
in-process mock, so S3 (and anything else a C++ or subprocess client reads) must be
reached over HTTP. The server binds to 127.0.0.1 (moto's default is every interface)
on a free port.

The ``moto_server`` fixture (registered by dataprof's pytest plugin) starts it once
per session and returns its endpoint URL. :func:`aws_client` and :func:`aws_session`
give boto3 objects pointed at it with dummy credentials and :data:`MOTO_REGION`, so no
test ever reaches real AWS or reads real credentials. moto and boto3 are imported only
when a test uses them; a package that uses the fixture lists ``moto[server]`` and
``boto3`` in its test dependencies.

The server is shared by every test of the session, and ``nox -s all_backends`` runs
several packages' tests in one process: name buckets and other resources uniquely and
never reset the server (``/moto-api/reset``) from a test.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from boto3 import Session  # noqa: TID251 - types only

MOTO_REGION = "us-east-1"
MOTO_ACCESS_KEY_ID = "testing"
MOTO_SECRET_ACCESS_KEY = "moto-secret-do-not-show"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def aws_session(region: str = MOTO_REGION) -> Session:
    """A boto3 session with the dummy credentials moto accepts (never the environment's)."""
    import boto3  # noqa: TID251 - test helper; imported only when a test asks for it

    return boto3.Session(
        aws_access_key_id=MOTO_ACCESS_KEY_ID,
        aws_secret_access_key=MOTO_SECRET_ACCESS_KEY,
        region_name=region,
    )


def aws_client(service: str, endpoint_url: str, region: str = MOTO_REGION, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` on the moto server at ``endpoint_url``."""
    return aws_session(region).client(service, endpoint_url=endpoint_url, **kwargs)  # type: ignore[call-overload]


def moto_api(endpoint_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """POST (or GET, without ``body``) to moto's own API (``/moto-api/...``): reset,
    the state manager, canned Athena results. Returns the decoded JSON reply, if any."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/{path.lstrip('/')}",
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        text = reply.read().decode()
    return json.loads(text) if text.strip() else None


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for the whole session; yields its endpoint URL.

    Dummy credentials and a region are put in the environment only where none are set,
    so clients that read the environment (PyIceberg, PyArrow) never look for real ones.
    """
    from moto.server import ThreadedMotoServer

    for key, value in {
        "AWS_ACCESS_KEY_ID": MOTO_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": MOTO_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": MOTO_REGION,
    }.items():
        os.environ.setdefault(key, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
