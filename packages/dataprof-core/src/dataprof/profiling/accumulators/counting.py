"""Distinct counts and top values, shared by numeric, string and binary columns.

Counting values first reduces a batch to its distinct values and their counts,
with one numpy sort for numbers and Arrow's hash ``value_counts`` for strings and
bytes; the counts are kept natively and exactly while they fit the column's
memory budget, then in sketches (see :mod:`dataprof.profiling.value_counter`).
Past the budget only values certain to be among the most frequent are listed,
with their counts as ranges.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.base import FinalizeContext, _MetricSet, _percentage
from dataprof.profiling.distinct_check import DISTINCT_CHECK_MIN_VALUES, surely_distinct
from dataprof.profiling.models import TopValue
from dataprof.profiling.sketches import encode_sketch
from dataprof.profiling.value_counter import ValueCounter

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa


def _runs(ordered: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Distinct values and their counts of a sorted array (the caller's one unstable
    sort: ``np.unique`` with indices sorts stably, several times slower)."""
    import numpy as np

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
    distinct_so_far: bool
    """Text: every batch so far held each value once (see :meth:`_count_text`)."""

    def _render_keys(self, keys: pa.Array) -> list[str]:
        """The frequent-items sketch's strings for an array of counter keys."""
        raise NotImplementedError

    def _hll_keys(self, keys: pa.Array) -> Any:
        """What the HLL sketch hashes for an array of counter keys."""
        return self._render_keys(keys)

    def _count_hashed(self, arr: pa.Array) -> None:
        """Count a batch through ``value_counts`` (a hash table in C++)."""
        import pyarrow.compute as pc

        counts = pc.value_counts(arr)
        self.counter.add(
            counts.field(0), counts.field(1).to_numpy(), self._render_keys, self._hll_keys
        )

    def _count_text(self, arr: pa.Array) -> None:
        """Count a batch of text or bytes: past the budget, by hashes first
        (:meth:`.ValueCounter.add_sketched_text`); within it, each value once when no two
        can be equal (:func:`.surely_distinct`, no hash of whole values), else
        :meth:`_count_hashed`.
        The check runs while every batch has passed it: a column with repeats (a
        category, a user id) stops paying for it (2-3 ms a batch) after its first."""
        import numpy as np

        if not self.counter.exact:
            self.counter.add_sketched_text(arr, self._render_keys)
            return
        if self.distinct_so_far and len(arr) >= DISTINCT_CHECK_MIN_VALUES:
            if surely_distinct(arr):
                ones = np.ones(len(arr), dtype=np.int64)
                self.counter.add(arr, ones, self._render_keys, self._hll_keys)
                return
            self.distinct_so_far = False
        self._count_hashed(arr)

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
        counter = self.counter
        counter.settle(self._render_keys, self._hll_keys)
        distinct, bound = counter.distinct()
        # An HLL estimate can overshoot; a profile never claims more distinct values than values.
        distinct = min(distinct, self.valid)
        if self.valid and distinct == 0:
            distinct = 1
        flat["distinct_count"] = metrics.add(
            "distinct_count", distinct, exact=counter.exact, bound=bound, kind="relative"
        )
        flat["distinct_percentage"] = metrics.add(
            "distinct_percentage",
            _percentage(distinct, self.valid),
            exact=counter.exact,
            bound=bound,
            kind="relative",
        )
        if counter.exact:
            top = [
                TopValue(value=self._profile_value(key), count=count)
                for key, count in counter.exact_top(ctx.top_n)
            ]
            found_share, note = 0.0, None
        else:
            top, found_share, note = self._sketched_top(ctx.top_n)
        flat["top_values"] = top
        error = counter.max_error()
        metrics.add(
            "top_values",
            [t.model_dump() for t in top],
            exact=counter.exact,
            bound=float(error),
            kind="count",
        )
        if note is not None:  # past the budget: what the list means
            metrics.add(
                "top_values_found_percentage",
                100.0 * found_share,
                exact=False,
                bound=float(error),
                kind="count",
            )
            metrics.add("top_values_note", note, exact=False, bound=float(error), kind="count")
        top_bytes = counter.top_sketch_bytes(self._render_keys)
        if top_bytes is not None:
            sketches[f"{name}/top"] = encode_sketch(top_bytes)
        return distinct

    def _sketched_top(self, limit: int) -> tuple[list[TopValue], float, str]:
        """Past the budget: the values certain to rank among the ``limit`` most frequent,
        each with its count's range; the share above which a value is always
        recognised; and a note saying what the list is."""
        counter = self.counter
        error = counter.max_error()
        valid = max(self.valid, 1)
        rows = counter.sketched_top(limit)
        top = [
            TopValue(
                value=self._profile_value(self._value_from_sketch(row.text)),
                count=min(row.estimate, self.valid),
                count_error=max(row.upper - row.estimate, row.estimate - row.lower),
                count_lower=min(row.lower, self.valid),
                count_upper=min(row.upper, self.valid),
            )
            for row in rows
        ]
        # ties by value (the counter key, before the profile renders it)
        keys = [self._value_from_sketch(row.text) for row in rows]
        order = sorted(range(len(top)), key=lambda i: (-top[i].count, keys[i]))
        # Values tied at the cut are all "certain" to rank; list ``limit`` of them, as
        # the exact path does, or a column of ties would list every value it holds.
        top = [top[i] for i in order][:limit]
        found = min(1.0, 2 * error / valid)
        if top:
            note = (
                f"counted approximately past the exact-count budget: listed values are "
                f"certain to be among the {limit} most frequent, counts are ranges; every "
                f"value in more than {found:.3%} of values is recognised"
            )
        elif not counter.sketched_top(sys.maxsize):
            # No value's lower bound clears the error: each occurs at most twice the error.
            note = f"no value occurs in more than {found:.3%} of values"
        else:
            most = min(1.0, counter.most_any_count() / valid)
            note = (
                f"no value occurs in more than {most:.3%} of values, and none is certain "
                f"to rank among the {limit} most frequent (counts are known within "
                f"+-{error:,})"
            )
        return top, found, note
