"""The contract of an anomaly detector, and the small vocabulary detectors share.

A detector is any object with a ``name`` and a ``detect`` method (a Protocol, so
plugins need not import a base class). It reads profiles only, never engine
internals, and returns findings; it never raises for bad data, only for bugs.

History reaches a detector as given by the store (newest first); detectors take
the runs they may compare with from :mod:`dataprof.anomalies.comparable`. Each past
run is a view (:mod:`dataprof.anomalies.history_view`): its scope, schema and each
column's flat figures, plus top values and sketches on the run compared with only;
metrics, min/max values and anomalies of past runs are not loaded for detection.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from dataprof.anomalies.thresholds import Thresholds
from dataprof.profiling.models import (
    Anomaly,
    ColumnProfile,
    Severity,
    TableProfile,
)

__all__ = [
    "AnomalyDetector",
    "distinct_share",
    "looks_like_key",
    "looks_like_primary_key",
    "non_null_count",
    "null_share",
    "severity_for_excess",
]


@runtime_checkable
class AnomalyDetector(Protocol):
    """Finds anomalies in ``current``, optionally against earlier profiles of the same table."""

    name: str

    def detect(
        self,
        current: TableProfile,
        history: Sequence[TableProfile],
        thresholds: Thresholds,
    ) -> list[Anomaly]: ...


_KEY_NAME = re.compile(r"(^|[_\W])(id|key|uuid|guid|pk)$", re.IGNORECASE)
_CAMEL_KEY_NAME = re.compile(r"[a-z0-9](Id|ID|Key|Uuid|UUID)$")  # case matters: not "paid"


def looks_like_key(name: str) -> bool:
    """Whether a column's name says it is an identifier (``id``, ``order_id``, ``customerKey``).

    Such columns grow with the table (sequences, UUIDs): their mean and distribution
    move every run by design, so history and drift rules skip them, and duplicates
    in them are serious."""
    leaf = name.rsplit(".", 1)[-1]
    return bool(_KEY_NAME.search(leaf) or _CAMEL_KEY_NAME.search(leaf))


_OWN_KEY_LEAVES = {"id", "uuid", "guid", "pk", "key"}


def _singular(table: str) -> str:
    name = table.rsplit(".", 1)[-1].lower()
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("ses", "xes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") else name


def looks_like_primary_key(name: str, table: str) -> bool:
    """Whether a column's name says it is *this table's* identifier, where a repeat is a bug.

    ``id``, ``uuid``, or the table's own name plus a key suffix (``trip_id`` or
    ``tripId`` in ``trips``). Other ``*_id`` columns are references to other
    tables (``driver_id`` in ``trips``) and repeat by design."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf.lower() in _OWN_KEY_LEAVES:
        return True
    own = {_singular(table), table.rsplit(".", 1)[-1].lower()}
    normalized = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", leaf).lower()
    stem, sep, suffix = normalized.rpartition("_")
    return bool(sep) and suffix in _OWN_KEY_LEAVES and stem in own


def non_null_count(column: ColumnProfile) -> int:
    return column.row_count - (column.null_count or 0)


def null_share(column: ColumnProfile) -> float | None:
    """Nulls over rows, as a fraction; ``None`` when not measured or the table is empty."""
    if column.null_count is None or column.row_count <= 0:
        return None
    return column.null_count / column.row_count


def distinct_share(column: ColumnProfile) -> float | None:
    """Distinct values over non-null values, as a fraction."""
    non_null = non_null_count(column)
    if column.distinct_count is None or non_null <= 0:
        return None
    return min(column.distinct_count / non_null, 1.0)


def severity_for_excess(observed: float, threshold: float) -> Severity:
    """How far past its threshold a figure is: up to 2x medium, up to 4x high, beyond critical.

    A threshold of zero means "any change": one step past it is medium.
    """
    if threshold <= 0 or not math.isfinite(observed):
        return Severity.HIGH if not math.isfinite(observed) else Severity.MEDIUM
    ratio = abs(observed) / threshold
    if ratio >= 4:
        return Severity.CRITICAL
    if ratio >= 2:
        return Severity.HIGH
    return Severity.MEDIUM
