"""Strategies against the table's own history, after Deequ's anomaly strategies.

Four figures are tracked per run: the table's row count, and per column the null
share, the distinct share and the mean. Two strategies judge them:

* :class:`MetricChangeDetector` compares with the last succeeded run: absolute
  change (``*_max_absolute_change``) and relative change
  (``*_max_relative_change``, skipped when the previous value is zero, where it has
  no meaning; the absolute limit covers that case).
* :class:`HistoryZScoreDetector` compares with the running mean and standard
  deviation of all past runs given (Deequ's online-normal strategy), once there
  are ``history_min_runs`` of them and they are not all equal.

The mean of a column named like a key (``order_id``) is not tracked: it follows the
sequence, not the data. Columns are matched across runs by source field id where both runs have one (a
renamed Iceberg column keeps its history), else by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dataprof.anomalies.comparable import last_run, previous_runs
from dataprof.anomalies.detector import (
    distinct_share,
    looks_like_key,
    null_share,
    severity_for_excess,
)
from dataprof.anomalies.thresholds import Thresholds, ThresholdValues
from dataprof.profiling.models import Anomaly, ColumnProfile, Severity, TableProfile

__all__ = ["HistoryZScoreDetector", "MetricChangeDetector", "TrackedMetric", "TRACKED_METRICS"]


@dataclass(frozen=True)
class TrackedMetric:
    """A figure followed across runs: how to read it and which thresholds bound it."""

    name: str
    column_level: bool
    read_table: Callable[[TableProfile], float | None] | None = None
    read_column: Callable[[ColumnProfile], float | None] | None = None

    def absolute_limit(self, values: ThresholdValues) -> float | None:
        limit: float | None = getattr(values, f"{self.name}_max_absolute_change")
        return limit

    def relative_limit(self, values: ThresholdValues) -> float | None:
        limit: float | None = getattr(values, f"{self.name}_max_relative_change")
        return limit


def _row_count(profile: TableProfile) -> float | None:
    return float(profile.row_count)


def _mean(column: ColumnProfile) -> float | None:
    value = column.mean_value
    return value if value is not None and math.isfinite(value) else None


TRACKED_METRICS: tuple[TrackedMetric, ...] = (
    TrackedMetric("row_count", column_level=False, read_table=_row_count),
    TrackedMetric("null_share", column_level=True, read_column=null_share),
    TrackedMetric("distinct_share", column_level=True, read_column=distinct_share),
    TrackedMetric("mean", column_level=True, read_column=_mean),
)


class _ColumnIndex:
    """One run's columns by field id and by name, so matching is a lookup, not a scan."""

    def __init__(self, profile: TableProfile) -> None:
        self.by_id = {c.field_id: c for c in profile.columns if c.field_id is not None}
        self.by_name = {c.column_name: c for c in profile.columns}

    def match(self, column: ColumnProfile) -> ColumnProfile | None:
        if column.field_id is not None and column.field_id in self.by_id:
            return self.by_id[column.field_id]
        return self.by_name.get(column.column_name)


def _series(
    current: TableProfile, runs: Sequence[TableProfile]
) -> list[tuple[TrackedMetric, str | None, float, list[float]]]:
    """Every tracked figure of ``current`` with its values in ``runs`` (oldest first)."""
    out: list[tuple[TrackedMetric, str | None, float, list[float]]] = []
    for metric in TRACKED_METRICS:
        if not metric.column_level:
            assert metric.read_table is not None
            now = metric.read_table(current)
            if now is not None:
                past = [v for v in (metric.read_table(p) for p in runs) if v is not None]
                out.append((metric, None, now, past))
            continue
        assert metric.read_column is not None
        indexes = [_ColumnIndex(run) for run in runs]
        for column in current.columns:
            if metric.name == "mean" and looks_like_key(column.column_name):
                continue  # an id's mean follows the sequence, not the data
            now = metric.read_column(column)
            if now is None:
                continue
            past = []
            for index in indexes:
                before = index.match(column)
                value = metric.read_column(before) if before is not None else None
                if value is not None:
                    past.append(value)
            out.append((metric, column.column_name, now, past))
    return out


