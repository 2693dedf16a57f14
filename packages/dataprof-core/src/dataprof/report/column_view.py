"""What one column's card shows: its figures with their honesty, its charts, its trends.

A view is plain data built from a :class:`ColumnProfile` (and the runs before it);
the template only lays it out. Each figure carries its exactness (the badge, with
the error bound on hover) and its source (full scan, sample, metadata, pushdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dataprof.anomalies.detector import distinct_share, null_share
from dataprof.profiling.metric_names import METRIC_DESCRIPTIONS
from dataprof.profiling.models import Anomaly, ColumnProfile, Metric, TableProfile
from dataprof.report import distribution_charts as charts
from dataprof.report.formatting import SOURCE_LABELS, exactness_text, share_text, value_text
from dataprof.report.svg import Chart
from dataprof.report.trend_charts import TrendSet, column_trends

__all__ = ["ColumnView", "Figure", "column_view"]

FIGURE_ORDER = (
    "row_count",
    "null_count",
    "null_percentage",
    "distinct_count",
    "distinct_percentage",
    "min",
    "max",
    "mean",
    "median",
    "std_dev",
    "sum",
    "zero_count",
    "negative_count",
    "nan_count",
    "infinity_count",
    "length_min",
    "length_mean",
    "length_max",
    "empty_count",
    "true_count",
    "false_count",
    "true_percentage",
    "inferred_match_share",
    "size_bytes",
)
NOT_FIGURES = frozenset(
    {
        "histogram",
        "top_values",
        "inferred_type_shares",
        "inferred_examined_count",
        "non_null_count",
        "valid_count",
        "variance",
        "std_dev_seconds",
        "pos_inf_count",
        "neg_inf_count",
    }
)
"""Metrics drawn as charts, or repeating a figure already shown."""


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    text: str
    exact: bool
    exactness: str
    source: str
    description: str


@dataclass
class ColumnView:
    index: int
    anchor: str
    name: str
    data_type: str
    inferred_type: str
    supported: bool
    unsupported_reason: str | None
    null_share: float | None
    distinct_share: float | None
    figures: list[Figure] = field(default_factory=list)
    charts: list[tuple[str, Chart]] = field(default_factory=list)
    trends: list[TrendSet] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)

    @property
    def null_text(self) -> str:
        return share_text(self.null_share)

    @property
    def distinct_text(self) -> str:
        return share_text(self.distinct_share)


def column_view(
    index: int,
    column: ColumnProfile,
    anomalies: Sequence[Anomaly] = (),
    runs: Sequence[TableProfile] = (),
) -> ColumnView:
    view = ColumnView(
        index=index,
        anchor=f"col-{index}",  # never the name itself: ids stay free of data
        name=column.column_name,
        data_type=column.data_type,
        inferred_type=column.inferred_type,
        supported=column.supported,
        unsupported_reason=column.unsupported_reason,
        null_share=null_share(column),
        distinct_share=distinct_share(column),
        anomalies=[a for a in anomalies if a.column_name == column.column_name],
    )
    view.figures = figures(column)
    view.charts = [
        (caption, chart)
        for caption, chart in (
            ("histogram", charts.histogram(column)),
            ("quantiles", charts.quantile_box(column)),
            ("top values", charts.top_value_bars(column)),
            ("lengths", charts.length_strip(column)),
            ("true / false", charts.boolean_split(column)),
        )
        if chart is not None
    ]
    view.trends = column_trends(runs, column)
    return view


def figures(column: ColumnProfile) -> list[Figure]:
    names = [n for n in FIGURE_ORDER if n in column.metrics]
    names += sorted(n for n in column.metrics if n not in FIGURE_ORDER and n not in NOT_FIGURES)
    return [_figure(name, column.metrics[name]) for name in names]


def _figure(name: str, metric: Metric) -> Figure:
    return Figure(
        name=name,
        label=name.replace("_", " "),
        text=_metric_text(name, metric.value),
        exact=metric.exact,
        exactness=exactness_text(metric),
        source=SOURCE_LABELS.get(metric.source, str(metric.source)),
        description=METRIC_DESCRIPTIONS.get(name, "a metric added by a plugin"),
    )


def _metric_text(name: str, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if name.endswith("_percentage"):
            return share_text(value / 100)
        if name.endswith("_share"):
            return share_text(value)
    if isinstance(value, dict | list):
        return value_text(", ".join(f"{k} {value_text(v, 24)}" for k, v in _pairs(value)), 80)
    return value_text(value, 48)


def _pairs(value: dict[Any, Any] | list[Any]) -> list[tuple[Any, Any]]:
    return list(value.items()) if isinstance(value, dict) else list(enumerate(value))
