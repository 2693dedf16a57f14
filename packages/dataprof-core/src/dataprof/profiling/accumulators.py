"""One accumulator per column: what a single pass keeps, how two passes combine.

An accumulator sees each batch's array once (``update``), combines with another
accumulator of the same column (``merge``) and turns into a :class:`ColumnProfile`
at the end (``finalize``). Everything it keeps is either a count, a bound, an
exact sum or a fixed-size sketch, so memory is bounded by the number of columns,
not rows. The work per batch is vectorized with ``pyarrow.compute`` and numpy.
Counting values (distinct, top values) first reduces a batch to its distinct
values and their counts, with one numpy sort for numbers and Arrow's hash
``value_counts`` for strings and bytes; the only per-value Python calls left are
the HLL updates, once per distinct value of a batch, of a column that has
outgrown its exact dictionary (see :mod:`.sketches`).

Validity, the word used throughout: a *valid* value is non-null and, for floats,
neither NaN nor infinite. NaN and infinities are counted apart from nulls, and
every other figure (min, max, mean, quantiles, distinct, top values) is over the
valid values. Accumulators pickle to plain Python values (sketches as bytes) so
that :meth:`ProfileState.to_bytes` can send them between processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from dataprof.profiling.inference import (
    INFER_MAX_VALUES,
    INFER_PER_BATCH,
    PATTERNS,
    count_matches,
    decide_string_type,
)
from dataprof.profiling.models import ColumnProfile, Metric, MetricSource, TopValue
from dataprof.profiling.sketches import (
    EXACT_DISTINCT_LIMIT,
    FREQUENT_LG_MAX_MAP_SIZE,
    KllSketch,
    ValueCounter,
    encode_sketch,
)
from dataprof.profiling.types import (
    Kind,
    decimal_from_float,
    kind_of,
    render_values,
    storage_type,
    unit_seconds,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = [
    "QUANTILES",
    "ColumnAccumulator",
    "FinalizeContext",
    "HISTOGRAM_BINS",
    "make_accumulator",
    "plain_array",
]

QUANTILES: dict[str, float] = {
    "p1": 0.01,
    "p5": 0.05,
    "p25": 0.25,
    "p50": 0.50,
    "p75": 0.75,
    "p95": 0.95,
    "p99": 0.99,
}
HISTOGRAM_BINS = 10
TOP_VALUES = 10
_DECIMAL_PRECISION = 120  # enough for any sum of decimal256 values
_FLOAT64_DIGITS = 15  # decimal digits that survive a round trip through float64
_FLOAT64_RELATIVE = 2.0**-53
_INT64_DIGITS = 18  # decimal digits whose unscaled integer always fits an int64


def _sorted_counts(x: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Distinct values and their counts, by one unstable sort (``np.unique`` with
    indices sorts stably, several times slower)."""
    import numpy as np

    ordered = np.sort(x)
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    positions = np.flatnonzero(starts)
    counts = np.diff(np.append(positions, len(ordered)))
    return ordered[positions], counts


def _unscaled_low_words(arr: pa.Array) -> npt.NDArray[Any]:
    """The low 64 bits of each decimal's unscaled integer, straight from the buffer: the
    whole integer when the precision is at most 18 digits."""
    import numpy as np

    width = arr.type.byte_width // 8
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    return words.reshape(-1, width)[arr.offset : arr.offset + len(arr), 0]


@dataclass(frozen=True)
class FinalizeContext:
    """What a column's figures describe: the rows counted and where they came from."""

    source: MetricSource = MetricSource.FULL_SCAN
    sampled: bool = False
    top_n: int = TOP_VALUES


class _MetricSet:
    """Builds ``ColumnProfile.metrics``; a sampled profile marks every figure approximate."""

    def __init__(self, ctx: FinalizeContext) -> None:
        self.ctx = ctx
        self.items: dict[str, Metric] = {}

    def add(
        self,
        name: str,
        value: Any,
        *,
        exact: bool = True,
        bound: float | None = None,
        kind: str | None = None,
        source: MetricSource | None = None,
    ) -> Any:
        self.items[name] = Metric(
            value=value,
            exact=exact and not self.ctx.sampled,
            source=source or self.ctx.source,
            error_bound=None if exact else bound,
            error_kind=None if exact else kind,
        )
        return value


