"""What a numeric column keeps for its histogram and outliers once it is past the
exact-count budget: figures that are the same on every run and for any split.

Within the budget the column's exact value counts answer everything
(:class:`.ExactDistribution`). Past it, KLL still gives the quantiles and the
sketch stored for drift checks, but its compactions are random (the Python
bindings take no seed), so a histogram or an outlier count drawn from it changes
from run to run. This summary holds two deterministic, mergeable parts instead,
both updated with numpy per batch:

* a :class:`.DyadicGrid` of up to 2,048 fine bins, counted exactly: the histogram
  drawn on it is exact (its edges are grid points, within ~0.1% of the range of
  evenly spaced ones, and 0 is an edge when a column has both signs);
* :class:`.LogBuckets` (numbers only, not times): the outlier fences from its
  quantiles (each within 1% of a value at that rank) and the count past them as
  a range, from the buckets wholly past a fence (fewest) to those that straddle
  it as well (most).

A column starts its summary when it leaves the budget, from its exact counts
(weighted), so a column that stays within the budget pays nothing for it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.distribution import OUTLIER_MULTIPLIER
from dataprof.profiling.accumulators.dyadic_grid import DyadicGrid
from dataprof.profiling.accumulators.log_buckets import LogBuckets

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["DistributionSummary", "OutlierRange"]

OutlierRange = tuple[dict[str, Any], int]
"""The ``outlier_count`` figure and how far its ``count`` may be off either way."""


class DistributionSummary:
    """A fine exact grid for the histogram, log buckets for the outliers."""

    def __init__(self, integer: bool, outliers: bool) -> None:
        self.grid = DyadicGrid(integer)
        self.log: LogBuckets | None = LogBuckets() if outliers else None

    @property
    def total(self) -> int:
        return self.grid.total

    def update(
        self,
        grid_values: npt.NDArray[Any],
        float_values: npt.NDArray[Any],
        weights: npt.NDArray[Any] | None = None,
    ) -> None:
        """``grid_values``: integers (exact) or float64; ``float_values``: the same values
        as float64 (for the log buckets)."""
        self.grid.update(grid_values, weights)
        if self.log is not None:
            self.log.update(float_values, weights)

    def merge(self, other: DistributionSummary) -> None:
        self.grid.merge(other.grid)
        if self.log is not None and other.log is not None:
            self.log.merge(other.log)

    def histogram(self, targets: list[Any], zero_edge: bool) -> tuple[list[Any], list[int]]:
        return self.grid.histogram(targets, zero_edge)

    def outliers(
        self, minimum: float, maximum: float, multiplier: float = OUTLIER_MULTIPLIER
    ) -> OutlierRange | None:
        """The ``outlier_count`` figure at fences drawn from the log buckets' quantiles,
        or None without fences (no spread, or no log buckets)."""
        from dataprof.profiling.fences import outlier_fences

        if self.log is None:
            return None
        try:
            fences = outlier_fences(
                self.log.quantile_function(minimum, maximum), minimum, multiplier
            )
        except (ArithmeticError, ValueError):
            return None
        if fences is None:
            return None
        below, above = self.log.count_outside(fences.lower, fences.upper, minimum, maximum)
        least, most = below[0] + above[0], below[1] + above[1]
        count = (least + most) // 2
        figure = {
            "count": count,
            "count_min": least,
            "count_max": most,
            "below": (below[0] + below[1]) // 2,
            "above": (above[0] + above[1]) // 2,
            **asdict(fences),
        }
        return figure, most - count

    # -- pickling: plain values --------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "grid": self.grid.__getstate__(),
            "log": self.log.__getstate__() if self.log is not None else None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Refuses (ValueError) anything :meth:`__getstate__` could not have written,
        including parts that disagree on how many values they hold."""
        if not isinstance(state, dict) or set(state) != {"grid", "log"}:
            raise ValueError("distribution summary: not a summary's fields")
        self.grid = DyadicGrid.__new__(DyadicGrid)
        self.grid.__setstate__(state["grid"])
        self.log = None
        if state["log"] is not None:
            self.log = LogBuckets.__new__(LogBuckets)
            self.log.__setstate__(state["log"])
            if self.log.total != self.grid.total:
                raise ValueError("distribution summary: its parts count different values")
