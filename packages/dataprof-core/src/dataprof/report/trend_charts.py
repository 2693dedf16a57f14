"""Small line charts of a table's history: the figures anomaly detection tracks.

The series are exactly the detectors' (``TRACKED_METRICS``: row count, and per
column null share, distinct share and mean), read from the stored runs plus the
current one, oldest to newest. A run whose anomalies concern a series (an
anomaly type named after the metric, such as ``null_share_change``) is marked
on it, with the anomaly's description on hover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dataprof.anomalies.history import TRACKED_METRICS, TrackedMetric
from dataprof.profiling.models import Anomaly, ColumnProfile, RunStatus, TableProfile
from dataprof.report.formatting import share_text, value_text
from dataprof.report.svg import Chart, Circle, Label, LinearScale, Polyline

__all__ = ["TrendSet", "column_trends", "ordered_runs", "table_trends"]

WIDTH, HEIGHT = 220, 56


@dataclass(frozen=True)
class TrendSet:
    """A named series chart, e.g. ``null share`` of one column."""

    name: str
    chart: Chart
    latest: str
    anomalous: bool


def ordered_runs(profile: TableProfile, history: Sequence[TableProfile]) -> list[TableProfile]:
    """Succeeded past runs of the same scope (whole table, or samples of the same size, of
    the same columns: what the detectors compare) and the current one, oldest first."""
    past = [
        run
        for run in history
        if run.status is RunStatus.SUCCEEDED
        and run.run_id != profile.run_id
        and run.scope == profile.scope
    ]
    return [*sorted(past, key=lambda run: run.started_at), profile]


def table_trends(runs: Sequence[TableProfile]) -> list[TrendSet]:
    if len(runs) < 2:
        return []
    out: list[TrendSet] = []
    for metric in TRACKED_METRICS:
        if metric.column_level or metric.read_table is None:
            continue
        read = metric.read_table
        values = [read(run) for run in runs]
        marks = [_anomalies(run.anomalies, metric, None) for run in runs]
        trend = _trend(metric, "the table", values, marks)
        if trend is not None:
            out.append(trend)
    return out


def column_trends(runs: Sequence[TableProfile], column: ColumnProfile) -> list[TrendSet]:
    """The column's tracked series, matched across runs by field id, else by name."""
    if len(runs) < 2:
        return []
    matched = [_match(run, column) for run in runs]
    out: list[TrendSet] = []
    for metric in TRACKED_METRICS:
        if not metric.column_level or metric.read_column is None:
            continue
        read = metric.read_column
        values = [read(found) if found is not None else None for found in matched]
        marks = [_anomalies(run.anomalies, metric, column.column_name) for run in runs]
        trend = _trend(metric, column.column_name, values, marks)
        if trend is not None:
            out.append(trend)
    return out


def _match(run: TableProfile, column: ColumnProfile) -> ColumnProfile | None:
    if column.field_id is not None:
        by_id = next((c for c in run.columns if c.field_id == column.field_id), None)
        if by_id is not None:
            return by_id
    return run.column(column.column_name)


def _anomalies(anomalies: Sequence[Anomaly], metric: TrackedMetric, column: str | None) -> str:
    found = [
        a.description
        for a in anomalies
        if a.column_name == column and a.anomaly_type.startswith(metric.name + "_")
    ]
    return "; ".join(found)


def _trend(
    metric: TrackedMetric,
    subject: str,
    values: Sequence[float | None],
    marks: Sequence[str],
) -> TrendSet | None:
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return None
    name = metric.name.replace("_", " ")
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    x = LinearScale(0, len(values) - 1, 5, WIDTH - 5)
    y = LinearScale(low, high, HEIGHT - 16, 6)
    chart = Chart(
        "trend", WIDTH, HEIGHT, f"{name.capitalize()} of {subject} over {len(values)} runs"
    )
    chart.polylines.append(Polyline(tuple((x(i), y(v)) for i, v in known)))
    for i, v in known:
        css_class, title = ("point-anomaly", marks[i]) if marks[i] else ("point", "")
        text = _figure(metric, v)
        chart.circles.append(
            Circle(x(i), y(v), 3.5 if marks[i] else 2, css_class, f"run {i + 1}: {text}. {title}")
        )
    chart.labels.append(Label(0, HEIGHT - 2, f"min {_figure(metric, low)}"))
    chart.labels.append(Label(WIDTH, HEIGHT - 2, f"max {_figure(metric, high)}", "end"))
    return TrendSet(name, chart, _figure(metric, known[-1][1]), any(marks))


def _figure(metric: TrackedMetric, value: float) -> str:
    if metric.name.endswith("share"):
        return share_text(value)
    return value_text(value, 24)
