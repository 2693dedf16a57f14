"""Quantiles and histograms of a numeric column: exact from its value counts when the
column kept them (:mod:`dataprof.profiling.value_counter`), else from its KLL sketch
(quantiles) and its :mod:`.distribution_summary` (histogram, outlier count).

Both follow numpy: quantiles by the inverted-CDF definition (the smallest value
whose cumulative share reaches the rank), histograms in equal-width bins from min
to max, left-closed, the last one closed on both sides.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = ["OUTLIER_MULTIPLIER", "ExactDistribution", "outlier_figure"]

OUTLIER_MULTIPLIER = 3.0
"""The fences the engine counts at: the outlier rule's default ("far out", IQR x 3)."""


class ExactDistribution:
    """A column's distinct values in order with their counts."""

    def __init__(self, keys: pa.Array, counts: npt.NDArray[Any]) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        order = pc.sort_indices(keys)
        self.keys = keys.take(order)
        self.counts = counts[order.to_numpy()]
        self.cumulative = np.cumsum(self.counts)
        self.total = int(self.cumulative[-1]) if len(self.cumulative) else 0
        self.as_float = pc.cast(self.keys, pa.float64(), safe=False).to_numpy(zero_copy_only=False)

    def quantiles(self, ranks: list[float]) -> list[Any]:
        """The inverted-CDF quantile at each rank, as the keys' Python values."""
        import numpy as np
        import pyarrow as pa

        targets = [max(math.ceil(rank * self.total - 1e-9), 1) for rank in ranks]
        index = np.searchsorted(self.cumulative, targets, side="left")
        index = np.minimum(index, len(self.counts) - 1)
        values: list[Any] = self.keys.take(pa.array(index)).to_pylist()
        return values

    def histogram(self, edges: list[float]) -> list[int]:
        import numpy as np

        if len(edges) == 2 and edges[0] == edges[1]:
            return [self.total]
        counts, _ = np.histogram(self.as_float, bins=edges, weights=self.counts)
        return [int(c) for c in counts]

    def count_outside(self, lower: float, upper: float) -> tuple[int, int]:
        """Values strictly below ``lower`` and strictly above ``upper``."""
        below = int(self.counts[self.as_float < lower].sum())
        above = int(self.counts[self.as_float > upper].sum())
        return below, above


def outlier_figure(
    quantile: Any, minimum: float, count_outside: Any, multiplier: float = OUTLIER_MULTIPLIER
) -> dict[str, Any] | None:
    """The ``outlier_count`` metric's value: the skew-aware fences drawn from
    ``quantile(rank)`` and ``count_outside(lower, upper) -> (below, above)``; None when
    the bulk has no spread (no fences)."""
    from dataclasses import asdict

    from dataprof.profiling.fences import outlier_fences

    try:
        fences = outlier_fences(quantile, minimum, multiplier)
    except (ArithmeticError, ValueError):  # extreme ranges overflow the log-scale fences
        return None
    if fences is None:
        return None
    below, above = count_outside(fences.lower, fences.upper)
    return {"count": below + above, "below": below, "above": above, **asdict(fences)}