def _label(metric: TrackedMetric, value: float) -> str:
    if metric.name.endswith("share"):
        return f"{value:.1%}"
    return f"{value:,.0f}" if metric.name == "row_count" else f"{value:,.4g}"


class MetricChangeDetector:
    """Absolute and relative change of each tracked figure since the last run."""

    name = "metric_change"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        last = last_run(current, history)
        if last is None:
            return []
        found: list[Anomaly] = []
        for metric, column, now, past in _series(current, [last]):
            if not past:
                continue
            values = thresholds.for_column(column)
            anomaly_type = f"{metric.name}_change"
            if not values.enabled(self.name, anomaly_type):
                continue
            anomaly = self._judge(metric, column, now, past[-1], values, last)
            if anomaly is not None:
                found.append(anomaly)
        return found

    def _judge(
        self,
        metric: TrackedMetric,
        column: str | None,
        now: float,
        before: float,
        values: ThresholdValues,
        last: TableProfile,
    ) -> Anomaly | None:
        change = now - before
        relative = change / abs(before) if before != 0 else None
        breaches: list[tuple[str, float, float]] = []
        absolute_limit = metric.absolute_limit(values)
        if absolute_limit is not None and abs(change) > absolute_limit:
            breaches.append(("absolute", change, absolute_limit))
        relative_limit = metric.relative_limit(values)
        if relative_limit is not None and relative is not None and abs(relative) > relative_limit:
            breaches.append(("relative", relative, relative_limit))
        if not breaches:
            return None
        kind, observed, limit = max(breaches, key=lambda b: severity_for_excess(b[1], b[2]).rank)
        severity = severity_for_excess(observed, limit)
        if metric.name == "row_count" and now == 0 and before > 0:
            severity = Severity.CRITICAL
        direction = "rose" if change > 0 else "fell"
        shown = f"{observed:+.1%}" if kind == "relative" else f"{observed:+,.4g}"
        return Anomaly(
            column_name=column,
            anomaly_type=f"{metric.name}_change",
            severity=severity,
            description=f"{metric.name.replace('_', ' ').capitalize()} {direction} from "
            f"{_label(metric, before)} to {_label(metric, now)} ({shown}, {kind} limit {limit:g})",
            observed_value=observed,
            threshold=limit,
            detector=self.name,
            metadata={
                "previous": before,
                "current": now,
                "absolute_change": change,
                "relative_change": relative,
                "kind": kind,
                "previous_run_id": last.run_id,
            },
        )


class HistoryZScoreDetector:
    """Each tracked figure against the running mean and deviation of past runs."""

    name = "history_zscore"

    def detect(
        self, current: TableProfile, history: Sequence[TableProfile], thresholds: Thresholds
    ) -> list[Anomaly]:
        runs = previous_runs(current, history)
        found: list[Anomaly] = []
        for metric, column, now, past in _series(current, runs):
            values = thresholds.for_column(column)
            anomaly_type = f"{metric.name}_zscore"
            limit = values.history_zscore
            if limit is None or len(past) < values.history_min_runs:
                continue
            if not values.enabled(self.name, anomaly_type):
                continue
            mean = math.fsum(past) / len(past)
            # sample standard deviation; statistics.stdev is exact but 50x slower (fractions)
            deviation = math.sqrt(math.fsum((x - mean) ** 2 for x in past) / (len(past) - 1))
            if not deviation > 0:
                continue
            score = (now - mean) / deviation
            if abs(score) <= limit:
                continue
            found.append(
                Anomaly(
                    column_name=column,
                    anomaly_type=anomaly_type,
                    severity=severity_for_excess(score, limit),
                    description=f"{metric.name.replace('_', ' ').capitalize()} "
                    f"{_label(metric, now)} is {score:+.1f} standard deviations from the mean "
                    f"of {len(past)} past runs ({_label(metric, mean)})",
                    observed_value=score,
                    threshold=limit,
                    detector=self.name,
                    metadata={
                        "current": now,
                        "mean": mean,
                        "std_dev": deviation,
                        "runs": len(past),
                    },
                )
            )
        return found
