"""The pytest plugin dataprof-core registers (entry point ``pytest11``).

It is loaded in any pytest run where dataprof-core is installed, so it stays
small: a marker for conformance tests, a fixture that undoes explicit
registrations a test makes in the process-wide registry, and ``moto_server`` (one
moto server on 127.0.0.1 per session; moto is imported only when a test uses it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dataprof.registry import ConnectorRegistry, default_registry
from dataprof.testing.moto_server import moto_server

__all__ = ["dataprof_registry", "moto_server", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dataprof_conformance: a test from dataprof's connector conformance kit"
    )


@pytest.fixture
def dataprof_registry() -> Iterator[ConnectorRegistry]:
    """The default registry, with every ``register()`` made during the test undone after it."""
    saved = default_registry.registrations()
    try:
        yield default_registry
    finally:
        default_registry.restore_registrations(saved)
