"""One synthesized App per variant and test session: building one costs seconds (jsii,
asset staging, cdk-nag), each assertion on its templates milliseconds.

``app.synth()`` runs cdk-nag's AwsSolutions checks, so a fixture that synthesizes at
all is already the proof that no finding is left unacknowledged.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The app and the test helpers import as top-level modules (infra/ is no installed package).
for folder in (Path(__file__).resolve().parents[1], Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from synthesis import DATA_ACCESS_CONTEXT, Synthesized, synthesize  # noqa: E402


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The app as `python app.py` builds it: no data-access context."""
    return synthesize(tmp_path_factory.mktemp("cdk.out"), None)


@pytest.fixture(scope="session")
def with_access(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The app with every kind of data-access context."""
    return synthesize(tmp_path_factory.mktemp("cdk.out-access"), DATA_ACCESS_CONTEXT)
