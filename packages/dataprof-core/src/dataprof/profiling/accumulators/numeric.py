"""Integers, floats, decimals and everything temporal (as integer epoch units)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import (
    HISTOGRAM_BINS,
    QUANTILES,
    ColumnAccumulator,
    FinalizeContext,
    _MetricSet,
)
from dataprof.profiling.accumulators.counting import _CountingMixin, _sorted_counts
from dataprof.profiling.accumulators.distribution import ExactDistribution, outlier_figure
from dataprof.profiling.accumulators.distribution_summary import DistributionSummary
from dataprof.profiling.accumulators.exact_sums import (
    chan_merge,
    exact_decimal_unscaled_sum,
    exact_float_units_sum,
    exact_square_sum,
    float_of_units,
    scaled_m2,
)
from dataprof.profiling.accumulators.exact_sums import exact_int_sum as _exact_int_sum
from dataprof.profiling.fences import FENCE_RANKS
from dataprof.profiling.sketches import KllSketch, encode_sketch
from dataprof.profiling.types import (
    Kind,
    decimal_from_float,
    render_values,
    storage_type,
    unit_seconds,
)
from dataprof.profiling.value_counter import ValueCounter

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

    from dataprof.profiling.exact_counts import ExactCounts

_DECIMAL_PRECISION = 120  # enough for any sum of decimal256 values
_FLOAT64_DIGITS = 15  # decimal digits that survive a round trip through float64
_FLOAT64_RELATIVE = 2.0**-53
_INT64_DIGITS = 18  # decimal digits whose unscaled integer always fits an int64


def _unscaled_low_words(arr: pa.Array) -> npt.NDArray[Any]:
    """The low 64 bits of each decimal's unscaled integer, straight from the buffer: the
    whole integer when the precision is at most 18 digits."""
    import numpy as np

    width = arr.type.byte_width // 8
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    return words.reshape(-1, width)[arr.offset : arr.offset + len(arr), 0]


class NumericAccumulator(_CountingMixin, ColumnAccumulator):
    """Integers, floats, decimals and everything temporal (as integer epoch units)."""

    def __init__(self, name: str, data_type: pa.DataType, declared: str, kind: Kind) -> None:
        super().__init__(name, data_type, declared)
        self.kind = kind
        self.inferred = _NUMERIC_NAMES.get(kind, kind.value)
        self.valid = 0
        self.nan = 0
        self.pos_inf = 0
        self.neg_inf = 0
        self.zeros = 0
        self.negatives = 0
        self.min: Any = None
        self.max: Any = None
        # Exact for any split (see exact_sums): floats in units of 2**-1126.
        self.total: Any = Decimal(0) if kind is Kind.DECIMAL else 0
        self.sq_total: int | None = 0 if kind is Kind.INTEGER else None
        self.mean = 0.0
        self.m2 = 0.0
        self.m2_exp = 0
        """The sum of squared deviations is ``m2 * 4**m2_exp`` (no overflow near 1e308)."""
        self.kll = KllSketch()
        self.counter = ValueCounter(self._domain_type())
        self.summary: DistributionSummary | None = None
        """Histogram and outliers past the exact-count budget (None within it)."""
        if kind is Kind.TEMPORAL:
            self.inferred = _temporal_name(storage_type(data_type))

    # -- the domain: what the counter's keys are -------------------------------------
    def _domain_type(self) -> pa.DataType:
        import pyarrow as pa

        t = storage_type(self.data_type)
        if self.kind is Kind.FLOAT:
            return pa.float64()
        if self.kind is Kind.TEMPORAL:
            return pa.int64()
        if self.kind is Kind.DECIMAL and t.byte_width < 16:
            return pa.decimal128(t.precision, t.scale)  # decimal32/64: few kernels take them
        return t

    def _render_keys(self, keys: pa.Array) -> list[str]:
        import pyarrow as pa

        rendered: list[str] = keys.cast(pa.string()).to_pylist()
        return rendered

    def _hll_keys(self, keys: pa.Array) -> Any:
        """What the HLL sketch hashes, as 64-bit hashes computed by numpy for a whole
        array (:mod:`dataprof.profiling.register_hll`): the float's bits (-0.0 as 0.0),
        the integer's (unsigned as its int64 bits), a narrow decimal's unscaled
        integer; a wide decimal's text goes to DataSketches' HLL one value at a time."""
        import numpy as np

        from dataprof.profiling.register_hll import hash_words

        if self.kind is Kind.DECIMAL:
            if self._decimal_fits_int64():
                return hash_words(_unscaled_low_words(keys).astype(np.int64))
            return self._render_keys(keys)
        x = keys.to_numpy(zero_copy_only=False)
        if self.kind is Kind.FLOAT:
            return hash_words(x.astype(np.float64) + 0.0)
        if x.dtype == np.uint64:
            return hash_words(x)
        return hash_words(x.astype(np.int64, copy=False))

    def _value_from_sketch(self, text: str) -> Any:
        if self.kind is Kind.FLOAT:
            return float(text)
        if self.kind is Kind.DECIMAL:
            return Decimal(text)
        return int(text)

    def _profile_value(self, key: Any) -> Any:
        if self.kind is Kind.TEMPORAL:
            return render_values([key], self.data_type, self.kind)[0]
        return key

    # -- a batch ---------------------------------------------------------------------
    def _update(self, arr: pa.Array) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if arr.null_count:
            arr = pc.drop_null(arr)
        kind = self.kind
        if kind is Kind.INTEGER:
            x = arr.to_numpy(zero_copy_only=False)
            domain = arr
            batch_min: Any = int(x.min())
            batch_max: Any = int(x.max())
            batch_total: Any = _exact_int_sum(x)
            batch_squares = exact_square_sum(x)
            xf = x.astype(np.float64)
        elif kind is Kind.TEMPORAL:
            width = pa.int32() if storage_type(arr.type).bit_width == 32 else pa.int64()
            ints = arr.view(width)
            x = ints.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
            domain = pa.array(x, pa.int64())
            batch_min, batch_max = int(x.min()), int(x.max())
            batch_total = _exact_int_sum(x)
            xf = x.astype(np.float64)
        elif kind is Kind.FLOAT:
            raw = arr.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
            finite = np.isfinite(raw)
            if not finite.all():
                nan = np.isnan(raw)
                self.nan += int(nan.sum())
                self.pos_inf += int((raw == np.inf).sum())
                self.neg_inf += int((raw == -np.inf).sum())
                raw = raw[finite]
            if not len(raw):
                return
            xf = raw + 0.0  # -0.0 and 0.0 are one value
            x = xf
            domain = pa.array(xf, pa.float64())
            batch_min, batch_max = float(xf.min()), float(xf.max())
            batch_total = exact_float_units_sum(xf)
        else:  # DECIMAL
            if arr.type.byte_width < 16:
                arr = arr.cast(self._domain_type())
            domain = arr
            x = _unscaled_low_words(arr)
            bounds = pc.min_max(arr)
            batch_min, batch_max = bounds["min"].as_py(), bounds["max"].as_py()
            # Arrow's decimal sum keeps the input precision and wraps; this cannot.
            with localcontext() as dc:
                dc.prec = _DECIMAL_PRECISION
                scale = int(storage_type(arr.type).scale)
                batch_total = Decimal(exact_decimal_unscaled_sum(arr)).scaleb(-scale)
            xf = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
            if not xf.flags.writeable:  # the sketch's bindings refuse read-only arrays
                xf = xf.copy()

        n = len(xf)
        self.valid += n
        if self.min is None or batch_min < self.min:
            self.min = batch_min
        if self.max is None or batch_max > self.max:
            self.max = batch_max
        if kind is Kind.DECIMAL:
            with localcontext() as dc:
                dc.prec = _DECIMAL_PRECISION
                self.total = self.total + batch_total
        else:
            self.total += batch_total
        if kind is Kind.INTEGER:
            self.sq_total = _add_or_none(self.sq_total, batch_squares)
        self.zeros += int(np.count_nonzero(xf == 0))
        self.negatives += int(np.count_nonzero(xf < 0))
        batch_mean = self._mean_of(batch_total, n)
        batch_m2, batch_exp = scaled_m2(xf, batch_mean)
        self._combine_moments(n, batch_mean, batch_m2, batch_exp)
        self.kll.update(xf)

        table = self.counter.table
        if kind is Kind.DECIMAL and not self._decimal_fits_int64():
            self._count_hashed(domain)
        else:
            self._count_sorted(domain, x)
        if self.counter.table is None:
            self._summarize_batch(table, xf if kind in (Kind.FLOAT, Kind.DECIMAL) else x, xf)

    # -- past the budget: the deterministic distribution summary ----------------------
    def _new_summary(self) -> DistributionSummary:
        integer = self.kind in (Kind.INTEGER, Kind.TEMPORAL)
        return DistributionSummary(integer, outliers=self.kind is not Kind.TEMPORAL)

    def _summary_of(self, table: ExactCounts) -> DistributionSummary:
        """A summary of the values an exact table held (the moment the column left the
        budget), built from its distinct values, weighted by their counts."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        summary = self._new_summary()
        # Part by part as the table waits (a sum of counts: folding first changes nothing
        # but the time a sort of millions of keys takes).
        for keys, counts in table.unfolded():
            if not len(keys):
                continue
            as_float = pc.cast(keys, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            grid_values = (
                as_float
                if self.kind in (Kind.FLOAT, Kind.DECIMAL)
                else keys.to_numpy(zero_copy_only=False)
            )
            summary.update(grid_values, as_float, counts.astype(np.float64))
        return summary

    def _summarize_batch(
        self, table: ExactCounts | None, grid_values: npt.NDArray[Any], floats: npt.NDArray[Any]
    ) -> None:
        """Past the budget, add a batch to the summary; if the column left the budget
        with this batch, start the summary from the table it left (which may already
        hold the batch). A failure loses the summary only (the histogram and outliers
        then come from KLL, labelled so), never the column."""
        try:
            if table is not None:
                self.summary = self._summary_of(table)
                if self.summary.total == self.valid:
                    return
            if self.summary is not None:
                self.summary.update(grid_values, floats)
        except Exception:
            self.summary = None

    def _settle_counter(self) -> None:
        """Fold the counter's pending values; if that leaves the budget, summarize."""
        table = self.counter.table
        self.counter.settle(self._render_keys, self._hll_keys)
        if table is not None and self.counter.table is None:
            try:
                self.summary = self._summary_of(table)
            except Exception:
                self.summary = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        summary = self.__dict__.get("summary")
        if summary is None or self.failure is not None:
            return
        if (
            not isinstance(summary, DistributionSummary)
            or summary.total != self.valid
            or summary.grid.integer != (self.kind in (Kind.INTEGER, Kind.TEMPORAL))
            or (summary.log is None) != (self.kind is Kind.TEMPORAL)
            or self.counter.table is not None
        ):
            raise ValueError(f"column {self.name!r}: its distribution summary does not fit")

    def _count_sorted(self, domain: pa.Array, x: npt.NDArray[Any]) -> None:
        """Count a batch of numbers through a numpy sort of their integer or float form
        (sorting beats Arrow's hash table on numbers)."""
        uniques, weights = _sorted_counts(x)
        self.counter.add(self._domain_values(uniques), weights, self._render_keys, self._hll_keys)

    def _domain_values(self, numbers: npt.NDArray[Any]) -> pa.Array:
        """Counter keys as an Arrow array of the domain type, from their numpy form
        (decimals from their unscaled integers, built straight into the buffer)."""
        import numpy as np
        import pyarrow as pa

        domain_type = self._domain_type()
        if self.kind is not Kind.DECIMAL:
            return pa.array(numbers, domain_type)
        width = domain_type.byte_width // 8
        words = np.empty((len(numbers), width), dtype=np.int64)
        words[:, 0] = numbers
        words[:, 1:] = (numbers >> 63)[:, None]
        return pa.Array.from_buffers(
            domain_type, len(numbers), [None, pa.py_buffer(words.tobytes())]
        )

    def _decimal_fits_int64(self) -> bool:
        return int(storage_type(self.data_type).precision) <= _INT64_DIGITS

    def _combine_moments(self, n: int, mean: float, m2: float, exp: int) -> None:
        """Chan et al.'s parallel update, scaled; ``self.valid`` and ``self.total``
        already include the part (so the mean is the exact one, not a running one)."""
        before = self.valid - n
        self.m2, self.m2_exp = chan_merge(
            (before, self.mean, self.m2, self.m2_exp), (n, mean, m2, exp)
        )
        self.mean = self._mean_of(self.total, self.valid)

    def _mean_of(self, total: Any, count: int) -> float:
        """The correctly rounded mean of an exact total (never beyond float64: a mean
        lies between the values)."""
        if self.kind is Kind.FLOAT:
            mean = float_of_units(total, count)
            return mean if mean is not None else math.nan
        if self.kind is Kind.DECIMAL:
            with localcontext() as dc:
                dc.prec = _DECIMAL_PRECISION
                return float(total / count)
        return float(total / count)  # int / int rounds correctly

    def _merge(self, other: NumericAccumulator) -> None:
        self.nan += other.nan
        self.pos_inf += other.pos_inf
        self.neg_inf += other.neg_inf
        self.zeros += other.zeros
        self.negatives += other.negatives
        if other.valid:
            if self.min is None or other.min < self.min:
                self.min = other.min
            if self.max is None or other.max > self.max:
                self.max = other.max
            if self.kind is Kind.DECIMAL:
                with localcontext() as dc:
                    dc.prec = _DECIMAL_PRECISION
                    self.total = self.total + other.total
            else:
                self.total += other.total
            self.sq_total = _add_or_none(self.sq_total, other.sq_total)
            self.valid += other.valid
            self._combine_moments(other.valid, other.mean, other.m2, other.m2_exp)
        self.kll.merge(other.kll)
        mine, theirs = self.counter.table, other.counter.table
        self.counter.merge(other.counter, self._render_keys, self._hll_keys)
        if self.counter.table is not None:
            return
        # A table that left the budget in this merge is summarized; mine holds theirs
        # too when both were exact. A side whose summary was lost loses the merged one.
        try:
            summary = self._summary_of(mine) if mine is not None else self.summary
            if theirs is None:
                addition = other.summary
            else:
                addition = self._summary_of(theirs) if mine is None else self._new_summary()
            if summary is not None and addition is not None:
                summary.merge(addition)
                self.summary = summary
            else:
                self.summary = None
        except Exception:
            self.summary = None

    # -- the profile -----------------------------------------------------------------
    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        kind = self.kind
        temporal = kind is Kind.TEMPORAL
        self._settle_counter()
        metrics.add("valid_count", self.valid)
        if kind is Kind.FLOAT:
            metrics.add("nan_count", self.nan)
            metrics.add("pos_inf_count", self.pos_inf)
            metrics.add("neg_inf_count", self.neg_inf)
            metrics.add("infinity_count", self.pos_inf + self.neg_inf)
        if not temporal:
            metrics.add("zero_count", self.zeros)
            metrics.add("negative_count", self.negatives)
        self._finalize_counts(metrics, flat, ctx, sketches, self.name)
        if not self.valid:
            return self.inferred

        render = self._render_one
        flat["min_value"] = metrics.add("min", render(self.min))
        flat["max_value"] = metrics.add("max", render(self.max))
        mean = self._exact_mean()
        if temporal:
            metrics.add("sum", None)
            metrics.add("mean", render(self._clamped(round(mean))))
        elif kind is Kind.FLOAT:
            total = float_of_units(self.total)
            if total is None:  # the exact sum lies beyond float64: say so, never inf
                metrics.add("sum", None, exact=False, kind="overflow: beyond float64")
            else:
                metrics.add("sum", total)
            flat["mean_value"] = metrics.add("mean", mean)
        else:
            metrics.add("sum", self.total)
            flat["mean_value"] = metrics.add("mean", mean)
        self._finalize_spread(metrics, flat)
        self._guarded_distribution(metrics, flat, sketches)
        return self.inferred

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

    def _exact_mean(self) -> float:
        return self._mean_of(self.total, self.valid)

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
                dc.prec = _DECIMAL_PRECISION
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


def _add_or_none(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


_NUMERIC_NAMES = {Kind.INTEGER: "integer", Kind.FLOAT: "float", Kind.DECIMAL: "decimal"}


def _temporal_name(t: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_date(t):
        return "date"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_duration(t):
        return "duration"
    return "timestamp"