def plain_array(arr: pa.Array) -> pa.Array:
    """Dictionary, extension and run-end encoded arrays as their plain values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    while True:
        if isinstance(arr, pa.DictionaryArray):
            arr = arr.dictionary_decode()
        elif isinstance(arr.type, pa.BaseExtensionType):
            arr = arr.storage
        elif pa.types.is_run_end_encoded(arr.type):
            arr = pc.run_end_decode(arr)
        else:
            return arr


def _percentage(part: int | None, whole: int) -> float | None:
    if part is None or whole <= 0:
        return None
    return 100.0 * part / whole


class ColumnAccumulator:
    """Row and null counts every column has; subclasses add their kind's figures."""

    kind: Kind = Kind.NULL
    inferred: str = "null"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        self.name = name
        self.declared = declared
        self.type_bytes = _type_to_bytes(data_type)
        self._type: pa.DataType | None = data_type
        self.rows = 0
        self.nulls = 0
        self.failure: str | None = None

    # -- pickling: the Arrow type travels as IPC bytes -------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_type"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def data_type(self) -> pa.DataType:
        if self._type is None:
            self._type = _type_from_bytes(self.type_bytes)
        return self._type

    # -- the three calls -------------------------------------------------------------
    def update(self, arr: pa.Array) -> None:
        self.rows += len(arr)
        try:
            # Decoded first: a run-end encoded array reports no nulls of its own.
            plain = plain_array(arr)
        except Exception as exc:
            self.nulls += arr.null_count
            self.fail(f"profiling failed: {type(exc).__name__}: {exc}")
            return
        self.nulls += plain.null_count
        if self.failure is None and plain.null_count < len(plain):
            try:
                self._update(plain)
            except Exception as exc:
                self.fail(f"profiling failed: {type(exc).__name__}: {exc}")

    def fail(self, reason: str) -> None:
        self.failure = reason

    def merge(self, other: ColumnAccumulator) -> None:
        self.rows += other.rows
        self.nulls += other.nulls
        if self.failure is None and other.failure is None:
            try:
                self._merge(other)
            except Exception as exc:
                self.fail(f"merging failed: {type(exc).__name__}: {exc}")
        else:
            # The same column fails the same way in every part; keep one reason, chosen
            # without regard to order.
            reasons = [r for r in (self.failure, other.failure) if r is not None]
            self.failure = min(reasons)

    def finalize(self, ctx: FinalizeContext, sketches: dict[str, str]) -> ColumnProfile:
        metrics = _MetricSet(ctx)
        rows = metrics.add("row_count", self.rows)
        nulls = metrics.add("null_count", self.nulls)
        metrics.add("null_percentage", _percentage(self.nulls, rows))
        metrics.add("non_null_count", rows - nulls)
        flat: dict[str, Any] = {}
        inferred = self.inferred
        if self.failure is None:
            try:
                inferred = self._finalize(metrics, flat, ctx, sketches) or inferred
            except Exception as exc:
                self.fail(f"finalizing failed: {type(exc).__name__}: {exc}")
        if self.failure is not None:
            keep = {"row_count", "null_count", "null_percentage", "non_null_count"}
            metrics.items = {k: v for k, v in metrics.items.items() if k in keep}
            flat = {}
            inferred = "unsupported"
        return ColumnProfile(
            column_name=self.name,
            data_type=self.declared,
            inferred_type=inferred,
            supported=self.failure is None,
            unsupported_reason=self.failure,
            row_count=rows,
            null_count=nulls,
            null_percentage=_percentage(nulls, rows),
            metrics=metrics.items,
            **flat,
        )

    # -- for subclasses --------------------------------------------------------------
    def _update(self, arr: pa.Array) -> None:
        """Accumulate one batch's array; it has at least one non-null value."""

    def _merge(self, other: Any) -> None:
        """Fold ``other`` (same class, same column) into ``self``."""

    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        """Add this kind's metrics and flat fields; return the inferred type."""
        return None


