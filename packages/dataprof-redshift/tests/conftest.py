"""Fixtures: a real PostgreSQL server behind an emulated Redshift Data API.

``postgres_server`` (dataprof.testing's pytest plugin) starts one server per session;
each test gets a fresh database cloned from a template holding ``standard_table()``,
and a :class:`RedshiftEmulation` answering every ``redshift-data`` call a boto3 client
makes in this process (see ``redshift_emulation``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataprof.testing import standard_table

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:  # tests run with --import-mode=importlib
    sys.path.insert(0, _HERE)

from redshift_emulation import RedshiftEmulation  # noqa: E402
from redshift_tables import STANDARD, load_table  # noqa: E402


@pytest.fixture(autouse=True)
def _aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region; nothing may reach a real AWS endpoint."""
    for key in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def database(postgres_server: Any) -> str:
    """A fresh database holding ``public.standard_rows`` (``standard_table()``)."""
    template = postgres_server.template(
        "redshift_standard", lambda dsn: load_table(dsn, STANDARD, standard_table())
    )
    dsn: str = postgres_server.fresh_database(template=template, prefix="redshift")
    return dsn.rsplit("/", 1)[1]


@pytest.fixture
def emulation(postgres_server: Any, database: str) -> Iterator[RedshiftEmulation]:
    """The Data API, answered over ``database``, for every boto3 client made meanwhile."""
    import boto3

    emulated = RedshiftEmulation(dsn=postgres_server.dsn(database), database=database)
    boto3.setup_default_session(region_name="us-east-1")
    session = boto3.DEFAULT_SESSION
    assert session is not None
    session.events.register("before-send.redshift-data", emulated)
    try:
        yield emulated
    finally:
        session.events.unregister("before-send.redshift-data", emulated)
        boto3.DEFAULT_SESSION = None
        emulated.close()
