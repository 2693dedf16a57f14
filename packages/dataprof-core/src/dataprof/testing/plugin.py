"""The pytest plugin dataprof-core registers (entry point ``pytest11``).

It is loaded in any pytest run where dataprof-core is installed, so it stays
small: a marker for conformance tests, a fixture that undoes explicit
registrations a test makes in the process-wide registry, ``moto_server`` (one
moto server on 127.0.0.1 per session; moto is imported only when a test uses it),
and ``postgres_server`` (one PostgreSQL server per session, imported the same way).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from dataprof.registry import ConnectorRegistry, default_registry
from dataprof.testing.moto_server import moto_server

__all__ = [
    "dataprof_registry",
    "moto_server",
    "postgres_server",
    "profile_database",
    "pytest_configure",
]

if TYPE_CHECKING:
    from dataprof.testing.postgres import PostgresServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dataprof_conformance: a test from dataprof's connector conformance kit"
    )
    config.addinivalue_line(
        "markers", "postgres: needs a real PostgreSQL server (the `postgres` nox session)"
    )


@pytest.fixture
def dataprof_registry() -> Iterator[ConnectorRegistry]:
    """The default registry, with every ``register()`` made during the test undone after it."""
    saved = default_registry.registrations()
    try:
        yield default_registry
    finally:
        default_registry.restore_registrations(saved)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One private PostgreSQL server for the whole test session (see ``dataprof.testing.postgres``).

    Clone a per-test database from a template built once::

        name = postgres_server.template("with_schema", load_schema)
        dsn = postgres_server.fresh_database(template=name)
    """
    from dataprof.testing.postgres import PostgresServer

    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def profile_database(postgres_server: PostgresServer) -> str:
    """A fresh database per test, cloned from a Supabase-like one with the profile schema
    migrated (see ``dataprof.testing.profile_db``); returns its superuser DSN."""
    from dataprof.testing.profile_db import profile_template

    return postgres_server.fresh_database(template=profile_template(postgres_server))