def _type_to_bytes(data_type: pa.DataType) -> bytes:
    import pyarrow as pa

    return bytes(pa.schema([pa.field("t", data_type)]).serialize().to_pybytes())


def _type_from_bytes(data: bytes) -> pa.DataType:
    import pyarrow as pa

    return pa.ipc.read_schema(pa.py_buffer(data)).field(0).type


class NullAccumulator(ColumnAccumulator):
    """Arrow's null type: every value is null by definition."""

    kind = Kind.NULL
    inferred = "null"


class StructAccumulator(ColumnAccumulator):
    """The struct itself: its nulls. Its fields are profiled as their own dotted columns."""

    kind = Kind.STRUCT
    inferred = "struct"


class UnsupportedAccumulator(ColumnAccumulator):
    kind = Kind.UNSUPPORTED
    inferred = "unsupported"

    def __init__(self, name: str, data_type: pa.DataType, declared: str, reason: str) -> None:
        super().__init__(name, data_type, declared)
        self.failure = reason


# -- counting values: shared by numeric, string and binary columns ------------------------


class _CountingMixin:
    """Distinct count and top values through a :class:`ValueCounter`."""

    counter: ValueCounter
    valid: int

    def _render_keys(self, keys: list[Any]) -> list[str]:
        raise NotImplementedError

    def _hll_keys(self, keys: list[Any]) -> list[Any]:
        return keys

    def _count_hashed(self, arr: pa.Array, *, rendered: bool) -> None:
        """Count a batch through ``value_counts`` (a hash table in C++).

        While exact, the counts go into the dictionary. A batch with more distinct
        values than the exact limit switches to sketches at once (the whole has at
        least as many); in sketch mode every distinct value feeds the HLL once and
        values seen more than once feed the frequent items with their counts.
        """
        import pyarrow.compute as pc

        counts = pc.value_counts(arr)
        keys = counts.field(0)
        if self.counter.exact and len(counts) <= EXACT_DISTINCT_LIMIT:
            self.counter.add_counts(
                keys.to_pylist(), counts.field(1).to_pylist(), self._render_keys, self._hll_keys
            )
            return
        self.counter.switch(self._render_keys, self._hll_keys)
        weights = counts.field(1).to_numpy()
        heavy_mask = weights > 1
        heavy = pc.filter(keys, heavy_mask).to_pylist()
        self.counter.add_batch(
            self._hll_keys(keys.to_pylist()),
            self._render_keys(heavy) if rendered else heavy,
            weights[heavy_mask].tolist(),
            bool((weights == 1).any()),
        )

    def _profile_value(self, key: Any) -> Any:
        """A counter key as the profile shows it."""
        return key

    def _value_from_sketch(self, text: str) -> Any:
        """A frequent-items string back as a counter key."""
        return text

    def _finalize_counts(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
        name: str,
    ) -> int:
        import datasketches as ds

        distinct, bound = self.counter.distinct()
        # An HLL estimate can overshoot; a profile never claims more distinct values than values.
        distinct = min(distinct, self.valid)
        if self.valid and distinct == 0:
            distinct = 1
        flat["distinct_count"] = metrics.add(
            "distinct_count", distinct, exact=self.counter.exact, bound=bound, kind="relative"
        )
        flat["distinct_percentage"] = metrics.add(
            "distinct_percentage",
            _percentage(distinct, self.valid),
            exact=self.counter.exact,
            bound=bound,
            kind="relative",
        )
        rows = self.counter.top_values(ctx.top_n)
        top = [
            TopValue(
                value=self._profile_value(
                    key if self.counter.exact else self._value_from_sketch(key)
                ),
                count=min(count, self.valid),
                count_error=error,
            )
            for key, count, error in rows
        ]
        flat["top_values"] = top
        metrics.add(
            "top_values",
            [t.model_dump() for t in top],
            exact=self.counter.exact,
            bound=float(self.counter.top_error()),
            kind="count",
        )
        top_bytes = self.counter.top_sketch_bytes()
        if top_bytes is None and self.counter.counts:
            sketch = ds.frequent_strings_sketch(FREQUENT_LG_MAX_MAP_SIZE)
            keys = list(self.counter.counts)
            for text, key in zip(self._render_keys(keys), keys, strict=True):
                sketch.update(text, self.counter.counts[key])
            top_bytes = bytes(sketch.serialize())
        if top_bytes is not None:
            sketches[f"{name}/top"] = encode_sketch(top_bytes)
        return distinct


