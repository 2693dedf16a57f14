"""Outlier fences that respect skew: where "far out" begins for one numeric column.

Tukey's fences (``q1 - k*IQR``, ``q3 + k*IQR``) assume a symmetric bulk. Real
columns rarely have one: durations, amounts, gusts and altitudes have long right
tails, and plain fences call thousands of ordinary values outliers. Two
corrections, both from quantiles alone (so the engine, with exact counts, and the
anomaly rule, with a sketch, draw the same fences):

* **Scale.** A right-skewed column whose bulk is never negative is judged on a log
  scale (``log(x + shift)``; the shift is zero when every value is positive,
  else the first positive quartile), where a multiplicative tail becomes an
  ordinary one. A right-skewed column with negatives (delays) is judged on a
  signed log scale, ``asinh((x - median) / IQR)``: linear in the bulk,
  logarithmic in the tails.
* **Skew.** In that space, the fences are widened on the long side and narrowed
  on the short one after Hubert and Vandervieren's adjusted boxplot
  (``q3 + k * e^{3 MC} * IQR`` for right skew), with the octile skewness
  ``((p87.5 - p50) - (p50 - p12.5)) / (p87.5 - p12.5)`` standing in for the
  medcouple: the same idea (a quantile-based skewness in [-1, 1]) without a
  pass over every pair of values.

:attr:`Fences.distance` measures how far a value lies past a fence in IQRs of the
chosen scale, which is what an outlier's severity rests on: a value 30 IQRs past
the fence is a broken reading, one 0.2 IQRs past it is the tail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FENCE_RANKS", "Fences", "outlier_fences"]

FENCE_RANKS = (0.125, 0.25, 0.5, 0.75, 0.875)
"""The quantiles the fences are drawn from."""
_SKEWED = 0.2
"""Octile skewness above which a non-negative column is judged on a log scale."""
_MAX_SKEW = 0.6
"""Skewness beyond this widens fences no further (the adjusted boxplot's own range)."""


def _exp(value: float) -> float:
    """``e**value``, infinite past the float range (a fence beyond every value)."""
    return math.exp(value) if value < 709 else math.inf


def _sinh(value: float) -> float:
    """``sinh(value)``, infinite past the float range."""
    return math.sinh(value) if abs(value) < 709 else math.copysign(math.inf, value)


def _octile_skew(p125: float, p50: float, p875: float) -> float:
    spread = p875 - p125
    if not spread > 0:
        return 0.0
    return max(-1.0, min(1.0, ((p875 - p50) - (p50 - p125)) / spread))


@dataclass(frozen=True)
class Fences:
    """Values below ``lower`` or above ``upper`` are far out; ``scale`` says how they were drawn."""

    lower: float
    upper: float
    scale: str
    """``linear``, ``log`` or ``asinh``."""
    shift: float
    """Added before the log (``log(x + shift)``); the centre of ``asinh((x - shift) / unit)``;
    0 on the linear scale."""
    iqr: float
    """The interquartile range on ``scale``: the unit of :meth:`distance`."""
    skew: float
    multiplier: float
    unit: float = 1.0
    """The raw IQR on the ``log`` and ``asinh`` scales (the divisor inside ``asinh``, the
    unit of distance below a log scale's reach); 1 on the linear one."""

    def _to_scale(self, value: float) -> float:
        if self.scale == "linear":
            return value
        if self.scale == "asinh":
            return math.asinh((value - self.shift) / self.unit)
        return math.log(value + self.shift) if value + self.shift > 0 else -math.inf

    def distance(self, value: float) -> float:
        """How many IQRs (on the fences' scale) ``value`` lies past the nearer fence; 0 inside."""
        if self.lower <= value <= self.upper:
            return 0.0
        fence = self.lower if value < self.lower else self.upper
        if self.scale == "log" and value + self.shift <= 0:
            # below the log scale's reach (a negative sentinel in a positive column):
            # measured in IQRs of the values themselves
            return abs(fence - value) / self.unit if self.unit > 0 else math.inf
        gap = abs(self._to_scale(value) - self._to_scale(fence))
        return gap / self.iqr if self.iqr > 0 else math.inf

    def describe(self) -> str:
        shown = f"[{self.lower:g}, {self.upper:g}]"
        how = f"IQR x {self.multiplier:g}"
        if self.scale == "log":
            how += " on a log scale"
        elif self.scale == "asinh":
            how += " on a signed log scale"
        if abs(self.skew) >= 0.05:
            how += f", widened for skew {self.skew:+.2f}"
        return f"{shown} ({how})"


def outlier_fences(
    quantile: Callable[[float], float], minimum: float, multiplier: float = 3.0
) -> Fences | None:
    """The fences of a column whose quantiles ``quantile(rank)`` gives, or None when its
    bulk has no spread (an IQR of zero: every value past the quartiles would be "out")."""
    p125, q1, median, q3, p875 = (float(quantile(rank)) for rank in FENCE_RANKS)
    if not all(math.isfinite(v) for v in (p125, q1, median, q3, p875, minimum)):
        return None
    scale, shift, unit = "linear", 0.0, 1.0
    raw_iqr = q3 - q1
    # The bulk decides the scale, not the minimum: one sentinel (-999) must not turn a
    # positive heavy tail back to a linear scale, where it would be the tail flagged.
    if p125 >= 0 and _octile_skew(p125, median, p875) > _SKEWED:
        # zeros (a tip not given) need a shift: the first quartile, or the median when
        # a quarter of the values are zero
        shift = 0.0 if minimum > 0 else next((v for v in (q1, median, q3) if v > 0), 0.0)
        if minimum > 0 or shift > 0:
            scale = "log"
            unit = raw_iqr
    if scale == "linear" and _octile_skew(p125, median, p875) > _SKEWED and q3 > q1:
        # Right-skewed with negatives (delays, balances): a signed log around the median,
        # in units of the IQR: linear in the bulk, logarithmic in the tails.
        scale, shift, unit = "asinh", median, q3 - q1
    if scale == "log":
        p125, q1, median, q3, p875 = (math.log(v + shift) for v in (p125, q1, median, q3, p875))
    elif scale == "asinh":
        p125, q1, median, q3, p875 = (
            math.asinh((v - shift) / unit) for v in (p125, q1, median, q3, p875)
        )
    iqr = q3 - q1
    if not iqr > 0:
        return None
    skew = max(-_MAX_SKEW, min(_MAX_SKEW, _octile_skew(p125, median, p875)))
    if skew >= 0:
        low_reach, high_reach = math.exp(-4 * skew), math.exp(3 * skew)
    else:
        low_reach, high_reach = math.exp(-3 * skew), math.exp(4 * skew)
    lower = q1 - multiplier * low_reach * iqr
    upper = q3 + multiplier * high_reach * iqr
    if scale == "log":
        # Near zero a log scale stretches ordinary small values (a 0.001 s duration) far
        # below the bulk; the low fence is the linear one's where that is lower.
        raw_q1, raw_q3 = _exp(q1) - shift, _exp(q3) - shift
        linear_lower = raw_q1 - multiplier * (raw_q3 - raw_q1)
        lower, upper = min(_exp(lower) - shift, linear_lower), _exp(upper) - shift
    elif scale == "asinh":
        lower, upper = shift + unit * _sinh(lower), shift + unit * _sinh(upper)
    return Fences(
        lower=lower,
        upper=upper,
        scale=scale,
        shift=shift,
        iqr=iqr,
        skew=skew,
        multiplier=multiplier,
        unit=unit,
    )
