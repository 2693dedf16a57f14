"""Do two ways of profiling the same rows give the same profile?

:func:`assert_same_profile` is what the engine's own tests use to compare a profile
made by worker processes, or read in parts and merged, with a one-process one; a
backend can run it the same way on its own reads. Run metadata (ids, times, notes)
and sketch bytes (KLL compactions are random) are left out; every other field must
be equal, in the same order, floats to ``rel_tol`` (by default 1e-12: merged moments
round in their last digits as any merge of states does; 0 asks for equal floats). A
difference names its path.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataprof.profiling.models import TableProfile

__all__ = ["assert_same_profile"]


def assert_same_profile(a: TableProfile, b: TableProfile, *, rel_tol: float = 1e-12) -> None:
    """``a`` and ``b`` hold the same figures (see the module docstring)."""
    _assert_same(_comparable(a), _comparable(b), "profile", rel_tol)


def _comparable(profile: TableProfile) -> Any:
    from dataprof.stores.codec import profile_to_json

    fixed: dict[str, Any] = {
        "started_at": None,
        "finished_at": None,
        "run_id": "r",
        "notes": [],
        "sketches": dict.fromkeys(profile.sketches, ""),  # which sketches, not their bytes
    }
    return json.loads(profile_to_json(profile.model_copy(update=fixed)))


def _assert_same(a: Any, b: Any, path: str, rel_tol: float) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            _assert_same(a[key], b[key], f"{path}/{key}", rel_tol)
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{path}[{i}]", rel_tol)
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rel_tol), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
