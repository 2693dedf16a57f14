"""The drawing model of every chart: shapes with their geometry already computed.

Chart builders (:mod:`dataprof.report.distribution_charts`,
:mod:`dataprof.report.trend_charts`) turn stored metrics into a :class:`Chart`;
one template macro (``charts.html.j2``) draws any chart as inline SVG. Keeping
the geometry here, as plain data, means the builders are tested without a
browser and the template holds no arithmetic. Text in shapes is plain text: the
template engine escapes it like any other value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Chart", "Circle", "Label", "Line", "LinearScale", "Polyline", "Rect", "as_number"]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css_class: str = "bar"
    title: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css_class: str = "rule"


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    css_class: str = "trend"

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    css_class: str = "point"
    title: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css_class: str = "label"


@dataclass
class Chart:
    """One SVG: a kind (its CSS class), a size, an accessible title and shapes."""

    kind: str
    width: int
    height: int
    title: str
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polylines: list[Polyline] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class LinearScale:
    """Maps a domain of numbers onto a pixel range; a zero-width domain maps to its middle."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.start + self.end) / 2
        share = (value - self.low) / (self.high - self.low)
        return self.start + min(max(share, 0.0), 1.0) * (self.end - self.start)


def as_number(value: object) -> float | None:
    """A value on a number line: numbers, decimals, dates and times (as seconds), and
    their JSON forms (ISO strings, decimal strings) from a stored profile."""
    from datetime import date, datetime, time
    from decimal import Decimal, InvalidOperation

    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int | float, Decimal)):
        number = float(value)
    elif isinstance(value, datetime):
        number = value.timestamp() if value.tzinfo else value.replace(tzinfo=None).timestamp()
    elif isinstance(value, date):
        number = float(value.toordinal() * 86_400)
    elif isinstance(value, time):
        number = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    elif isinstance(value, str):
        try:
            number = float(Decimal(value))
        except (InvalidOperation, ValueError):
            try:
                parsed: object = datetime.fromisoformat(value)
            except ValueError:
                try:
                    parsed = time.fromisoformat(value)
                except ValueError:
                    return None
            return as_number(parsed)
    else:
        return None
    return number if math.isfinite(number) else None
