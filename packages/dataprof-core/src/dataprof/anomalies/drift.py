"""Distribution drift between the last succeeded run and this one, from stored sketches.

Numeric and temporal columns: the Kolmogorov-Smirnov statistic, the largest gap
between the two cumulative distributions, computed on the KLL sketches both runs
stored. The statistic is evaluated at every item either sketch retains (the same
walk DataSketches' own ``kolmogorov_smirnov::delta`` makes; the Python binding
exposes only the yes/no test). A column drifts when the gap exceeds
``drift_ks_statistic`` *and* DataSketches' ``ks_test`` rejects "same
distribution" at ``drift_p_value``: the test alone flags trivial shifts on big
tables, the gap alone flags noise on small ones, and the test also allows for
the sketches' own rank error.

Columns named like keys are skipped: a growing sequence drifts by design.

Categorical columns: churn of the top values, the Jaccard distance between the
previous and current top-k sets (from the frequent-items sketches, else the
profile's ``top_values``). Near-unique columns are skipped, their top values
being an accident of which duplicates happened to occur.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dataprof.anomalies.comparable import last_run
from dataprof.anomalies.detector import (
    distinct_share,
    looks_like_key,
    non_null_count,
    severity_for_excess,
)
from dataprof.anomalies.stored_sketches import load_kll, load_top_items
from dataprof.anomalies.thresholds import Thresholds
from dataprof.profiling.models import Anomaly, ColumnProfile, Severity, TableProfile

__all__ = [
    "DistributionDriftDetector",
    "TopValuesChurnDetector",
    "jaccard_distance",
    "ks_statistic",
]


def ks_statistic(first: Any, second: Any) -> float:
    """The largest gap between the CDFs of two KLL sketches (0 identical, 1 disjoint)."""
    import numpy as np

    if first.is_empty() or second.is_empty():
        return 0.0
    retained = [np.fromiter((item for item, _ in sketch), float) for sketch in (first, second)]
    points = np.unique(np.concatenate(retained)).tolist()
    # inclusive=True: the CDF at a point counts the point itself, as the sorted view does.
    gaps = np.subtract(first.get_cdf(points, True), second.get_cdf(points, True))
    return float(np.max(np.abs(gaps)))


def jaccard_distance(first: set[str], second: set[str]) -> float:
    """1 - |A & B| / |A | B|; 0 for two empty sets."""
    union = first | second
    if not union:
        return 0.0
    return 1.0 - len(first & second) / len(union)


class DistributionDriftDetector:
    """KS drift of numeric and temporal columns between the last run's sketches and these."""

    name = "distribution_drift"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        last = last_run(current, history)
        if last is None:
            return []
        import datasketches

        found: list[Anomaly] = []
        for column in current.columns:
            values = thresholds.for_column(column.column_name)
            limit = values.drift_ks_statistic
            if limit is None or not values.enabled(self.name):
                continue
            if looks_like_key(column.column_name):
                continue  # identifiers move with the sequence by design
            now = load_kll(current, column.column_name)
            before = load_kll(last, column.column_name)
            if now is None or before is None:
                continue
            statistic = ks_statistic(before, now)
            if statistic <= limit:
                continue
            if not datasketches.ks_test(before, now, values.drift_p_value):
                continue
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="distribution_drift",
                    severity=_capped(severity_for_excess(statistic, limit)),
                    description=f"Distribution moved: KS statistic {statistic:.3f} against the "
                    f"last run (threshold {limit:g}); median {_median(before):g} -> "
                    f"{_median(now):g}",
                    observed_value=statistic,
                    threshold=limit,
                    detector=self.name,
                    metadata={
                        "previous_run_id": last.run_id,
                        "p_value": values.drift_p_value,
                        "previous_n": int(before.n),
                        "current_n": int(now.n),
                        "previous_median": _median(before),
                        "current_median": _median(now),
                    },
                )
            )
        return found


def _capped(severity: Severity) -> Severity:
    """Drift is a reason to look, never by itself critical (that is kept for lost data)."""
    return Severity.HIGH if severity is Severity.CRITICAL else severity


def _median(sketch: Any) -> float:
    return float(sketch.get_quantile(0.5))


def _top_set(
    profile: TableProfile, column: ColumnProfile, count: int, min_share: float
) -> set[str] | None:
    min_count = math.ceil(min_share * non_null_count(column))
    items = load_top_items(profile, column.column_name, count, min_count)
    if items is None and column.top_values:
        ranked = sorted(column.top_values, key=lambda t: -t.count)
        items = [str(t.value) for t in ranked[:count] if t.count >= min_count]
    return set(items) if items else None


class TopValuesChurnDetector:
    """How many of the most frequent values changed since the last run (Jaccard distance)."""

    name = "top_values_churn"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        last = last_run(current, history)
        if last is None:
            return []
        found: list[Anomaly] = []
        for column in current.columns:
            values = thresholds.for_column(column.column_name)
            limit = values.top_values_max_churn
            if limit is None or not values.enabled(self.name):
                continue
            before_column = last.column(column.column_name)
            if before_column is None:
                continue
            if any(
                (share := distinct_share(c)) is not None
                and share > values.top_values_max_distinct_share
                for c in (column, before_column)
            ):
                continue
            now = _top_set(current, column, values.top_values_count, values.top_values_min_share)
            before = _top_set(
                last, before_column, values.top_values_count, values.top_values_min_share
            )
            if now is None or before is None:
                continue
            churn = jaccard_distance(before, now)
            if churn <= limit:
                continue
            found.append(
                Anomaly(
                    column_name=column.column_name,
                    anomaly_type="top_values_churn",
                    severity=_capped(severity_for_excess(churn, limit)),
                    description=f"Top values changed: Jaccard distance {churn:.2f} against the "
                    f"last run (threshold {limit:g}); new: {_preview(now - before)}; "
                    f"gone: {_preview(before - now)}",
                    observed_value=churn,
                    threshold=limit,
                    detector=self.name,
                    metadata={
                        "previous_run_id": last.run_id,
                        "added": sorted(now - before),
                        "removed": sorted(before - now),
                    },
                )
            )
        return found


def _preview(values: set[str], limit: int = 5) -> str:
    shown = sorted(values)[:limit]
    more = len(values) - len(shown)
    return ", ".join(repr(v) for v in shown) + (f" (+{more} more)" if more > 0 else "") or "none"
