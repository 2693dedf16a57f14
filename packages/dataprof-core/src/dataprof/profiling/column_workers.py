"""The worker processes that profile a long table's columns (:mod:`.column_groups`),
started before this process profiles anything, so that none of them imports pandas.

pyarrow imports pandas the first time a process converts numpy or Python values or
asks whether an argument is a pandas object (``pa.array``, ``pa.scalar``,
``Array.to_numpy``, a compute function given a Python number): 0.2 s of CPU and 32
MiB, which the engine never uses. The workers run the engine only, so unless a
plugin metric runs there too, each blocks that import (pyarrow then takes nothing
for a pandas object, which, with pandas never imported, nothing is). The parent that
forks them profiles nothing itself: the first rows whose profiling ranks the columns
by cost (:func:`.probe_costs`) are profiled by the first worker. A process that
imported pandas before keeps it, and its workers inherit it. Measured on the
benchmark's 5M-row file: 0.2-0.3 s less time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from dataprof.profiling.parallel import (
    GroupResult,
    _collect,
    _init_worker,
    _portable,
    _profile_group,
    _Progress,
    _stop_now,
    start_method,
)

if TYPE_CHECKING:
    from dataprof.config import DataSourceConfig
    from dataprof.connector import DataConnector, ScanSplit
    from dataprof.profiling.plugins import ColumnMetric

__all__ = ["ColumnWorkers"]

Task = tuple[Sequence[str], Sequence["ScanSplit"], bool]
"""Some of the table's columns, the splits to read them over, and whether those are all
the table's (then the worker finalizes the columns)."""


def _probe_columns(
    config: DataSourceConfig,
    splits: Sequence[ScanSplit],
    columns: Sequence[str],
    column_metrics: Sequence[ColumnMetric],
) -> tuple[dict[str, float] | None, BaseException | None]:
    """In a worker: each column's cost a row, measured on the table's first rows (None
    when it has none), or the error that stopped it."""
    from dataprof.profiling.column_groups import PROBE_ROWS, first_batch, probe_costs
    from dataprof.registry import get_connector

    try:
        with get_connector(config) as connector:
            batch = first_batch(connector, columns, PROBE_ROWS, splits)
        return (None if batch is None else probe_costs(batch, column_metrics)), None
    except BaseException as exc:
        return None, _portable(exc, config)


class ColumnWorkers:
    """A pool of ``processes`` forked workers: a probe of the first rows, then tasks of
    columns, costliest first, each run by the next free worker (a column that costs
    more than its estimate delays only its own worker)."""

    def __init__(
        self,
        connector: DataConnector,
        processes: int,
        column_metrics: Sequence[ColumnMetric],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        context = multiprocessing.get_context(start_method())
        self.config = connector.config
        self.column_metrics = list(column_metrics)
        self.tracker = _Progress(context, progress)
        block_pandas = not self.column_metrics  # a plugin's metric may want it
        self.pool = ProcessPoolExecutor(
            max_workers=max(1, processes),
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.tracker.queue, 1, os.getpid(), processes, block_pandas),
        )

    def probe(self, splits: Sequence[ScanSplit], columns: Sequence[str]) -> dict[str, float] | None:
        """Each column's cost a row, measured by a worker on the first rows (None: no
        rows, and the workers are stopped)."""
        try:
            costs, error = self.pool.submit(
                _probe_columns, self.config, list(splits), list(columns), self.column_metrics
            ).result()
            if error is not None:
                raise error
        except BaseException:
            _stop_now(self.pool)
            raise
        if costs is None:
            self.pool.shutdown(wait=True)
        return costs

    def run(
        self,
        tasks: Sequence[Task],
        groups: int,
        *,
        batch_size: int,
        schema_bytes: bytes,
        declared: Mapping[str, str],
    ) -> list[GroupResult]:
        """The tasks' results in their order; ``groups``: how many groups of columns the
        tasks cover (progress counts each group's rows once)."""
        self.tracker.groups = max(1, groups)
        submit_args: list[tuple[Any, ...]] = [
            (
                self.config,
                index,
                list(splits),
                list(columns),
                batch_size,
                schema_bytes,
                dict(declared),
                self.column_metrics,
                finish,
            )
            for index, (columns, splits, finish) in enumerate(tasks)
        ]
        return _collect(
            self.pool,
            lambda: [self.pool.submit(_profile_group, *args) for args in submit_args],
            self.tracker,
        )

    def stop(self) -> None:
        """Stop the workers without waiting for them (on an error before :meth:`run`)."""
        _stop_now(self.pool)
