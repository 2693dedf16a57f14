"""Distinct count and top values of one column: exact within a memory budget, then sketches.

A :class:`ValueCounter` starts with an exact table (:class:`.ExactCounts`). While
the table's size (16 bytes a distinct value plus the bytes of string values) stays
within the column's budget, every figure that depends on counts is exact: distinct
count, top values, and for numbers the quantiles, median and histogram. The
budget defaults to :data:`DEFAULT_EXACT_BUDGET_MIB` MiB a column
(``DATAPROF_EXACT_BUDGET_MIB`` overrides it).

Past the budget the table goes, weighted, into two sketches, and the counter stays
sketched: an HLL sketch for the distinct count (numbers: a numpy one,
:mod:`.register_hll`, fed a batch at a time) and a frequent-items sketch for the
top values. Values seen once (in a batch, or in the table when it degrades) skip
the frequent-items sketch, as do all but the :data:`FED_PER_PART` most repeated
ones; each time that can undercount a value by the count of the last one fed, and
the count error adds it up (``pruned``).

The switch depends only on the *set* of values seen, so merging stays honest: a
part never holds more distinct values than the whole, so if the whole fits every
part did, and merging exact parts is exact. (A column whose HLL estimate is far
past the budget switches without folding its pending pairs first: six standard
errors past it, :data:`CLEARLY_OVER`. A column heading there keeps that estimate up to
date batch by batch, so it switches at the first batch that puts it there.)

Beyond the budget, a top value is reported only when it is certain: its lower
bound exceeds what any value it could be confused with might reach, so it is
surely among the ``limit`` most frequent. The frequent-items sketch is sized so
that any value above :data:`FOUND_SHARE` of the values clears that bar whenever
it ranks among the top ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataprof.profiling.exact_counts import BYTES_PER_KEY, ExactCounts, string_bytes
from dataprof.profiling.offsets import is_large
from dataprof.profiling.register_hll import MAGIC as REGISTER_HLL_MAGIC
from dataprof.profiling.register_hll import RegisterHll
from dataprof.profiling.sketches import FREQUENT_LG_MAX_MAP_SIZE, HLL_LG_K, ds_module
from dataprof.profiling.text_hll import TEXT_MAGIC, TextHll

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

__all__ = [
    "CLEARLY_OVER",
    "DEFAULT_EXACT_BUDGET_MIB",
    "DEFER_SHARE",
    "FED_PER_PART",
    "FOLD_AT",
    "FOLD_AT_MOST",
    "FOLD_STEP",
    "FOUND_SHARE",
    "STORED_TOP_KEYS",
    "TRACK_AT",
    "SketchedTop",
    "ValueCounter",
    "exact_budget_bytes",
]

DEFAULT_EXACT_BUDGET_MIB = 32
"""Per column: about two million distinct numbers, or strings totalling ~30 MiB."""
FOUND_SHARE = 2 * 3.5 / 2**FREQUENT_LG_MAX_MAP_SIZE
"""A value above this share of the values is always recognised by the sketch (2 x its
a-priori error, 3.5 / map size): ~0.085% with a map of 2**13."""
FED_PER_PART = 2048
"""Most keys one batch (or a degrading table) feeds the frequent items, one Python call
each: a table of two million repeated amounts used to feed a million."""
FOLD_AT = 1.5
"""Pending pairs costing this many budgets are folded (or, clearly over, not kept):
past the margin below, so a column of all-distinct numbers never folds in vain."""
CLEARLY_OVER = 1.05
"""How far past the budget an estimate must put a column to skip folding it (see
:meth:`ValueCounter._estimated_share`): six standard errors of the HLL estimate
(0.81% each), so a set within the budget is taken for one over it about once in a
billion checks; and then only exactness is lost, the figures stay labelled with their
bounds. Below it, a column estimated near the budget waits (:data:`DEFER_SHARE`): the
benchmark's two million user ids sat 0.15% over the budget at a first check, and the fold
that found so cost 0.37 s."""
FOLD_STEP = 0.5
FOLD_AT_MOST = 2.5
TRACK_AT = 0.5
"""A column keeps the HLL of its keys batch by batch once its pending pairs cost this
many budgets (see :meth:`ValueCounter._tracked_over_budget`)."""
DEFER_SHARE = 0.75
"""A column estimated above this share of the budget defers its fold, the check coming
again after :data:`FOLD_STEP` more budgets of pending pairs, up to :data:`FOLD_AT_MOST`
(its estimate is kept batch by batch, so if it grows over it gives up at once, never
folded): the benchmark's 3.9 million amounts were at 0.9 of the budget when their pending
pairs first reached :data:`FOLD_AT` budgets, and the fold (a merge of 2.1 million keys,
0.34 s) came four batches before they went over."""
_HLL_STD_DEVS = 2  # ~95% confidence, the convention `Metric.error_bound` documents
STORED_TOP_KEYS = 32
"""Values the stored frequent-items sketch (``<column>/top``, read by the top-values drift
check, which compares the 10 most frequent) keeps: the most frequent ones, exact counts
while exact, estimates past the budget. It bounds what a run file holds per column
(32 keys of at most ~150 bytes each), whatever the values."""
_STORED_TOP_LG_MAP = 6  # a map of 64 slots holds 48 items: 32 never purge each other

Render = Callable[["pa.Array"], Any]
"""Keys to what a sketch takes: a list of values, or (numbers, for the HLL) a numpy
array of 64-bit hashes."""


def exact_budget_bytes() -> int:
    """The per-column budget for exact counting, from ``DATAPROF_EXACT_BUDGET_MIB``."""
    raw = os.environ.get("DATAPROF_EXACT_BUDGET_MIB", "")
    try:
        mib = float(raw) if raw.strip() else DEFAULT_EXACT_BUDGET_MIB
    except ValueError:
        mib = DEFAULT_EXACT_BUDGET_MIB
    return max(0, int(mib * 2**20))


@dataclass(frozen=True)
class SketchedTop:
    """One top value past the budget: its sketch string, its count's bounds and their
    midpoint as the estimate."""

    text: str
    estimate: int
    lower: int
    upper: int


class ValueCounter:
    """Distinct count and top values of one column.

    ``render`` turns an Arrow array of keys into the strings the frequent-items
    sketch keeps and ``hll_key`` into what the HLL sketch hashes; both are fixed
    per column kind, so every partial state of a column hashes a value alike.
    """

    def __init__(self, key_type: pa.DataType, budget: int | None = None) -> None:
        self.budget = exact_budget_bytes() if budget is None else budget
        self.table: ExactCounts | None = ExactCounts(key_type)
        self.pruned = 0
        self.hll: Any = None
        self.top: Any = None
        self._check_at = FOLD_AT
        self._seen: RegisterHll | None = None  # see _tracked_over_budget
        self._trackable = True
        self._seen_keys = 0  # text: keys hashed into ``_seen`` and their bytes
        self._seen_bytes = 0

    @property
    def exact(self) -> bool:
        return self.table is not None

    # -- adding ------------------------------------------------------------------------
    def add(
        self, keys: pa.Array, counts: npt.NDArray[Any], render: Render, hll_key: Render
    ) -> None:
        """Add one batch's distinct ``keys`` and their ``counts``."""
        if self.table is not None:
            if BYTES_PER_KEY * len(keys) > self.budget:
                self.degrade(render, hll_key)  # the batch alone is over budget
                self._sketch(keys, counts, render, hll_key)
                return
            self.table.add(keys, counts)
            if self._tracked_over_budget(keys, hll_key):
                self.degrade(render, hll_key, fold=False, distinct=self._seen)
                return
            if self.table.pending_bytes > self._check_at * self.budget:
                share, distinct = self._estimated_share()
                if share > CLEARLY_OVER:
                    self.degrade(render, hll_key, fold=False, distinct=distinct)
                elif share > DEFER_SHARE and self._check_at < FOLD_AT_MOST:
                    # Near the budget: a fold now (a sort or hash of every pending key)
                    # would likely find the column just over, as the next batches would.
                    self._check_at += FOLD_STEP
                else:
                    self._check_at = FOLD_AT
                    self.table.compact()
                    self.settle(render, hll_key)
            return
        self._sketch(keys, counts, render, hll_key)

    def _tracked_over_budget(self, keys: pa.Array, hll_key: Render) -> bool:
        """Whether the HLL of every key so far puts the column clearly past its budget,
        that HLL kept up to date batch by batch (a hash of the batch's distinct keys)
        once the pending pairs cost :data:`TRACK_AT` budgets (then every key of the
        table is hashed once; a column that stays small, or a wide table's thousand
        short columns, never pay). A column of millions of distinct values then gives
        up as soon as it is over, never folding its pending pairs (a sort or hash of
        millions of keys) only to find so, and no check hashes them again."""
        assert self.table is not None
        if self._seen is None:
            if not self._trackable or self.table.pending_bytes <= TRACK_AT * self.budget:
                return False
            self._seen = TextHll() if is_large(self.table.key_type) else RegisterHll()
            parts = [part for part, _ in self.table.unfolded()]
        else:
            parts = [keys]
        for part in parts:
            if not self._see(part, hll_key):
                self._trackable = False  # a wide decimal: its HLL is DataSketches'
                self._forget_seen()
                return False
        return self._tracked_share() > CLEARLY_OVER

    def _see(self, keys: pa.Array, hll_key: Render) -> bool:
        """Add keys to the kept HLL; False if they do not hash to a numpy array."""
        import numpy as np

        if isinstance(self._seen, TextHll):
            self._seen.update_keys(keys)
            self._seen_keys += len(keys)
            self._seen_bytes += string_bytes(keys)
            return True
        hashed = hll_key(keys)
        if not isinstance(hashed, np.ndarray):
            return False
        assert self._seen is not None
        self._seen.update_hashes(hashed)
        return True

    def _forget_seen(self) -> None:
        """Stop keeping the HLL of the keys (it no longer holds every key, or the
        counter gave up); text starts again from its table if it grows."""
        self._seen = None
        self._seen_keys = self._seen_bytes = 0

    def _tracked_share(self) -> float:
        """The share of its budget the kept HLL puts the column at (text: 16 bytes a
        key plus their mean length so far)."""
        assert self._seen is not None
        per_key = float(BYTES_PER_KEY)
        if self._seen_keys:
            per_key += self._seen_bytes / self._seen_keys
        return float(self._seen.get_estimate()) * per_key / max(1, self.budget)

    def _estimated_share(self) -> tuple[float, Any]:
        """The share of the budget the kept HLL puts the distinct values at, and that
        HLL (of the kind the counter keeps, so that giving up hashes nothing again); 0
        and None for keys numpy cannot hash (wide decimals), which a fold settles."""
        if self._seen is not None:
            return self._tracked_share(), self._seen
        return 0.0, None

    def settle(self, render: Render, hll_key: Render) -> None:
        """Fold pending values and degrade if the whole set is over budget."""
        if self.table is not None and self.table.size() > self.budget:
            self.degrade(render, hll_key)

    def degrade(
        self, render: Render, hll_key: Render, *, fold: bool = True, distinct: Any = None
    ) -> None:
        """Give up exact counting: the table goes into the sketches, weighted (folded
        first, or batch by batch as it waits when ``fold`` is false). ``distinct``: an
        HLL already holding every key of the table, which the counter then keeps (for
        numbers, the one kept up to date as they came)."""
        if self.table is None:
            return
        parts = [self.table.arrays()] if fold else self.table.unfolded()
        self.table = None
        if distinct is None:
            distinct = self._seen
        self._forget_seen()
        if distinct is not None and self.hll is None:
            self.hll = distinct
            self.top = ds_module().frequent_strings_sketch(FREQUENT_LG_MAX_MAP_SIZE)
            for keys, counts in parts:
                self._add_to_top(keys, counts, render)
            return
        for keys, counts in parts:
            self._sketch(keys, counts, render, hll_key)

    def _ensure_sketches(self, like: Any) -> None:
        """The sketches, once, the HLL of the kind ``like`` (keys as ``hll_key`` renders
        them, or another counter's HLL) calls for: a :class:`RegisterHll` for numbers
        hashed by numpy, a :class:`.TextHll` for text and bytes, DataSketches' HLL for
        the rest."""
        if self.hll is None:
            import numpy as np
            import pyarrow as pa

            ds = ds_module()
            if isinstance(like, pa.Array | TextHll):  # TextHll first: it is a RegisterHll
                self.hll = TextHll()
            elif isinstance(like, np.ndarray | RegisterHll):
                self.hll = RegisterHll()
            else:
                self.hll = ds.hll_sketch(HLL_LG_K, ds.tgt_hll_type.HLL_8)
            self.top = ds.frequent_strings_sketch(FREQUENT_LG_MAX_MAP_SIZE)

    def _sketch(
        self, keys: pa.Array, counts: npt.NDArray[Any], render: Render, hll_key: Render
    ) -> None:
        """Every distinct key feeds the HLL once, and the repeated ones the frequent
        items (:meth:`_add_to_top`)."""
        if not len(keys):
            return
        hashed = hll_key(keys)
        self._ensure_sketches(hashed)
        if isinstance(self.hll, TextHll):
            self.hll.update_keys(hashed)
        elif isinstance(self.hll, RegisterHll):
            self.hll.update_hashes(hashed)
        else:
            # map() keeps the per-value call in C; a Python for-loop doubles the cost.
            for _ in map(self.hll.update, hashed):
                pass
        self._add_to_top(keys, counts, render)

    def add_sketched_text(self, values: pa.Array, render: Render) -> None:
        """Past the budget, one batch of text or bytes (no nulls) as it came, not yet
        counted: every value's hash feeds the HLL, and only values whose hash repeats
        in the batch are counted (``value_counts``) for the frequent items. Free text and
        ids, which barely repeat, skip both the hash table of every value and the
        distinctness check (0.35 s and 0.33 s on the benchmark's ids and comments)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from dataprof.profiling.text_hash import hash_text

        assert self.table is None
        if not len(values):
            return
        hashes = hash_text(values)
        self._ensure_sketches(values)
        self.hll.update_hashes(hashes)
        ordered = np.sort(hashes)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(repeated):
            self.pruned += 1  # every value once: each left out, off by at most one
            return
        candidates = values.filter(pa.array(np.isin(hashes, repeated)))
        counts = pc.value_counts(candidates)
        keys, weights = counts.field(0), counts.field(1).to_numpy()
        # Values seen once (hash collisions among candidates, and every other value)
        # are left out as :meth:`_add_to_top` leaves them out.
        singles = len(values) - int(weights.sum()) + int(np.count_nonzero(weights == 1))
        self._add_to_top(keys, weights, render, left_out=singles > 0)

    def _add_to_top(
        self, keys: pa.Array, counts: npt.NDArray[Any], render: Render, *, left_out: bool = False
    ) -> None:
        """The frequent items get the keys seen more than ``c`` times with their counts,
        where ``c`` is 1, or more when over :data:`FED_PER_PART` keys repeat (the count
        of the last one fed). A key left out is off by at most ``c``, which ``pruned``
        adds to every bound."""
        import numpy as np
        import pyarrow as pa

        if not len(keys):
            if left_out:
                self.pruned += 1
            return
        cut = 1
        if int(np.count_nonzero(counts > 1)) > FED_PER_PART:
            cut = int(np.partition(counts, len(counts) - FED_PER_PART)[len(counts) - FED_PER_PART])
        heavy = counts > cut
        update = self.top.update
        for text, count in zip(
            render(keys.filter(pa.array(heavy))), counts[heavy].tolist(), strict=True
        ):
            update(text, count)
        if left_out or not heavy.all():
            self.pruned += cut

    # -- merging -----------------------------------------------------------------------
    def merge(self, other: ValueCounter, render: Render, hll_key: Render) -> None:
        self.budget = min(self.budget, other.budget)
        if other.table is not None:
            keys, counts = other.table.arrays()
            if self.table is not None:
                if self._seen is not None and other._seen is not None:
                    self._seen.merge(other._seen)  # the union's HLL: still every key's
                    self._seen_keys += other._seen_keys
                    self._seen_bytes += other._seen_bytes
                else:
                    self._forget_seen()
                self.table.merge(other.table)
                self.settle(render, hll_key)
            else:
                self._sketch(keys, counts, render, hll_key)
            return
        self.degrade(render, hll_key)
        self._ensure_sketches(other.hll)
        if type(self.hll) is not type(other.hll):
            raise ValueError("the parts' distinct-count sketches are of different kinds")
        if isinstance(self.hll, RegisterHll):  # a TextHll too
            self.hll.merge(other.hll)
        else:
            union = ds_module().hll_union(HLL_LG_K)
            union.update(self.hll)
            union.update(other.hll)
            self.hll = union.get_result(ds_module().tgt_hll_type.HLL_8)
        self.top.merge(other.top)
        self.pruned += other.pruned

    # -- results -----------------------------------------------------------------------
    def distinct(self) -> tuple[int, float | None]:
        """(distinct count, relative error bound or None when exact)."""
        if self.table is not None:
            return len(self.table), None
        if self.hll is None or self.hll.is_empty():
            return 0, None
        estimate = float(self.hll.get_estimate())
        upper = float(self.hll.get_upper_bound(_HLL_STD_DEVS))
        lower = float(self.hll.get_lower_bound(_HLL_STD_DEVS))
        bound = max(upper - estimate, estimate - lower) / estimate if estimate else 0.0
        return round(estimate), bound

    def exact_top(self, limit: int) -> list[tuple[Any, int]]:
        """The ``limit`` most frequent keys with exact counts, ties by value."""
        assert self.table is not None
        return self.table.top(limit)

    def max_error(self) -> int:
        """How far any count in the sketch may be off, and the most a value the sketch
        does not list can occur (0 when exact)."""
        if self.table is not None or self.top is None:
            return 0
        # Every tracked value's bounds differ by the sketch's offset, as an untracked
        # value's (0 and the offset) do.
        probe = "\x00dataprof:max-error"
        offset = int(self.top.get_upper_bound(probe)) - int(self.top.get_lower_bound(probe))
        return offset + self.pruned

    def most_any_count(self) -> int:
        """The most times any one value may occur, by the sketch: the largest upper
        bound it tracks, or what an untracked value may reach (0 when exact)."""
        unseen = self.max_error()
        if self.table is not None or self.top is None or self.top.is_empty():
            return unseen
        rows = self.top.get_frequent_items(ds_module().frequent_items_error_type.NO_FALSE_NEGATIVES)
        return max([unseen, *(int(ub) + self.pruned for *_, ub in rows)])

    def sketched_top(self, limit: int) -> list[SketchedTop]:
        """The values certain to be among the ``limit`` most frequent, with count bounds.

        A value is listed when its lower bound exceeds the upper bound of every value
        but fewer than ``limit`` others, and exceeds what any unlisted value may
        reach (:meth:`max_error`): then no ``limit`` values can outnumber it.
        """
        if self.top is None or self.top.is_empty():
            return []
        rows = self.top.get_frequent_items(ds_module().frequent_items_error_type.NO_FALSE_NEGATIVES)
        unseen = self.max_error()
        bounds = [(str(item), int(lb), int(ub) + self.pruned) for item, _, lb, ub in rows]
        uppers = [ub for *_, ub in bounds]
        certain = []
        for text, lb, ub in bounds:
            if lb <= unseen:
                continue
            # values (this one included) that may reach above this one's lower bound
            rivals = sum(1 for other in uppers if other > lb)
            if rivals - (1 if ub > lb else 0) < limit:
                certain.append(SketchedTop(text, (lb + ub) // 2, lb, ub))
        return certain

    def top_sketch_bytes(self, render: Render) -> bytes | None:
        """The small frequent-strings sketch stored for drift checks: the
        ``STORED_TOP_KEYS`` most frequent values (exact counts while exact, the big
        sketch's estimates past the budget)."""
        import pyarrow as pa

        ds = ds_module()
        if self.table is None:
            if self.top is None or self.top.is_empty():
                return None
            rows = self.top.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_NEGATIVES)
            pairs = [(item, int(estimate)) for item, estimate, _, _ in rows[:STORED_TOP_KEYS]]
        else:
            keys, counts = self.table.arrays()
            if not len(keys):
                return None
            if len(keys) > STORED_TOP_KEYS:
                import numpy as np

                chosen = np.argpartition(-counts, STORED_TOP_KEYS)[:STORED_TOP_KEYS]
                keys, counts = keys.take(pa.array(chosen)), counts[chosen]
            pairs = list(zip(render(keys), counts.tolist(), strict=True))
        sketch = ds.frequent_strings_sketch(_STORED_TOP_LG_MAP)
        for text, count in pairs:
            if count > 0:
                sketch.update(text, count)
        return bytes(sketch.serialize())

    # -- pickling: plain values --------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "table": self.table.__getstate__() if self.table is not None else None,
            "budget": self.budget,
            "pruned": self.pruned,
            "hll": bytes(self.hll.serialize_compact()) if self.hll is not None else None,
            "top": bytes(self.top.serialize()) if self.top is not None else None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        from dataprof.profiling.sketch_checks import checked_frequent_strings, checked_hll

        self.table = None
        if state["table"] is not None:
            self.table = ExactCounts.__new__(ExactCounts)
            self.table.__setstate__(state["table"])
        self.budget = int(state["budget"])
        self.pruned = int(state["pruned"])
        self._check_at = FOLD_AT
        self._forget_seen()  # not sent: a state read back checks its size by a new hash
        hll, top = state["hll"], state["top"]
        if hll is not None and hll.startswith(REGISTER_HLL_MAGIC):
            self.hll = RegisterHll.from_bytes(hll)
        elif hll is not None and hll.startswith(TEXT_MAGIC):
            self.hll = TextHll.from_bytes(hll)
        else:
            self.hll = checked_hll(hll, HLL_LG_K) if hll is not None else None
        self.top = checked_frequent_strings(top) if top is not None else None
        if self.table is None and (self.hll is None) != (self.top is None):
            raise ValueError("a sketched value counter needs both of its sketches")
