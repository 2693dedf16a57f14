"""Distinct counts and top values, shared by numeric, string and binary columns.

Counting values first reduces a batch to its distinct values and their counts,
with one numpy sort for numbers and Arrow's hash ``value_counts`` for strings and
bytes; the only per-value Python calls left are the HLL updates, once per distinct
value of a batch, of a column that has outgrown its exact dictionary (see
:mod:`dataprof.profiling.sketches`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import FinalizeContext, _MetricSet, _percentage
from dataprof.profiling.models import TopValue
from dataprof.profiling.sketches import (
    EXACT_DISTINCT_LIMIT,
    FREQUENT_LG_MAX_MAP_SIZE,
    ValueCounter,
    encode_sketch,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa


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
