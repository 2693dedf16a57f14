"""The accumulator every column has (rows, nulls, failures) and what all of them share.

An accumulator sees each batch's array once (``update``), combines with another
accumulator of the same column (``merge``) and turns into a :class:`ColumnProfile`
at the end (``finalize``). Everything it keeps is either a count, a bound, an
exact sum or a fixed-size sketch, so memory is bounded by the number of columns,
not rows. The work per batch is vectorized with ``pyarrow.compute`` and numpy.

Validity, the word used throughout: a *valid* value is non-null and, for floats,
neither NaN nor infinite. NaN and infinities are counted apart from nulls, and
every other figure (min, max, mean, quantiles, distinct, top values) is over the
valid values. Accumulators pickle to plain Python values (sketches as bytes) so
that :meth:`ProfileState.to_bytes` can send them between processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataprof.profiling.models import ColumnProfile, Metric, MetricSource
from dataprof.profiling.types import Kind

if TYPE_CHECKING:
    import pyarrow as pa

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
        step: Callable[[Any], None] = self._update
        if self._takes_dictionary(arr):
            step = self._update_dictionary
        else:
            try:
                # Decoded first: a run-end encoded array reports no nulls of its own.
                arr = plain_array(arr)
            except Exception as exc:
                self.nulls += arr.null_count
                self.fail(f"profiling failed: {type(exc).__name__}: {exc}")
                return
        self.nulls += arr.null_count
        if self.failure is None and arr.null_count < len(arr):
            try:
                step(arr)
            except Exception as exc:
                self.fail(f"profiling failed: {type(exc).__name__}: {exc}")

    def _takes_dictionary(self, arr: pa.Array) -> bool:
        """Whether :meth:`_update_dictionary` takes ``arr`` as it is (a kind that counts
        dictionary entries instead of decoding them overrides it)."""
        return False

    def _update_dictionary(self, arr: pa.DictionaryArray) -> None:
        raise NotImplementedError

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


class UnsupportedAccumulator(ColumnAccumulator):
    kind = Kind.UNSUPPORTED
    inferred = "unsupported"

    def __init__(self, name: str, data_type: pa.DataType, declared: str, reason: str) -> None:
        super().__init__(name, data_type, declared)
        self.failure = reason
