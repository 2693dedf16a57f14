"""Integers, floats, decimals and everything temporal (as integer epoch units).

:class:`NumericAccumulator` is the column's one pass: each batch updates the exact
figures (count, min/max, exact sum, scaled moments, zeros and negatives), the KLL
sketch and the value counter; :meth:`~NumericAccumulator._merge` combines two passes;
:meth:`~NumericAccumulator._finalize` turns them into the profile. What happens past
the exact-count budget lives in :mod:`.numeric_summary`, the figures drawn from the
distribution at the end (spread, quantiles, histogram, outliers) in
:mod:`.numeric_figures`: both are mixins, so every pickled attribute stays on this
class (the state's allow-list names only ``numeric.NumericAccumulator``).
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import ColumnAccumulator, FinalizeContext, _MetricSet
from dataprof.profiling.accumulators.counting import _CountingMixin, _runs
from dataprof.profiling.accumulators.distribution_summary import DistributionSummary
from dataprof.profiling.accumulators.exact_sums import (
    DECIMAL_PRECISION,
    chan_merge,
    exact_decimal_unscaled_sum,
    exact_float_units_sum,
    exact_square_sum,
    float_of_units,
    scaled_m2,
)
from dataprof.profiling.accumulators.exact_sums import exact_int_sum as _exact_int_sum
from dataprof.profiling.accumulators.numeric_figures import _NumericFiguresMixin
from dataprof.profiling.accumulators.numeric_summary import _NumericSummaryMixin
from dataprof.profiling.sketches import KllSketch
from dataprof.profiling.types import Kind, render_values, storage_type
from dataprof.profiling.value_counter import ValueCounter

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

_INT64_DIGITS = 18  # decimal digits whose unscaled integer always fits an int64


def _unscaled_low_words(arr: pa.Array) -> npt.NDArray[Any]:
    """The low 64 bits of each decimal's unscaled integer, straight from the buffer: the
    whole integer when the precision is at most 18 digits."""
    import numpy as np

    width = arr.type.byte_width // 8
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    return words.reshape(-1, width)[arr.offset : arr.offset + len(arr), 0]


class NumericAccumulator(
    _NumericFiguresMixin, _NumericSummaryMixin, _CountingMixin, ColumnAccumulator
):
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
                dc.prec = DECIMAL_PRECISION
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
                dc.prec = DECIMAL_PRECISION
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

        table = self.counter.table
        if kind is Kind.DECIMAL and not self._decimal_fits_int64():
            self.kll.update(xf)
            self._count_hashed(domain)
        else:
            ordered = np.sort(x)
            if kind is Kind.DECIMAL:  # its floats are Arrow's cast: sorted apart
                self.kll.update(xf)
            else:  # one sort for both: an integer array's float64 form stays sorted
                self.kll.update_sorted(ordered.astype(np.float64, copy=False))
            self._count_sorted(ordered)
        if self.counter.table is None:
            self._summarize_batch(table, xf if kind in (Kind.FLOAT, Kind.DECIMAL) else x, xf)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._check_summary()

    def _count_sorted(self, ordered: npt.NDArray[Any]) -> None:
        """Count a batch of numbers from their integer or float form, sorted (sorting
        beats Arrow's hash table on numbers)."""
        uniques, weights = _runs(ordered)
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
                dc.prec = DECIMAL_PRECISION
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
                    dc.prec = DECIMAL_PRECISION
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
        self._merge_summaries(mine, theirs, other.summary)

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

    def _exact_mean(self) -> float:
        return self._mean_of(self.total, self.valid)


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
