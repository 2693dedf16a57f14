"""Strings and bytes: lengths, distinct and top values, min and max, type inference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import ColumnAccumulator, FinalizeContext, _MetricSet
from dataprof.profiling.accumulators.counting import _CountingMixin
from dataprof.profiling.accumulators.lengths import _LengthMixin
from dataprof.profiling.accumulators.long_values import BoundedMinMax, bounded_keys
from dataprof.profiling.inference import (
    INFER_MAX_VALUES,
    INFER_PER_BATCH,
    PATTERNS,
    count_matches,
    decide_string_type,
)
from dataprof.profiling.models import MetricSource
from dataprof.profiling.types import Kind
from dataprof.profiling.value_counter import ValueCounter

if TYPE_CHECKING:
    import pyarrow as pa


def pa_type(name: str) -> pa.DataType:
    """An Arrow type by name, imported lazily."""
    import pyarrow as pa

    return getattr(pa, name)()


class StringAccumulator(BoundedMinMax, _LengthMixin, _CountingMixin, ColumnAccumulator):
    kind = Kind.STRING
    inferred = "string"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self._init_lengths()
        self._init_bounds()
        self.counter = ValueCounter(pa_type("large_string"))
        self.matches = dict.fromkeys(PATTERNS, 0)
        self.examined = 0

    def _render_keys(self, keys: pa.Array) -> list[str]:
        rendered: list[str] = keys.to_pylist()
        return rendered

    def _update(self, arr: pa.Array) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.large_string())
        if arr.null_count:
            arr = pc.drop_null(arr)
        self._add_lengths(pc.utf8_length(arr))
        bounds = pc.min_max(arr)
        self._add_bounds(bounds["min"].as_py(), bounds["max"].as_py())
        self._count_hashed(bounded_keys(arr, binary=False))
        room = min(INFER_PER_BATCH, INFER_MAX_VALUES - self.examined, len(arr))
        if room > 0:
            for pattern, hits in count_matches(arr.slice(0, room)).items():
                self.matches[pattern] += hits
            self.examined += room

    def _merge(self, other: StringAccumulator) -> None:
        self._merge_lengths(other)
        self._merge_bounds(other)
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
        self._finalize_bounds(metrics, flat)
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


class BinaryAccumulator(BoundedMinMax, _LengthMixin, _CountingMixin, ColumnAccumulator):
    """Bytes: lengths, distinct and top values, min and max, shown as hex."""

    kind = Kind.BINARY
    inferred = "binary"

    def __init__(self, name: str, data_type: pa.DataType, declared: str) -> None:
        super().__init__(name, data_type, declared)
        self._init_lengths()
        self._init_bounds()
        self.counter = ValueCounter(pa_type("large_binary"))

    def _render_keys(self, keys: pa.Array) -> list[str]:
        return [k.hex() for k in keys.to_pylist()]

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
        self._add_bounds(bounds["min"].as_py(), bounds["max"].as_py())
        self._count_hashed(bounded_keys(arr, binary=True))

    def _merge(self, other: BinaryAccumulator) -> None:
        self._merge_lengths(other)
        self._merge_bounds(other)
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
        self._finalize_bounds(metrics, flat)
        return self.inferred
