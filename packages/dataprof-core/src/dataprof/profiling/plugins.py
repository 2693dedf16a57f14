"""Metrics contributed by plugins, computed in the same pass as the built-in ones.

A plugin returns objects satisfying :class:`ColumnMetric` from the pluggy hook
``dataprof_column_metrics``. The engine treats them exactly like its own
accumulators: one ``update`` per batch, ``merge`` between partial states (so it
must be associative and commutative), ``result`` at the end. The state is kept
inside :class:`~dataprof.profiling.state.ProfileState` and travels between
processes with it, so it must be built from plain Python values (numbers,
strings, bytes, lists, dicts, tuples, None).

A minimal plugin::

    class LongestWord:
        name = "longest_word"

        def applies_to(self, data_type): return pa.types.is_string(data_type)
        def initial(self): return 0
        def update(self, state, values): ...  # values: the batch's array
        def merge(self, a, b): return max(a, b)
        def result(self, state): return state
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from dataprof.errors import PluginError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ColumnMetric", "load_column_metrics"]


@runtime_checkable
class ColumnMetric(Protocol):
    """A per-column metric a plugin adds to every profile."""

    name: str
    """The key under ``ColumnProfile.metrics``; must not clash with a built-in metric."""

    def applies_to(self, data_type: pa.DataType) -> bool:
        """Whether to compute this metric for a column of ``data_type``."""
        ...

    def initial(self) -> Any:
        """The state before any value is seen."""
        ...

    def update(self, state: Any, values: pa.Array) -> Any:
        """The state after one batch's ``values`` (nulls included)."""
        ...

    def merge(self, a: Any, b: Any) -> Any:
        """Two partial states as one; associative and commutative."""
        ...

    def result(self, state: Any) -> Any:
        """The metric's value, or a :class:`dataprof.profiling.Metric` to state exactness."""
        ...


def load_column_metrics() -> list[ColumnMetric]:
    """Every metric the installed plugins contribute, checked against the protocol."""
    from dataprof.hooks import get_hooks

    metrics: list[ColumnMetric] = []
    seen: set[str] = set()
    for candidate in get_hooks().column_metrics():
        if not isinstance(candidate, ColumnMetric):
            raise PluginError(
                f"{candidate!r} returned by dataprof_column_metrics is not a ColumnMetric",
                hint="give it a `name` and the methods applies_to, initial, update, merge and result",
            )
        if candidate.name in seen:
            raise PluginError(
                f"Two column metrics are named {candidate.name!r}",
                hint="rename one of them; metric names are keys of ColumnProfile.metrics",
            )
        seen.add(candidate.name)
        metrics.append(candidate)
    return metrics
