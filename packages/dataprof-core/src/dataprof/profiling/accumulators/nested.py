"""Lists, maps and structs: their shape, not their elements (struct fields are
profiled as their own dotted columns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import ColumnAccumulator, FinalizeContext, _MetricSet
from dataprof.profiling.accumulators.lengths import _LengthMixin
from dataprof.profiling.types import Kind, storage_type

if TYPE_CHECKING:
    import pyarrow as pa


class StructAccumulator(ColumnAccumulator):
    """The struct itself: its nulls. Its fields are profiled as their own dotted columns."""

    kind = Kind.STRUCT
    inferred = "struct"


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
