"""The numeric accumulator past its exact-count budget: the distribution summary's glue.

While a column's distinct values fit the budget, its histogram and outlier count
come exactly from the value counts. Once the counter gives them up, a
:class:`~dataprof.profiling.accumulators.distribution_summary.DistributionSummary`
takes over, and this mixin keeps it in step with the counter: started from the
exact table the column left (its distinct values weighted by their counts), fed
every later batch, merged with another task's, and checked when a state is loaded.
A failure here loses the summary only (the histogram and outliers then come from
KLL, labelled so), never the column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators.distribution_summary import DistributionSummary
from dataprof.profiling.types import Kind

if TYPE_CHECKING:
    import numpy.typing as npt
    import pyarrow as pa

    from dataprof.profiling.exact_counts import ExactCounts
    from dataprof.profiling.value_counter import ValueCounter


class _NumericSummaryMixin:
    """Keeps :attr:`summary` in step with the counter once it leaves the budget."""

    name: str
    kind: Kind
    valid: int
    failure: str | None
    counter: ValueCounter
    summary: DistributionSummary | None

    if TYPE_CHECKING:

        def _render_keys(self, keys: pa.Array) -> list[str]: ...

        def _hll_keys(self, keys: pa.Array) -> list[Any]: ...

    def _new_summary(self) -> DistributionSummary:
        integer = self.kind in (Kind.INTEGER, Kind.TEMPORAL)
        return DistributionSummary(integer, outliers=self.kind is not Kind.TEMPORAL)

    def _summary_of(self, table: ExactCounts) -> DistributionSummary:
        """A summary of the values an exact table held (the moment the column left the
        budget), built from its distinct values, weighted by their counts."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        summary = self._new_summary()
        # Part by part as the table waits (a sum of counts: folding first changes nothing
        # but the time a sort of millions of keys takes).
        for keys, counts in table.unfolded():
            if not len(keys):
                continue
            as_float = pc.cast(keys, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
            grid_values = (
                as_float
                if self.kind in (Kind.FLOAT, Kind.DECIMAL)
                else keys.to_numpy(zero_copy_only=False)
            )
            summary.update(grid_values, as_float, counts.astype(np.float64))
        return summary

    def _summarize_batch(
        self, table: ExactCounts | None, grid_values: npt.NDArray[Any], floats: npt.NDArray[Any]
    ) -> None:
        """Past the budget, add a batch to the summary; if the column left the budget
        with this batch, start the summary from the table it left (which may already
        hold the batch). A failure loses the summary only (the histogram and outliers
        then come from KLL, labelled so), never the column."""
        try:
            if table is not None:
                self.summary = self._summary_of(table)
                if self.summary.total == self.valid:
                    return
            if self.summary is not None:
                self.summary.update(grid_values, floats)
        except Exception:
            self.summary = None

    def _settle_counter(self) -> None:
        """Fold the counter's pending values; if that leaves the budget, summarize."""
        table = self.counter.table
        self.counter.settle(self._render_keys, self._hll_keys)
        if table is not None and self.counter.table is None:
            try:
                self.summary = self._summary_of(table)
            except Exception:
                self.summary = None

    def _merge_summaries(
        self,
        mine: ExactCounts | None,
        theirs: ExactCounts | None,
        their_summary: DistributionSummary | None,
    ) -> None:
        """After a merge that left the counter past the budget (``mine`` and ``theirs``
        are the exact tables each side held before it, None past the budget)."""
        # A table that left the budget in this merge is summarized; mine holds theirs
        # too when both were exact. A side whose summary was lost loses the merged one.
        try:
            summary = self._summary_of(mine) if mine is not None else self.summary
            if theirs is None:
                addition = their_summary
            else:
                addition = self._summary_of(theirs) if mine is None else self._new_summary()
            if summary is not None and addition is not None:
                summary.merge(addition)
                self.summary = summary
            else:
                self.summary = None
        except Exception:
            self.summary = None

    def _check_summary(self) -> None:
        """A loaded state's summary must fit its column: a summary of another column's
        values (or a hand-made state) would give a histogram that is silently wrong."""
        summary = self.__dict__.get("summary")
        if summary is None or self.failure is not None:
            return
        if (
            not isinstance(summary, DistributionSummary)
            or summary.total != self.valid
            or summary.grid.integer != (self.kind in (Kind.INTEGER, Kind.TEMPORAL))
            or (summary.log is None) != (self.kind is Kind.TEMPORAL)
            or self.counter.table is not None
        ):
            raise ValueError(f"column {self.name!r}: its distribution summary does not fit")
