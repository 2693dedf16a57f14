"""The pytest plugin dataprof-core registers (entry point ``pytest11``).

It is loaded in any pytest run where dataprof-core is installed, so it stays
small: a marker for conformance tests and a fixture that undoes explicit
registrations a test makes in the process-wide registry.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dataprof.registry import ConnectorRegistry, default_registry


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
