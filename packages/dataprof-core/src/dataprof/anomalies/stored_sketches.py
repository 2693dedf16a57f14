"""Reading the sketches a profile carries (``TableProfile.sketches``).

The engine stores each as base64 of the DataSketches serialization under
``"<column>/kll"`` (a ``kll_doubles_sketch``) and ``"<column>/top"`` (a
``frequent_strings_sketch``). A sketch that is missing, damaged or does not
deserialize (written by an incompatible library version) reads as ``None``: a
detector then skips that column instead of failing the whole run. Stored bytes
are untrusted: :mod:`dataprof.profiling.sketch_checks` proves them whole before
the native library reads them, since a damaged KLL sketch crashes the process.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from dataprof.profiling.models import TableProfile
from dataprof.profiling.sketch_checks import (
    DamagedSketchError,
    checked_frequent_strings,
    checked_kll,
)
from dataprof.redaction import get_logger

__all__ = ["KLL_SUFFIX", "TOP_SUFFIX", "damaged_sketches", "load_kll", "load_top_items"]

KLL_SUFFIX = "kll"
TOP_SUFFIX = "top"
_log = get_logger(__name__)


def _raw(profile: TableProfile, column: str, kind: str) -> bytes | None:
    encoded = profile.sketches.get(f"{column}/{kind}")
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


def load_kll(profile: TableProfile, column: str) -> Any | None:
    """The column's ``kll_doubles_sketch``, or None when absent, empty or unreadable."""
    raw = _raw(profile, column, KLL_SUFFIX)
    if raw is None:
        return None
    try:
        sketch = checked_kll(raw)
    except DamagedSketchError as exc:
        _log.warning("Ignoring the stored KLL sketch of column %r: %s", column, exc)
        return None
    return None if sketch.is_empty() else sketch


def load_top_items(
    profile: TableProfile, column: str, count: int, min_count: int = 0
) -> list[str] | None:
    """The ``count`` most frequent values by the column's frequent-items sketch, each
    estimated at ``min_count`` or more.

    Ranks by estimate with the no-false-negatives rule, so a value that really is
    frequent is never missing from the list.
    """
    raw = _raw(profile, column, TOP_SUFFIX)
    if raw is None:
        return None
    import datasketches

    try:
        sketch = checked_frequent_strings(raw)
    except DamagedSketchError as exc:
        _log.warning("Ignoring the stored top-values sketch of column %r: %s", column, exc)
        return None
    if sketch.is_empty():
        return None
    rows = sketch.get_frequent_items(datasketches.frequent_items_error_type.NO_FALSE_NEGATIVES)
    rows.sort(key=lambda row: (-row[1], str(row[0])))
    return [str(row[0]) for row in rows[:count] if row[1] >= min_count]


def damaged_sketches(profile: TableProfile) -> list[str]:
    """The keys (``"<column>/kll"``...) of the profile's sketches that fail their checks."""
    checks = {KLL_SUFFIX: checked_kll, TOP_SUFFIX: checked_frequent_strings}
    damaged = []
    for key in sorted(profile.sketches):
        column, _, kind = key.rpartition("/")
        check = checks.get(kind)
        if check is None:
            continue
        raw = _raw(profile, column, kind)
        try:
            if raw is None:
                raise DamagedSketchError("not base64")
            check(raw)
        except DamagedSketchError:
            damaged.append(key)
    return damaged
