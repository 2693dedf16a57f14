"""Counting values exactly while that is cheap, with Apache DataSketches once it is not.

A column's distinct count and top values come from one :class:`ValueCounter`. It
starts as an exact ``value -> count`` dictionary. When the dictionary holds more
than ``EXACT_DISTINCT_LIMIT`` values (or its keys more than ``EXACT_KEY_BYTES``), it
turns into two sketches and stays one: an HLL sketch for the distinct count and a
frequent-strings (Misra-Gries) sketch for the top values. Memory is therefore
bounded per column by whichever of the two is larger, never by the row count.

The switch depends only on the *set* of values seen, which is what keeps merging
honest: a part of a table never has more distinct values than the whole, so if the
whole stays exact every part did too, and merging exact parts is exact.

In sketch mode a batch arrives reduced to its distinct values with counts
(:meth:`ValueCounter.add_batch`): the HLL sketch sees each distinct value once,
the frequent-items sketch sees only values that occur more than once in the
batch. Skipping once-seen values can undercount a value by one per batch at
most; the reported count error adds the number of batches where that happened.

Sketches in a finished profile (``TableProfile.sketches``) are base64 strings:
``"<column>/kll"`` is a ``datasketches.kll_doubles_sketch`` over the column's values
as float64 (temporal values as their integer epoch units), ``"<column>/top"`` a
``datasketches.frequent_strings_sketch`` over the values rendered as Arrow renders
them as strings (temporal values as their integer epoch units). :func:`decode_kll`
and :func:`decode_top` read them back, refusing damaged bytes
(:mod:`dataprof.profiling.sketch_checks`) before the native library reads them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datasketches

__all__ = [
    "EXACT_DISTINCT_LIMIT",
    "EXACT_KEY_BYTES",
    "FREQUENT_LG_MAX_MAP_SIZE",
    "HLL_LG_K",
    "KLL_K",
    "KllSketch",
    "ValueCounter",
    "decode_kll",
    "decode_top",
    "encode_sketch",
]

KLL_K = 200
"""KLL accuracy: normalized rank error ~1.65% for one quantile (99% confidence)."""
HLL_LG_K = 14
"""HLL with 2**14 registers: ~0.8% relative standard error (about 16 KiB)."""
FREQUENT_LG_MAX_MAP_SIZE = 11
"""Frequent items keep up to 0.75 * 2**11 = 1536 values; count error <= 3.5/2048 * N."""
EXACT_DISTINCT_LIMIT = 16_384
"""Distinct values counted exactly before switching to sketches."""
EXACT_KEY_BYTES = 4 * 1024 * 1024
"""...and the bytes of string keys held exactly before switching (long free text)."""

_HLL_STD_DEVS = 2  # ~95% confidence, the convention `Metric.error_bound` documents


def encode_sketch(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _ds() -> Any:
    """datasketches, imported on first use so that importing the engine stays light."""
    import datasketches

    return datasketches


def decode_kll(encoded: str) -> datasketches.kll_doubles_sketch:
    """The KLL sketch stored under ``"<column>/kll"`` in a profile."""
    from dataprof.profiling.sketch_checks import checked_kll

    return checked_kll(base64.b64decode(encoded))


def decode_top(encoded: str) -> datasketches.frequent_strings_sketch:
    """The frequent-strings sketch stored under ``"<column>/top"`` in a profile."""
    from dataprof.profiling.sketch_checks import checked_frequent_strings

    return checked_frequent_strings(base64.b64decode(encoded))


class KllSketch:
    """A KLL doubles sketch that pickles as bytes (the bindings' objects do not)."""

    __slots__ = ("sketch",)

    def __init__(self, sketch: Any = None) -> None:
        self.sketch = sketch if sketch is not None else _ds().kll_doubles_sketch(KLL_K)

    def update(self, values: Any) -> None:
        """``values``: a float64 numpy array, fed in one call (the vectorized overload)."""
        if len(values):
            self.sketch.update(values)

    def merge(self, other: KllSketch) -> None:
        self.sketch.merge(other.sketch)

    @property
    def exact(self) -> bool:
        """True while the sketch still holds every value it was given."""
        return not self.sketch.is_estimation_mode()

    @property
    def rank_error(self) -> float:
        return float(self.sketch.normalized_rank_error(False))

    @property
    def pmf_rank_error(self) -> float:
        return float(self.sketch.normalized_rank_error(True))

    def __getstate__(self) -> bytes:
        return bytes(self.sketch.serialize())

    def __setstate__(self, state: bytes) -> None:
        from dataprof.profiling.sketch_checks import checked_kll

        self.sketch = checked_kll(state)


class ValueCounter:
    """Distinct count and top values of one column: exact dictionary, then sketches.

    ``render`` turns exact keys into the strings the frequent-items sketch keeps
    and ``hll_key`` into what the HLL sketch hashes; both are fixed per column
    kind so that every partial state of a column hashes a value the same way.
    """

    def __init__(self) -> None:
        self.counts: dict[Any, int] | None = {}
        self.key_bytes = 0
        self.pruned = 0
        """Batches whose once-seen values skipped the frequent-items sketch."""
        self.hll: Any = None
        self.top: Any = None

    @property
    def exact(self) -> bool:
        return self.counts is not None

    # -- exact path ------------------------------------------------------------------
    def add_counts(
        self,
        values: Sequence[Any],
        counts: Sequence[int],
        render: Callable[[list[Any]], list[str]],
        hll_key: Callable[[list[Any]], list[Any]],
    ) -> None:
        """Add a batch's ``value_counts``; may switch to sketches."""
        if self.counts is None:
            keys = list(values)
            self._sketch_weighted(keys, list(counts), render, hll_key)
            return
        table = self.counts
        new_bytes = 0
        for value, count in zip(values, counts, strict=True):
            previous = table.get(value)
            if previous is None:
                table[value] = count
                if isinstance(value, str | bytes):
                    new_bytes += len(value)
            else:
                table[value] = previous + count
        self.key_bytes += new_bytes
        self._maybe_switch(render, hll_key)

    def _maybe_switch(
        self,
        render: Callable[[list[Any]], list[str]],
        hll_key: Callable[[list[Any]], list[Any]],
    ) -> None:
        if self.counts is None:
            return
        if len(self.counts) > EXACT_DISTINCT_LIMIT or self.key_bytes > EXACT_KEY_BYTES:
            self.switch(render, hll_key)

    def switch(
        self,
        render: Callable[[list[Any]], list[str]],
        hll_key: Callable[[list[Any]], list[Any]],
    ) -> None:
        """Give up exact counting: the dictionary goes into the sketches.

        Callers switch when a batch alone has more distinct values than the limit,
        which implies the whole does too, so the rule stays a function of the set.
        """
        if self.counts is None:
            return
        table = self.counts
        self.counts = None
        self.key_bytes = 0
        self._sketch_weighted(list(table), list(table.values()), render, hll_key)

    # -- sketch path -----------------------------------------------------------------
    def _ensure_sketches(self) -> None:
        if self.hll is None:
            self.hll = _ds().hll_sketch(HLL_LG_K, _ds().tgt_hll_type.HLL_8)
            self.top = _ds().frequent_strings_sketch(FREQUENT_LG_MAX_MAP_SIZE)

    def _sketch_weighted(
        self,
        keys: list[Any],
        weights: list[int],
        render: Callable[[list[Any]], list[str]],
        hll_key: Callable[[list[Any]], list[Any]],
    ) -> None:
        self._ensure_sketches()
        hll_update = self.hll.update
        for key in hll_key(keys):
            hll_update(key)
        top_update = self.top.update
        for text, weight in zip(render(keys), weights, strict=True):
            top_update(text, weight)

    def add_batch(
        self, distinct_keys: list[Any], heavy: list[str], heavy_counts: list[int], pruned: bool
    ) -> None:
        """Sketch-mode bulk path for one batch, already reduced to its distinct values.

        ``distinct_keys`` (HLL keys of every distinct value of the batch) feed the HLL
        sketch; ``heavy`` (rendered values seen more than once in the batch) feed the
        frequent-items sketch with their counts. Values seen once in a batch are left
        out of the frequent-items sketch: that costs at most one count per batch for
        any value (``pruned`` counts the batches it happened in, and the reported
        count error includes it), and saves a per-value call for every unique value,
        the bulk of a high-cardinality column.
        """
        self._ensure_sketches()
        # map() keeps the per-value call in C; a Python for-loop doubles the cost.
        for _ in map(self.hll.update, distinct_keys):
            pass
        update = self.top.update
        for text, count in zip(heavy, heavy_counts, strict=True):
            update(text, count)
        if pruned:
            self.pruned += 1

    # -- merging ---------------------------------------------------------------------
    def merge(
        self,
        other: ValueCounter,
        render: Callable[[list[Any]], list[str]],
        hll_key: Callable[[list[Any]], list[Any]],
    ) -> None:
        if other.counts is not None:
            if self.counts is not None:
                keys = list(other.counts)
                self.add_counts(keys, [other.counts[k] for k in keys], render, hll_key)
            else:
                self._sketch_weighted(
                    list(other.counts), list(other.counts.values()), render, hll_key
                )
            return
        if self.counts is not None:
            table = self.counts
            self.counts = None
            self.key_bytes = 0
            self._sketch_weighted(list(table), list(table.values()), render, hll_key)
        self._ensure_sketches()
        union = _ds().hll_union(HLL_LG_K)
        union.update(self.hll)
        union.update(other.hll)
        self.hll = union.get_result(_ds().tgt_hll_type.HLL_8)
        self.top.merge(other.top)
        self.pruned += other.pruned

    # -- results ---------------------------------------------------------------------
    def distinct(self) -> tuple[int, float | None]:
        """(distinct count, relative error bound or None when exact)."""
        if self.counts is not None:
            return len(self.counts), None
        if self.hll is None or self.hll.is_empty():
            return 0, None
        estimate = float(self.hll.get_estimate())
        upper = float(self.hll.get_upper_bound(_HLL_STD_DEVS))
        lower = float(self.hll.get_lower_bound(_HLL_STD_DEVS))
        bound = max(upper - estimate, estimate - lower) / estimate if estimate else 0.0
        return round(estimate), bound

    def top_values(self, limit: int) -> list[tuple[Any, int, int]]:
        """Up to ``limit`` (value, count, count error); sketch values are rendered strings."""
        if self.counts is not None:
            # Ties broken by the value's repr so that every split orders them alike.
            ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], repr(kv[0])))
            return [(k, v, 0) for k, v in ranked[:limit]]
        if self.top is None or self.top.is_empty():
            return []
        rows = self.top.get_frequent_items(_ds().frequent_items_error_type.NO_FALSE_NEGATIVES)
        ranked_rows = sorted(rows, key=lambda r: (-r[1], r[0]))[:limit]
        return [
            (item, int(est), int(max(ub - est, est - lb)) + self.pruned)
            for item, est, lb, ub in ranked_rows
        ]

    def top_error(self) -> int:
        """The frequent-items sketch's a-posteriori count error (0 when exact)."""
        if self.counts is not None or self.top is None:
            return 0
        epsilon = self.top.get_epsilon_for_lg_size(FREQUENT_LG_MAX_MAP_SIZE)
        return int(epsilon * self.top.total_weight) + self.pruned

    def top_sketch_bytes(self) -> bytes | None:
        """The frequent-strings sketch for drift checks; None while exact (the caller
        builds one from the dictionary, rendering keys its own way)."""
        if self.top is not None and self.counts is None:
            return bytes(self.top.serialize())
        return None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "key_bytes": self.key_bytes,
            "pruned": self.pruned,
            "hll": bytes(self.hll.serialize_compact()) if self.hll is not None else None,
            "top": bytes(self.top.serialize()) if self.top is not None else None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        from dataprof.profiling.sketch_checks import checked_frequent_strings, checked_hll

        self.counts = state["counts"]
        self.key_bytes = state["key_bytes"]
        self.pruned = state["pruned"]
        hll, top = state["hll"], state["top"]
        self.hll = checked_hll(hll, HLL_LG_K) if hll is not None else None
        self.top = checked_frequent_strings(top) if top is not None else None
