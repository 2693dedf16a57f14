"""The numeric accumulator's finalize-time figures: spread, quantiles, histogram, outliers.

What a finished column shows beside its exact sums and counts. Each figure comes
from the best source the column still has: the exact value counts while it kept
them, else the distribution summary (histogram, outlier count, exact on its grid's
edges) and the KLL sketch (quantiles within its rank error), and is labelled with
how exact it is. Variance and standard deviation come from the scaled moments (see
:mod:`.exact_sums`), exact for small integers. A failure in the sketch-derived
figures leaves them missing with the reason, never the exact figures beside them.
"""

from __future__ import annotations

import math
from decimal import localcontext
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import HISTOGRAM_BINS, QUANTILES, _MetricSet
from dataprof.profiling.accumulators.distribution import ExactDistribution, outlier_figure
from dataprof.profiling.accumulators.distribution_summary import DistributionSummary
from dataprof.profiling.accumulators.exact_sums import DECIMAL_PRECISION
from dataprof.profiling.fences import FENCE_RANKS
from dataprof.profiling.sketches import KllSketch, encode_sketch
from dataprof.profiling.types import (
    Kind,
    decimal_from_float,
    render_values,
    storage_type,
    unit_seconds,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.profiling.value_counter import ValueCounter

_FLOAT64_DIGITS = 15  # decimal digits that survive a round trip through float64
_FLOAT64_RELATIVE = 2.0**-53


class _NumericFiguresMixin:
    """Spread, quantiles, histogram and outliers of a numeric or temporal column."""

    name: str
    kind: Kind
    inferred: str
    valid: int
    min: Any
    max: Any
    total: Any
    sq_total: int | None
    m2: float
    m2_exp: int
    kll: KllSketch
    counter: ValueCounter
    summary: DistributionSummary | None

    if TYPE_CHECKING:

        @property
        def data_type(self) -> pa.DataType: ...

    def _guarded_distribution(
        self, metrics: _MetricSet, flat: dict[str, Any], sketches: dict[str, str]
    ) -> None:
        """Quantiles and histogram, which come from the sketch: if they fail, only they
        are missing (labelled why), never the exact figures beside them."""
        try:
            self._finalize_distribution(metrics, flat, sketches)
        except Exception as exc:
            reason = f"failed: {type(exc).__name__}: {exc}"
            for name in ("median", "quantiles", "histogram"):
                metrics.add(name, None, exact=False, kind=reason)
            flat.pop("median_value", None)

    def _finalize_distribution(
        self, metrics: _MetricSet, flat: dict[str, Any], sketches: dict[str, str]
    ) -> str | None:
        """Quantiles, median and histogram: exact from the value counts while the column
        kept them, else from the KLL sketch with its rank error."""
        sketches[f"{self.name}/kll"] = encode_sketch(bytes(self.kll.sketch.serialize()))
        if self.counter.table is not None:
            keys, counts = self.counter.table.arrays()
            exact_values = ExactDistribution(keys, counts)
            ranks = list(QUANTILES.values())
            quantiles = {
                name: self._render_one(v)
                for name, v in zip(QUANTILES, exact_values.quantiles(ranks), strict=True)
            }
            flat["median_value"] = metrics.add("median", quantiles["p50"])
            metrics.add("quantiles", quantiles)
            metrics.add("histogram", self._histogram(exact_values))
            if self.kind is not Kind.TEMPORAL:
                at = dict(zip(FENCE_RANKS, exact_values.quantiles(list(FENCE_RANKS)), strict=True))
                figure = outlier_figure(
                    lambda rank: float(at[rank]), float(self.min), exact_values.count_outside
                )
                if figure is not None:
                    metrics.add("outlier_count", figure)
            return self.inferred
        kll = self.kll
        # The sketch holds float64s: values beyond 2**53 (ns timestamps, wide decimals)
        # come back rounded even when the sketch kept every value.
        fits = self._fits_float64()
        exact = kll.exact and fits
        bound, kind_name = (
            (kll.rank_error, "rank") if not kll.exact else (_FLOAT64_RELATIVE, "float64")
        )
        ranks = list(QUANTILES.values())
        values = kll.sketch.get_quantiles(ranks, True)
        quantiles = {name: self._from_float(v) for name, v in zip(QUANTILES, values, strict=True)}
        flat["median_value"] = metrics.add(
            "median", quantiles["p50"], exact=exact, bound=bound, kind=kind_name
        )
        metrics.add("quantiles", quantiles, exact=exact, bound=bound, kind=kind_name)
        summary = self.summary
        if summary is None:  # not reached: a column past the budget has its summary
            metrics.add(
                "histogram",
                self._histogram(None),
                exact=kll.exact,
                bound=kll.pmf_rank_error,
                kind="rank",
            )
            if self.kind is not Kind.TEMPORAL:
                self._sketched_outliers(metrics)
            return self.inferred
        # Exact counts on the fine grid's edges; a decimal too precise for float64 was
        # binned by its float64 rounding.
        fits = self.kind is not Kind.DECIMAL or self._fits_float64()
        metrics.add(
            "histogram",
            self._histogram(None, summary),
            exact=fits,
            bound=_FLOAT64_RELATIVE,
            kind="float64",
        )
        ranged = summary.outliers(float(self.min), float(self.max))
        if ranged is not None:
            figure, spread = ranged
            metrics.add(
                "outlier_count",
                figure,
                exact=spread == 0 and fits,
                bound=max(spread, 1),
                kind="count",
            )
        return self.inferred

    def _sketched_outliers(self, metrics: _MetricSet) -> None:
        """Outliers from the KLL sketch alone (a state without a distribution summary):
        fences from its quantiles, the count from its ranks, within its rank error."""
        sketch = self.kll.sketch
        n = self.valid

        def outside(lower: float, upper: float) -> tuple[int, int]:
            below = max(float(sketch.get_rank(lower, False)), 0.0)
            above = max(1.0 - float(sketch.get_rank(upper, True)), 0.0)
            return round(below * n), round(above * n)

        figure = outlier_figure(
            lambda rank: float(sketch.get_quantile(rank)), float(self.min), outside
        )
        if figure is not None:
            error = 2 * self.kll.rank_error * n
            metrics.add(
                "outlier_count", figure, exact=self.kll.exact, bound=math.ceil(error), kind="count"
            )

    def _finalize_spread(self, metrics: _MetricSet, flat: dict[str, Any]) -> None:
        """Variance and standard deviation: exact for small integers (exact sums of
        squares), otherwise float64 computations labelled with their rounding bound."""
        if self.valid < 2:
            flat["std_dev"] = metrics.add("std_dev", None)
            metrics.add("variance", None)
            return
        n = self.valid
        exact = self.sq_total is not None and self.kind is Kind.INTEGER
        variance: float | None
        std: float | None
        if exact:
            assert self.sq_total is not None
            variance = (n * self.sq_total - self.total * self.total) / (n * (n - 1))
            std = math.sqrt(variance)
        else:
            scaled = max(self.m2, 0.0) / (n - 1)
            variance = _ldexp_or_none(scaled, 2 * self.m2_exp)
            std = _ldexp_or_none(math.sqrt(scaled), self.m2_exp)
        bound = min(1.0, (n + 2) * _FLOAT64_RELATIVE)
        if variance is None:
            metrics.add("variance", None, exact=False, kind="overflow: beyond float64")
        else:
            metrics.add("variance", variance, exact=exact, bound=bound, kind="float64")
        if std is None:
            flat["std_dev"] = metrics.add(
                "std_dev", None, exact=False, kind="overflow: beyond float64"
            )
            return
        if self.kind is Kind.TEMPORAL:
            seconds = std * unit_seconds(storage_type(self.data_type))
            metrics.add("std_dev_seconds", seconds, exact=False, bound=bound, kind="float64")
            std = seconds
        flat["std_dev"] = metrics.add("std_dev", std, exact=False, bound=bound, kind="float64")

    def _clamped(self, value: int) -> int:
        """An integer-domain figure derived through float64, held within the exact min/max
        (a float64 rounding of 9999-12-31 23:59:59.999999 lands in year 10000)."""
        return min(max(value, int(self.min)), int(self.max))

    def _fits_float64(self) -> bool:
        if self.kind is Kind.FLOAT:
            return True
        if self.kind is Kind.DECIMAL:
            return int(storage_type(self.data_type).precision) <= _FLOAT64_DIGITS
        return max(abs(int(self.min)), abs(int(self.max))) <= 2**53

    def _render_one(self, value: Any) -> Any:
        if self.kind is Kind.TEMPORAL:
            return render_values([value], self.data_type, self.kind)[0]
        return value

    def _from_float(self, value: float) -> Any:
        """A KLL quantile (a float64 of one of the values seen) in the column's terms."""
        if self.kind is Kind.FLOAT:
            return value
        if self.kind is Kind.DECIMAL:
            with localcontext() as dc:
                dc.prec = DECIMAL_PRECISION
                return decimal_from_float(value, storage_type(self.data_type))
        as_int = self._clamped(int(value))
        return self._render_one(as_int) if self.kind is Kind.TEMPORAL else as_int

    def _histogram(
        self, exact_values: ExactDistribution | None, summary: DistributionSummary | None = None
    ) -> dict[str, Any]:
        """Equal-width bins from min to max, counted exactly from the value counts when the
        column kept them, else from the distribution summary's fine grid, exact on edges
        drawn on that grid (left-closed bins, the last one closed on both sides, as
        numpy.histogram).

        Edges are always strictly increasing, whatever the range: integer-domain edges
        are computed in exact integers, float edges without forming ``max - min`` (which
        overflows for +-1.7e308), and edges that coincide as float64 (a range of a few
        ulps, timestamps 1 us apart as float) merge their bins, down to one bin."""
        import numpy as np

        if self.kind is Kind.TEMPORAL:
            low, high = int(self.min), int(self.max)
            raw: list[Any] = [
                low + (high - low) * i // HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)
            ]
        else:
            low_f, high_f = float(self.min), float(self.max)
            if math.isfinite(high_f - low_f):
                raw = np.linspace(low_f, high_f, HISTOGRAM_BINS + 1).tolist()
            else:  # +-1.7e308: the width overflows, a weighted mean of the ends does not
                raw = [
                    low_f * (1 - i / HISTOGRAM_BINS) + high_f * (i / HISTOGRAM_BINS)
                    for i in range(HISTOGRAM_BINS + 1)
                ]
            raw[0], raw[-1] = low_f, high_f
        if summary is not None and float(raw[-1]) > float(raw[0]):
            edges, counts = summary.histogram(raw, zero_edge=self.kind is not Kind.TEMPORAL)
            if self.kind is Kind.TEMPORAL:
                return {"edges": render_values(edges, self.data_type, self.kind), "counts": counts}
            return _strictly_increasing([float(e) for e in edges], counts)
        edges = [raw[0]]
        for edge in raw[1:-1]:
            if float(edges[-1]) < float(edge) < float(raw[-1]):
                edges.append(edge)
        if float(raw[-1]) > float(edges[0]):
            edges.append(raw[-1])
        if len(edges) < 2:
            edges = [raw[0], raw[-1]]
            counts = [self.valid]
        elif exact_values is not None:
            counts = exact_values.histogram([float(e) for e in edges])
        else:
            pmf = self.kll.sketch.get_pmf([float(e) for e in edges[1:-1]], False)
            counts = [round(p * self.valid) for p in pmf]
            counts[0], counts[-1] = max(counts[0], 1), max(counts[-1], 1)
        if self.kind is Kind.TEMPORAL:
            shown = render_values(edges, self.data_type, self.kind)
        else:
            shown = list(edges)
        return {"edges": shown, "counts": counts}


def _strictly_increasing(edges: list[float], counts: list[int]) -> dict[str, Any]:
    """Bins whose float64 edges coincide (integers beyond 2**53) merged into one."""
    kept_edges, kept_counts = [edges[0]], [counts[0]]
    for edge, count in zip(edges[1:-1], counts[1:], strict=True):
        if edge > kept_edges[-1] and edge < edges[-1]:
            kept_edges.append(edge)
            kept_counts.append(count)
        else:
            kept_counts[-1] += count
    kept_edges.append(edges[-1])
    if kept_edges[-1] <= kept_edges[0]:
        return {"edges": [edges[0], edges[-1]], "counts": [sum(counts)]}
    return {"edges": kept_edges, "counts": kept_counts}


def _ldexp_or_none(value: float, exp: int) -> float | None:
    """``value * 2**exp``, or None where float64 cannot hold it."""
    try:
        result = math.ldexp(value, exp)
    except OverflowError:
        return None
    return None if math.isinf(result) else result
