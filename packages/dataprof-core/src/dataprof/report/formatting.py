"""Figures as a reader sees them: short text for any value a profile holds.

A profile read back from a store holds JSON values (ISO strings for times,
strings for decimals); one just computed holds Python values. Both go through
:func:`value_text`, so a report reads the same whichever it was given. Nothing
here escapes HTML: the template engine does that for every value it prints.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dataprof.profiling.models import Metric, MetricSource

__all__ = [
    "SOURCE_LABELS",
    "count_text",
    "duration_text",
    "exactness_text",
    "share_text",
    "value_text",
]

SOURCE_LABELS: dict[MetricSource, str] = {
    MetricSource.FULL_SCAN: "full scan",
    MetricSource.SAMPLE: "sample",
    MetricSource.METADATA: "metadata",
    MetricSource.PUSHDOWN: "pushdown",
}

_ERROR_KINDS = {
    "relative": "relative error at most ±{:.2%}",
    "rank": "rank error at most ±{:.2%}",
    "count": "each count within ±{:,.0f}",
    "bound": "a bound, not a value",
}


def value_text(value: Any, width: int = 40) -> str:
    """A value on one line, cut to ``width`` characters with an ellipsis."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = _float_text(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, timedelta):
        text = str(value)
    elif isinstance(value, bytes):
        text = "0x" + value[:16].hex() + ("…" if len(value) > 16 else "")
    else:
        text = str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= width else text[: width - 1] + "…"


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1e4 <= abs(value) < 1e15:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def count_text(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def share_text(share: float | None) -> str:
    """A fraction (0-1) as a percentage that never rounds a nonzero share to 0% or 100%."""
    if share is None:
        return ""
    percent = 100 * share
    if 0 < percent < 0.1:
        return "<0.1%"
    if 99.9 < percent < 100:
        return ">99.9%"
    return f"{percent:.1f}%"


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s"


def exactness_text(metric: Metric) -> str:
    """What the badge's hover says: exact, or approximate with its error bound."""
    if metric.exact:
        return "exact"
    if metric.error_bound is None:
        return "approximate"
    template = _ERROR_KINDS.get(metric.error_kind or "", "error bound {:.4g}")
    return "approximate: " + template.format(metric.error_bound)