# -- numbers and time -----------------------------------------------------------------


def _exact_int_sum(x: npt.NDArray[Any]) -> int:
    """The exact sum of an integer array, whatever its width, without object arrays.

    64-bit values are split into 32-bit halves so that neither half's sum can
    overflow for fewer than 2**31 values.
    """
    import numpy as np

    if x.dtype.itemsize < 8:
        return int(x.sum(dtype=np.int64))
    high = x >> 32
    low = x & 0xFFFFFFFF
    return (int(high.sum()) << 32) + int(low.sum(dtype=np.uint64))


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
        self.total: Any = Decimal(0) if kind is Kind.DECIMAL else (0.0 if kind is Kind.FLOAT else 0)
        self.mean = 0.0
        self.m2 = 0.0
        self.kll = KllSketch()
        self.counter = ValueCounter()
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

    def _render_keys(self, keys: list[Any]) -> list[str]:
        import pyarrow as pa

        rendered: list[str] = pa.array(keys, self._domain_type()).cast(pa.string()).to_pylist()
        return rendered

    def _hll_keys(self, keys: list[Any]) -> list[Any]:
        if self.kind is Kind.DECIMAL:
            if self._decimal_fits_int64():
                # The unscaled integer, as the sketch path hashes it from the array's buffer.
                scale = int(storage_type(self.data_type).scale)
                with localcontext() as dc:
                    dc.prec = _DECIMAL_PRECISION
                    return [int(k.scaleb(scale)) for k in keys]
            return self._render_keys(keys)
        if self.kind is Kind.INTEGER:
            return [k - (1 << 64) if k >= (1 << 63) else k for k in keys]
        return keys

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
            batch_total = float(xf.sum())
        else:  # DECIMAL
            if arr.type.byte_width < 16:
                arr = arr.cast(self._domain_type())
            domain = arr
            x = _unscaled_low_words(arr)
            bounds = pc.min_max(arr)
            batch_min, batch_max = bounds["min"].as_py(), bounds["max"].as_py()
            batch_total = pc.sum(arr).as_py()
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
        self.zeros += int(np.count_nonzero(xf == 0))
        self.negatives += int(np.count_nonzero(xf < 0))
        batch_mean = float(xf.mean())
        batch_m2 = float(np.square(xf - batch_mean).sum())
        self._combine_moments(n, batch_mean, batch_m2)
        self.kll.update(xf)

        if kind is Kind.DECIMAL and not self._decimal_fits_int64():
            self._count_hashed(domain, rendered=True)
        else:
            self._count_sorted(domain, x)

    def _count_sorted(self, domain: pa.Array, x: npt.NDArray[Any]) -> None:
        """Count a batch of numbers through a numpy sort of their integer or float form.

        Same rules as :meth:`_count_hashed`; sorting beats Arrow's hash table on numbers.
        """
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        uniques, weights = _sorted_counts(x)
        if self.counter.exact and len(uniques) <= EXACT_DISTINCT_LIMIT:
            keys = self._domain_values(uniques).to_pylist()
            self.counter.add_counts(keys, weights.tolist(), self._render_keys, self._hll_keys)
            return
        self.counter.switch(self._render_keys, self._hll_keys)
        heavy_mask = weights > 1
        if self.kind is Kind.FLOAT:
            hll_keys = uniques.tolist()
        elif uniques.dtype == np.uint64:
            hll_keys = uniques.view(np.int64).tolist()
        else:
            hll_keys = uniques.astype(np.int64, copy=False).tolist()
        heavy = pc.cast(self._domain_values(uniques[heavy_mask]), pa.string()).to_pylist()
        self.counter.add_batch(
            hll_keys, heavy, weights[heavy_mask].tolist(), bool((weights == 1).any())
        )

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

    def _combine_moments(self, n: int, mean: float, m2: float) -> None:
        """Chan et al.'s parallel update; ``self.valid`` already includes ``n``."""
        before = self.valid - n
        if before == 0:
            self.mean, self.m2 = mean, m2
            return
        delta = mean - self.mean
        total = before + n
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * before * n / total

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
            self.valid += other.valid
            self._combine_moments(other.valid, other.mean, other.m2)
        self.kll.merge(other.kll)
        self.counter.merge(other.counter, self._render_keys, self._hll_keys)

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
            metrics.add("mean", render(round(mean)))
        else:
            metrics.add("sum", self.total)
            flat["mean_value"] = metrics.add("mean", mean)
        std = math.sqrt(max(self.m2, 0.0) / (self.valid - 1)) if self.valid > 1 else None
        if temporal and std is not None:
            std *= unit_seconds(storage_type(self.data_type))
            metrics.add("std_dev_seconds", std)
        flat["std_dev"] = metrics.add("std_dev", std)
        metrics.add("variance", (self.m2 / (self.valid - 1)) if self.valid > 1 else None)

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
        metrics.add(
            "histogram",
            self._histogram(),
            exact=kll.exact,
            bound=kll.pmf_rank_error,
            kind="rank",
        )
        sketches[f"{self.name}/kll"] = encode_sketch(bytes(kll.sketch.serialize()))
        return self.inferred

    def _fits_float64(self) -> bool:
        if self.kind is Kind.FLOAT:
            return True
        if self.kind is Kind.DECIMAL:
            return int(storage_type(self.data_type).precision) <= _FLOAT64_DIGITS
        return max(abs(int(self.min)), abs(int(self.max))) <= 2**53

    def _exact_mean(self) -> float:
        if self.kind is Kind.FLOAT:
            return float(self.total) / self.valid
        if self.kind is Kind.DECIMAL:
            with localcontext() as dc:
                dc.prec = _DECIMAL_PRECISION
                return float(self.total / self.valid)
        return float(self.total / self.valid)  # int / int rounds correctly

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
        as_int = int(value)
        return self._render_one(as_int) if self.kind is Kind.TEMPORAL else as_int

    def _histogram(self) -> dict[str, Any]:
        """Equal-width bins from min to max, counted from the KLL sketch (left-closed bins,
        the last one closed on both sides, as numpy.histogram)."""
        import numpy as np

        low, high = float(self.min), float(self.max)
        if low == high:
            edges = [low, high]
            counts = [self.valid]
        else:
            edges = np.linspace(low, high, HISTOGRAM_BINS + 1).tolist()
            pmf = self.kll.sketch.get_pmf(edges[1:-1], False)
            counts = [round(p * self.valid) for p in pmf]
        if self.kind is Kind.TEMPORAL:
            shown = render_values([round(e) for e in edges], self.data_type, self.kind)
        elif self.kind is Kind.INTEGER:
            shown = list(edges)
        else:
            shown = list(edges)
        return {"edges": shown, "counts": counts}


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


