"""Booleans: true and false counts, which are also their distinct and top values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import (
    ColumnAccumulator,
    FinalizeContext,
    _MetricSet,
    _percentage,
)
from dataprof.profiling.models import TopValue
from dataprof.profiling.sketches import FREQUENT_LG_MAX_MAP_SIZE, encode_sketch
from dataprof.profiling.types import Kind

if TYPE_CHECKING:
    import pyarrow as pa


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
        ranked = sorted([(True, self.true), (False, self.false)], key=lambda kv: (-kv[1], kv[0]))
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
