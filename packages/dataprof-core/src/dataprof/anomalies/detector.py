"""The contract of an anomaly detector, and the small vocabulary detectors share.

A detector is any object with a ``name`` and a ``detect`` method (a Protocol, so
plugins need not import a base class). It reads profiles only, never engine
internals, and returns findings; it never raises for bad data, only for bugs.

History reaches a detector as given by the store (newest first) but detectors do
not rely on order: :func:`previous_runs` sorts by time, keeps succeeded runs and
drops the current run should the caller have saved it already.
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
    RunStatus,
    Severity,
    TableProfile,
)

__all__ = [
    "AnomalyDetector",
    "distinct_share",
    "last_run",
    "looks_like_key",
    "looks_like_primary_key",
    "non_null_count",
    "requested_columns",
    "null_share",
    "previous_runs",
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


def requested_columns(profile: TableProfile) -> set[str] | None:
    """The columns a partial run was asked for, or None when it profiled them all."""
    return None if profile.columns_requested is None else set(profile.columns_requested)


def _restricted(past: TableProfile, names: set[str]) -> TableProfile:
    return past.model_copy(
        update={
            "columns": [c for c in past.columns if c.column_name in names],
            "schema_fields": {k: v for k, v in past.schema_fields.items() if k in names},
            "field_ids": {k: v for k, v in past.field_ids.items() if k in names},
        }
    )


def previous_runs(current: TableProfile, history: Sequence[TableProfile]) -> list[TableProfile]:
    """The runs to judge ``current`` against: succeeded, not ``current`` itself, oldest first.

    Partial runs are made comparable: a full run is never judged against a partial
    one (its missing columns would read as dropped), and a partial run is judged
    against past runs cut down to its own columns.
    """
    runs = [p for p in history if p.status is RunStatus.SUCCEEDED and p.run_id != current.run_id]
    if requested_columns(current) is None:
        runs = [p for p in runs if requested_columns(p) is None]
    else:
        names = set(current.schema_fields) | {c.column_name for c in current.columns}
        runs = [_restricted(p, names) for p in runs]
    return sorted(runs, key=lambda p: p.finished_at.timestamp())


def last_run(current: TableProfile, history: Sequence[TableProfile]) -> TableProfile | None:
    """The run ``current`` is compared with, as :func:`previous_runs` chooses; None if none."""
    runs = previous_runs(current, history)
    return runs[-1] if runs else None


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
