"""Puts the hand-built profile helpers of tests/anomalies on ``sys.path`` (the suite runs
with ``--import-mode=importlib``, which adds no test folder)."""

from __future__ import annotations

import sys
from pathlib import Path

_BUILDERS = str(Path(__file__).parent.parent / "anomalies")
if _BUILDERS not in sys.path:
    sys.path.insert(0, _BUILDERS)