# -- text and bytes ----------------------------------------------------------------------


class _LengthMixin:
    """Min, mean and max length and the empty count of strings, binaries and lists."""

    valid: int
    empty: int
    len_min: int | None
    len_max: int | None
    len_sum: int

    def _init_lengths(self) -> None:
        self.valid = 0
        self.empty = 0
        self.len_min = None
        self.len_max = None
        self.len_sum = 0

    def _add_lengths(self, lengths: pa.Array) -> None:
        import pyarrow.compute as pc

        bounds = pc.min_max(lengths)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if low is None:
            return
        self.valid += len(lengths) - lengths.null_count
        self.len_sum += int(pc.sum(lengths).as_py() or 0)
        self.empty += int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
        self.len_min = low if self.len_min is None else min(self.len_min, low)
        self.len_max = high if self.len_max is None else max(self.len_max, high)

    def _merge_lengths(self, other: _LengthMixin) -> None:
        self.valid += other.valid
        self.empty += other.empty
        self.len_sum += other.len_sum
        for attr, pick in (("len_min", min), ("len_max", max)):
            mine, theirs = getattr(self, attr), getattr(other, attr)
            if theirs is not None:
                setattr(self, attr, theirs if mine is None else pick(mine, theirs))

    def _finalize_lengths(self, metrics: _MetricSet) -> None:
        metrics.add("valid_count", self.valid)
        metrics.add("empty_count", self.empty)
        metrics.add("length_min", self.len_min)
        metrics.add("length_max", self.len_max)
        metrics.add("length_mean", self.len_sum / self.valid if self.valid else None)


