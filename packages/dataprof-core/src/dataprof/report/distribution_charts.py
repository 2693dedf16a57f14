"""Charts of one column's distribution, drawn from the metrics the profile stored.

Nothing is recomputed: the histogram is the stored ``histogram`` metric (equal
bins from min to max), the box is the stored ``quantiles``, the bars are
``top_values``, the split is ``true_count``/``false_count``. A metric that is
missing or unreadable (a stored profile from an older version, metadata mode)
gives no chart rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dataprof.profiling.models import ColumnProfile
from dataprof.report.formatting import share_text, value_text
from dataprof.report.svg import Chart, Circle, Label, Line, LinearScale, Rect, as_number

__all__ = [
    "boolean_split",
    "histogram",
    "length_strip",
    "overlaid_histogram",
    "quantile_box",
    "top_value_bars",
]

WIDTH = 320
HISTOGRAM_HEIGHT = 110
AXIS = 14
"""Pixels under a chart for its axis labels."""


def histogram(column: ColumnProfile) -> Chart | None:
    """Bars of the stored histogram, each titled with its range, count and share."""
    counts, edges = _histogram_of(column)
    if counts is None:
        return None
    plot_height = HISTOGRAM_HEIGHT - AXIS
    shares = _shares(counts)
    tallest = max([*shares, 1e-12])
    step = WIDTH / len(counts)
    chart = Chart("histogram", WIDTH, HISTOGRAM_HEIGHT, f"Histogram of {column.column_name}")
    for i, (count, share) in enumerate(zip(counts, shares, strict=True)):
        height = plot_height * share / tallest
        low, high = value_text(edges[i], 24), value_text(edges[i + 1], 24)
        chart.rects.append(
            Rect(
                x=i * step + 1,
                y=plot_height - height,
                width=max(step - 2, 1),
                height=height,
                title=f"{low} to {high}: {count:,} ({share_text(share)})",
            )
        )
    _axis(chart, edges[0], edges[-1])
    return chart


def overlaid_histogram(before: ColumnProfile, after: ColumnProfile) -> Chart | None:
    """Two runs' histograms on one value axis: ``after`` filled, ``before`` outlined.

    Each run's bins span its own min to max, so bars are placed by their edges on the
    shared axis and drawn as density (share per unit), which keeps areas comparable.
    """
    first, second = _numeric_histogram(before), _numeric_histogram(after)
    if first is None or second is None:
        return None
    runs = [first, second]
    low = min(edges[0] for _, edges in runs)
    high = max(edges[-1] for _, edges in runs)
    plot_height = HISTOGRAM_HEIGHT - AXIS
    x = LinearScale(low, high, 0, WIDTH)
    densities = [_densities(counts, edges) for counts, edges in runs]
    tallest = max([d for run in densities for d in run] + [1e-12])
    title = f"Histograms of {after.column_name}: this run filled, the other outlined"
    chart = Chart("histogram", WIDTH, HISTOGRAM_HEIGHT, title)
    for css_class, (counts, edges), density in zip(
        ("bar-other", "bar"), runs, densities, strict=True
    ):
        for i, count in enumerate(counts):
            left, right = x(edges[i]), x(edges[i + 1])
            height = plot_height * density[i] / tallest
            chart.rects.append(
                Rect(
                    left,
                    plot_height - height,
                    max(right - left, 1),
                    height,
                    css_class,
                    f"{count:,}",
                )
            )
    # the filled run under the outline: draw order is the list order
    chart.rects.sort(key=lambda rect: rect.css_class != "bar")
    _axis(chart, _original_edge(before, after, low), _original_edge(before, after, high))
    return chart


def _numeric_histogram(column: ColumnProfile) -> tuple[list[int], list[float]] | None:
    counts, edges = _histogram_of(column)
    numbers = [as_number(edge) for edge in edges]
    if counts is None or any(n is None for n in numbers):
        return None
    return counts, [n for n in numbers if n is not None]


def _densities(counts: Sequence[int], edges: Sequence[float]) -> list[float]:
    total = sum(counts) or 1
    return [
        count / total / ((edges[i + 1] - edges[i]) or 1.0)
        if edges[i + 1] > edges[i]
        else count / total
        for i, count in enumerate(counts)
    ]


def _original_edge(before: ColumnProfile, after: ColumnProfile, number: float) -> Any:
    """The stored edge (a timestamp, a decimal) whose position is ``number``, for labels."""
    for column in (before, after):
        for edge in _histogram_of(column)[1]:
            if as_number(edge) == number:
                return edge
    return number


def _axis(chart: Chart, first: Any, last: Any) -> None:
    bottom = HISTOGRAM_HEIGHT - AXIS
    chart.lines.append(Line(0, bottom, WIDTH, bottom, "axis"))
    chart.labels.append(Label(0, HISTOGRAM_HEIGHT - 2, value_text(first, 28)))
    chart.labels.append(Label(WIDTH, HISTOGRAM_HEIGHT - 2, value_text(last, 28), "end"))


def _histogram_of(column: ColumnProfile | None) -> tuple[list[int] | None, list[Any]]:
    metric = column.metrics.get("histogram") if column is not None else None
    value = metric.value if metric is not None else None
    if not isinstance(value, dict):
        return None, []
    counts, edges = value.get("counts"), value.get("edges")
    if not isinstance(counts, list) or not isinstance(edges, list) or not counts:
        return None, []
    if len(edges) != len(counts) + 1 or not all(isinstance(c, int) for c in counts):
        return None, []
    return counts, edges


def _shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def top_value_bars(column: ColumnProfile, limit: int = 10) -> Chart | None:
    """The most frequent values as horizontal bars, each with its share of valid values."""
    tops = column.top_values[:limit]
    if not tops or max(t.count for t in tops) <= 1:
        return None  # every value distinct: bars of ones say nothing
    base = _valid_count(column) or sum(t.count for t in tops)
    row, label_width, share_width = 18, 120, 64
    chart = Chart("top-values", WIDTH, row * len(tops) + 2, f"Top values of {column.column_name}")
    scale = LinearScale(0, max(t.count for t in tops), 0, WIDTH - label_width - share_width)
    for i, top in enumerate(tops):
        y = i * row + 1
        share = top.count / base if base else None
        approx = f" ±{top.count_error:,}" if top.count_error else ""
        text = value_text(top.value, 18)
        chart.labels.append(Label(0, y + 13, text or "(empty)", css_class="label value"))
        chart.rects.append(
            Rect(
                x=label_width,
                y=y + 2,
                width=max(scale(top.count), 1),
                height=row - 5,
                title=f"{value_text(top.value, 200)}: {top.count:,}{approx} ({share_text(share)})",
            )
        )
        chart.labels.append(Label(WIDTH, y + 13, share_text(share), "end"))
    return chart


def _valid_count(column: ColumnProfile) -> int | None:
    for name in ("valid_count", "non_null_count"):
        metric = column.metrics.get(name)
        if metric is not None and isinstance(metric.value, int):
            return metric.value
    return None


def quantile_box(column: ColumnProfile) -> Chart | None:
    """A box from p25 to p75 with the median, whiskers p5 to p95, dots at p1 and p99,
    on a line from min to max."""
    metric = column.metrics.get("quantiles")
    if metric is None or not isinstance(metric.value, dict):
        return None
    points = {k: as_number(v) for k, v in metric.value.items()}
    low, high = as_number(column.min_value), as_number(column.max_value)
    needed = ("p5", "p25", "p50", "p75", "p95")
    if low is None or high is None or any(points.get(k) is None for k in needed):
        return None
    q = {k: v for k, v in points.items() if v is not None}
    height, middle = 40, 14
    x = LinearScale(low, high, 4, WIDTH - 4)
    chart = Chart("quantiles", WIDTH, height, f"Quantiles of {column.column_name}")
    chart.lines.append(Line(x(low), middle, x(high), middle, "axis"))
    chart.lines.append(Line(x(q["p5"]), middle, x(q["p25"]), middle, "whisker"))
    chart.lines.append(Line(x(q["p75"]), middle, x(q["p95"]), middle, "whisker"))
    chart.rects.append(
        Rect(
            x(q["p25"]),
            middle - 8,
            max(x(q["p75"]) - x(q["p25"]), 1),
            16,
            "box",
            f"p25 {value_text(metric.value['p25'])} to p75 {value_text(metric.value['p75'])}",
        )
    )
    chart.lines.append(Line(x(q["p50"]), middle - 8, x(q["p50"]), middle + 8, "median"))
    for name in ("p1", "p99"):
        if name in q:
            title = f"{name} {value_text(metric.value[name])}"
            chart.circles.append(Circle(x(q[name]), middle, 2.5, "point", title))
    chart.labels.append(Label(4, height - 2, f"p50 {value_text(metric.value['p50'], 30)}"))
    return chart


def length_strip(column: ColumnProfile) -> Chart | None:
    """Text lengths: a line from the shortest to the longest value, the mean marked."""
    found = [
        as_number(_metric_value(column, k)) for k in ("length_min", "length_mean", "length_max")
    ]
    shortest, mean, longest = found
    if shortest is None or mean is None or longest is None:
        return None
    height, middle = 34, 12
    x = LinearScale(shortest, longest, 6, WIDTH - 6)
    chart = Chart("lengths", WIDTH, height, f"Lengths of {column.column_name}")
    chart.lines.append(Line(x(shortest), middle, x(longest), middle, "whisker"))
    chart.circles.append(Circle(x(mean), middle, 4, "point", f"mean length {mean:.1f}"))
    chart.labels.append(Label(0, height - 2, f"{shortest:,.0f}"))
    chart.labels.append(Label(WIDTH / 2, height - 2, f"mean {mean:,.1f}", "middle"))
    chart.labels.append(Label(WIDTH, height - 2, f"{longest:,.0f}", "end"))
    return chart


def boolean_split(column: ColumnProfile) -> Chart | None:
    """True, false and null as one stacked bar."""
    true_count = _metric_value(column, "true_count")
    false_count = _metric_value(column, "false_count")
    if not isinstance(true_count, int) or not isinstance(false_count, int):
        return None
    parts = [("true", true_count), ("false", false_count), ("null", column.null_count or 0)]
    total = sum(count for _, count in parts)
    if total <= 0:
        return None
    height = 36
    chart = Chart("boolean", WIDTH, height, f"True and false in {column.column_name}")
    left = 0.0
    for name, count in parts:
        width = WIDTH * count / total
        if count:
            share = share_text(count / total)
            chart.rects.append(
                Rect(left, 0, width, 18, f"bar-{name}", f"{name}: {count:,} ({share})")
            )
            if width >= 60:  # a narrower part keeps its figure in the hover title only
                chart.labels.append(Label(left + 2, height - 2, f"{name} {share}"))
        left += width
    return chart


def _metric_value(column: ColumnProfile, name: str) -> Any:
    metric = column.metrics.get(name)
    return metric.value if metric is not None else None
