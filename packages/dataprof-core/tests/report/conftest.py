"""Fixtures for the report's tests: profiles made by the real engine from small tables.

The suite runs with ``--import-mode=importlib``; this folder goes on ``sys.path``
so that ``report_builders`` imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from report_builders import mixed_table, profile_of  # noqa: E402

from dataprof.profiling.models import TableProfile  # noqa: E402


@pytest.fixture(scope="session")
def mixed_profile() -> TableProfile:
    """Every type family the report draws: numbers, text, booleans, times, decimals."""
    return profile_of(mixed_table())