class StringAccumulator(_LengthMixin, _CountingMixin, ColumnAccumulator):
    kind = Kind.STRING
    inferred = "string"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self._init_lengths()
        self.min: str | None = None
        self.max: str | None = None
        self.counter = ValueCounter()
        self.matches = dict.fromkeys(PATTERNS, 0)
        self.examined = 0

    def _render_keys(self, keys: list[Any]) -> list[str]:
        return keys

    def _update(self, arr: pa.Array) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.large_string())
        if arr.null_count:
            arr = pc.drop_null(arr)
        self._add_lengths(pc.utf8_length(arr))
        bounds = pc.min_max(arr)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)
        self._count_hashed(arr, rendered=False)
        room = min(INFER_PER_BATCH, INFER_MAX_VALUES - self.examined, len(arr))
        if room > 0:
            for pattern, hits in count_matches(arr.slice(0, room)).items():
                self.matches[pattern] += hits
            self.examined += room

    def _merge(self, other: StringAccumulator) -> None:
        self._merge_lengths(other)
        for attr, pick in (("min", min), ("max", max)):
            mine, theirs = getattr(self, attr), getattr(other, attr)
            if theirs is not None:
                setattr(self, attr, theirs if mine is None else pick(mine, theirs))
        self.counter.merge(other.counter, self._render_keys, self._hll_keys)
        for pattern, hits in other.matches.items():
            self.matches[pattern] = self.matches.get(pattern, 0) + hits
        self.examined += other.examined

    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        self._finalize_lengths(metrics)
        distinct = self._finalize_counts(metrics, flat, ctx, sketches, self.name)
        flat["min_value"] = metrics.add("min", self.min)
        flat["max_value"] = metrics.add("max", self.max)
        inferred, share = decide_string_type(self.matches, self.examined, distinct, self.valid)
        # Inference reads a bounded slice of each batch: a sample unless it saw everything.
        all_seen = self.examined == self.valid
        how = {
            "exact": all_seen,
            "kind": "sample",
            "source": None if all_seen else MetricSource.SAMPLE,
        }
        metrics.add("inferred_match_share", share, **how)  # type: ignore[arg-type]
        metrics.add(
            "inferred_type_shares",
            {k: v / self.examined for k, v in self.matches.items()} if self.examined else {},
            **how,  # type: ignore[arg-type]
        )
        metrics.add("inferred_examined_count", self.examined)
        return inferred


class BinaryAccumulator(_LengthMixin, _CountingMixin, ColumnAccumulator):
    """Bytes: lengths, distinct and top values, min and max, shown as hex."""

    kind = Kind.BINARY
    inferred = "binary"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self._init_lengths()
        self.min: bytes | None = None
        self.max: bytes | None = None
        self.counter = ValueCounter()

    def _render_keys(self, keys: list[Any]) -> list[str]:
        return [k.hex() for k in keys]

    def _hll_keys(self, keys: list[Any]) -> list[Any]:
        return self._render_keys(keys)

    def _profile_value(self, key: Any) -> Any:
        return key.hex() if isinstance(key, bytes) else key

    def _update(self, arr: pa.Array) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not (pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
            arr = arr.cast(pa.large_binary())
        if arr.null_count:
            arr = pc.drop_null(arr)
        self._add_lengths(pc.binary_length(arr))
        bounds = pc.min_max(arr)
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)
        self._count_hashed(arr, rendered=True)

    def _merge(self, other: BinaryAccumulator) -> None:
        self._merge_lengths(other)
        for attr, pick in (("min", min), ("max", max)):
            mine, theirs = getattr(self, attr), getattr(other, attr)
            if theirs is not None:
                setattr(self, attr, theirs if mine is None else pick(mine, theirs))
        self.counter.merge(other.counter, self._render_keys, self._hll_keys)

    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        self._finalize_lengths(metrics)
        self._finalize_counts(metrics, flat, ctx, sketches, self.name)
        flat["min_value"] = metrics.add("min", self.min.hex() if self.min is not None else None)
        flat["max_value"] = metrics.add("max", self.max.hex() if self.max is not None else None)
        return self.inferred


class BooleanAccumulator(ColumnAccumulator):
    kind = Kind.BOOLEAN
    inferred = "boolean"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self.true = 0
        self.false = 0

    def _update(self, arr: pa.Array) -> None:
        import pyarrow.compute as pc

        valid = len(arr) - arr.null_count
        true = int(pc.sum(arr).as_py() or 0)
        self.true += true
        self.false += valid - true

    def _merge(self, other: BooleanAccumulator) -> None:
        self.true += other.true
        self.false += other.false

    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        valid = self.true + self.false
        metrics.add("valid_count", valid)
        metrics.add("true_count", self.true)
        metrics.add("false_count", self.false)
        metrics.add("true_percentage", _percentage(self.true, valid))
        distinct = int(self.true > 0) + int(self.false > 0)
        flat["distinct_count"] = metrics.add("distinct_count", distinct)
        flat["distinct_percentage"] = metrics.add(
            "distinct_percentage", _percentage(distinct, valid)
        )
        ranked = sorted(
            [(True, self.true), (False, self.false)], key=lambda kv: (-kv[1], not kv[0])
        )
        top = [TopValue(value=v, count=c) for v, c in ranked if c][: ctx.top_n]
        flat["top_values"] = top
        metrics.add("top_values", [t.model_dump() for t in top])
        if valid:
            import datasketches as ds

            sketch = ds.frequent_strings_sketch(FREQUENT_LG_MAX_MAP_SIZE)
            for value, count in ranked:
                if count:
                    sketch.update("true" if value else "false", count)
            sketches[f"{self.name}/top"] = encode_sketch(bytes(sketch.serialize()))
        if valid:
            flat["min_value"] = metrics.add("min", self.false == 0)
            flat["max_value"] = metrics.add("max", self.true > 0)
            flat["mean_value"] = metrics.add("mean", self.true / valid)
        return self.inferred


class ListAccumulator(_LengthMixin, ColumnAccumulator):
    """Lists and maps: how many elements, not what they are (elements are not profiled)."""

    kind = Kind.LIST
    inferred = "list"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self._init_lengths()
        import pyarrow as pa

        if pa.types.is_map(storage_type(data_type)):
            self.inferred = "map"

    def _update(self, arr: pa.Array) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(arr, pa.MapArray):
            sizes = np.diff(arr.offsets.to_numpy())
            lengths = pa.array(
                sizes, pa.int64(), mask=~arr.is_valid().to_numpy(zero_copy_only=False)
            )
        else:
            lengths = pc.list_value_length(arr)
        self._add_lengths(lengths)

    def _merge(self, other: ListAccumulator) -> None:
        self._merge_lengths(other)

    def _finalize(
        self,
        metrics: _MetricSet,
        flat: dict[str, Any],
        ctx: FinalizeContext,
        sketches: dict[str, str],
    ) -> str | None:
        self._finalize_lengths(metrics)
        return self.inferred


def make_accumulator(name: str, data_type: pa.DataType, declared: str) -> ColumnAccumulator:
    """The accumulator for a column of ``data_type``; never raises for an odd type."""
    kind, reason = kind_of(data_type)
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL, Kind.TEMPORAL):
        return NumericAccumulator(name, data_type, declared, kind)
    if kind is Kind.STRING:
        return StringAccumulator(name, data_type, declared)
    if kind is Kind.BINARY:
        return BinaryAccumulator(name, data_type, declared)
    if kind is Kind.BOOLEAN:
        return BooleanAccumulator(name, data_type, declared)
    if kind is Kind.LIST:
        return ListAccumulator(name, data_type, declared)
    if kind is Kind.STRUCT:
        return StructAccumulator(name, data_type, declared)
    if kind is Kind.NULL:
        return NullAccumulator(name, data_type, declared)
    return UnsupportedAccumulator(name, data_type, declared, reason or "unsupported type")
