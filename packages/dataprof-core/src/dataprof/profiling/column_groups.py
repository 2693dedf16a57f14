"""Every core on a long table: its columns shared between this process and forked workers.

Column threads (:mod:`.column_threads`) share one GIL, and most of a column's
work per batch holds it: DataSketches' updates (KLL's vectorized one included),
small numpy and Arrow calls, regular expressions. Measured on the benchmark's 5M-row
file, two threads ran at 1.25x the speed of one. Worker processes over *row* splits
each keep a copy of every column's exact-count table and the parent merges them
(0.7x the speed of one process). Splitting the *columns* has neither cost: each
process reads only its columns (a columnar file decodes columns separately
anyway), profiles them over every row, and the states, holding different columns,
are joined, not merged.

The columns are shared out by what they cost: the first rows are profiled once,
column by column (a wide table's costs are guessed from its types), and the columns
go to groups, the most costly first, each to the group with the least so far (LPT
scheduling). Each process finalizes its own columns, so what travels back is their
profiles, not their exact-count tables. This process profiles the first
group while forked workers profile the others.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from dataprof.connector import Capability, ScanSplit
from dataprof.errors import ConnectorError
from dataprof.profiling.accumulators import ColumnAccumulator, FinalizeContext
from dataprof.profiling.column_threads import column_threads
from dataprof.profiling.models import ColumnProfile, MetricSource
from dataprof.profiling.plugins import ColumnMetric
from dataprof.profiling.state import ProfileState

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.connector import DataConnector
    from dataprof.profiling.parallel import GroupResult

__all__ = [
    "COLUMN_GROUPS_MIN_BYTES",
    "FinishedColumn",
    "column_group_count",
    "guessed_costs",
    "join_column_states",
    "probe_costs",
    "profile_column_groups",
    "share_columns",
]

COLUMN_GROUPS_MIN_BYTES = 64 * 1024 * 1024
"""Uncompressed bytes a table must hold before its columns are shared between processes:
below it, forking and the probe cost more than the second core saves (a 1,000-column
x 1,000-row file takes about a second on one)."""
_WARM_UP_ROWS = 64
PROBE_ROWS = 8_192
"""Rows of the first batch whose profiling times each column: enough to rank them."""
PROBE_MAX_COLUMNS = 64
"""Above this many columns the costs are guessed from the types instead: reading a first
batch of 1,000 columns reads their whole first row group (1-2 s for 100,000 rows), and
so many columns even out between the groups anyway."""
_GUESSED_COST = {"string": 3.0, "binary": 3.0, "list": 3.0, "struct": 3.0, "boolean": 0.3}


def column_group_count(
    connector: DataConnector, splits: Sequence[ScanSplit], columns: int, notes: list[str]
) -> int:
    """How many processes to share the columns between: one per core (at most one per
    column), or 1 when the table is small, the connector cannot hand its splits to
    other processes or read columns apart, one core is asked for
    (``DATAPROF_THREADS=1``) or the machine is busy."""
    cores = os.cpu_count() or 1
    if cores < 2 or columns < 2 or column_threads() < 2:
        return 1
    # Both: other processes can read the table (a warehouse query would run twice,
    # an in-memory table cannot be reached from another process) and read columns apart.
    if not (
        connector.supports(Capability.PARALLEL_SPLITS)
        and connector.supports(Capability.COLUMN_PROJECTION)
    ):
        return 1
    total = sum(s.estimated_bytes for s in splits)
    if total < COLUMN_GROUPS_MIN_BYTES:
        return 1
    # No load-average check, unlike row workers: a second process holds no second copy
    # of anything, and on a busy machine two processes get two shares of the cores.
    return min(cores, columns)


def probe_costs(batch: pa.RecordBatch, column_metrics: Sequence[ColumnMetric]) -> dict[str, float]:
    """Seconds each top-level column of ``batch`` takes to profile (with its struct
    fields and plugin metrics), after a warm-up on a few rows so that no column pays
    for the first use of a module."""
    names = batch.schema.names
    for rows in (min(_WARM_UP_ROWS, batch.num_rows), min(PROBE_ROWS, batch.num_rows)):
        costs: dict[str, float] = {}
        for index, name in enumerate(names):
            one = batch.select([index]).slice(0, rows)
            state = ProfileState(one.schema, column_metrics=column_metrics)
            started = time.perf_counter()
            state.update(one)
            costs[name] = time.perf_counter() - started
    return costs


def guessed_costs(schema: pa.Schema) -> dict[str, float]:
    """A cost for each column from its type alone: variable-width values cost more."""
    from dataprof.profiling.types import kind_of

    return {field.name: _GUESSED_COST.get(kind_of(field.type)[0].value, 1.0) for field in schema}


def share_columns(costs: Mapping[str, float], groups: int) -> list[list[str]]:
    """``costs``' columns in ``groups`` groups of about equal cost (the costliest
    first, each to the cheapest group so far); each group keeps the table's order."""
    order = {name: i for i, name in enumerate(costs)}
    loads = [0.0] * groups
    members: list[list[str]] = [[] for _ in range(groups)]
    for name in sorted(costs, key=lambda n: (-costs[n], order[n])):
        cheapest = min(range(groups), key=lambda g: (loads[g], g))
        members[cheapest].append(name)
        loads[cheapest] += max(costs[name], 1e-9)
    return [sorted(m, key=order.__getitem__) for m in members if m]


class FinishedColumn(ColumnAccumulator):
    """A column a worker profiled and finalized: its profile and sketches, handed to
    :func:`.finalize` as they are. Never stored or sent (it is no state's accumulator
    that :meth:`ProfileState.from_bytes` accepts)."""

    def __init__(
        self, profile: ColumnProfile, sketches: dict[str, str], ctx: FinalizeContext
    ) -> None:
        import pyarrow as pa

        super().__init__(profile.column_name, pa.null(), profile.data_type)
        self.profile = profile
        self.sketches = sketches
        self.ctx = ctx
        self.rows = profile.row_count

    def update(self, arr: pa.Array) -> None:
        raise RuntimeError(f"column {self.name!r} was finished in a worker")

    def finalize(self, ctx: FinalizeContext, sketches: dict[str, str]) -> ColumnProfile:
        if ctx != self.ctx:
            raise RuntimeError(f"column {self.name!r} was finished as {self.ctx}, not {ctx}")
        sketches.update(self.sketches)
        return self.profile


def join_column_states(
    schema: pa.Schema,
    declared: Mapping[str, str],
    column_metrics: Sequence[ColumnMetric],
    parts: Sequence[GroupResult],
    error_context: Mapping[str, str],
) -> ProfileState:
    """One state of ``schema`` (columns in its order) from groups of its columns, each
    finished over the same rows."""
    rows = sorted({r.profile.row_count for r in parts if r.profile is not None})
    if len(rows) > 1:
        raise ConnectorError(
            f"The table changed while it was profiled: its columns were read over "
            f"{' and '.join(f'{r:,}' for r in rows)} rows",
            **error_context,
            hint="profile again; a connector that pins its reads to a snapshot avoids this",
        )
    whole = ProfileState(schema, declared=declared, column_metrics=column_metrics)
    whole.row_count = rows[0] if rows else 0
    whole.plugin_states = {}  # each column's plugin metrics are in its profile already
    ctx = FinalizeContext(source=MetricSource.FULL_SCAN, sampled=False)
    for part in parts:
        assert part.profile is not None
        whole.bytes_read += part.bytes_read
        whole.batches = max(whole.batches, part.batches)
        names = {c.column_name for c in part.profile.columns}
        sketches: dict[str, dict[str, str]] = {name: {} for name in names}
        for key, value in part.profile.sketches.items():
            # "<column>/<sketch>": a column's name may hold "/", a sketch's does not
            sketches.setdefault(key.rsplit("/", 1)[0], {})[key] = value
        for column in part.profile.columns:
            whole.columns[column.column_name] = FinishedColumn(
                column, sketches[column.column_name], ctx
            )
    return whole


def read_group(
    connector: DataConnector,
    splits: Sequence[ScanSplit],
    columns: Sequence[str],
    batch_size: int,
    schema: pa.Schema,
    declared: Mapping[str, str],
    column_metrics: Sequence[ColumnMetric],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ProfileState, set[int | None]]:
    """One group's state over every split, in order (``connector`` already built)."""
    import pyarrow as pa

    group_schema = pa.schema([schema.field(name) for name in columns])
    state = ProfileState(
        group_schema,
        declared={k: v for k, v in declared.items() if k in set(columns)},
        column_metrics=column_metrics,
    )
    for split in splits if len(splits) > 1 else [None]:
        for batch in connector.iter_batches(list(columns), batch_size, split=split):
            state.update(batch)
            if progress is not None:
                progress(state.row_count, state.bytes_read)
    # Splits pinned to a snapshot (Iceberg's) were read at it, whatever is current now.
    pinned = {s.payload["snapshot_id"] for s in splits if "snapshot_id" in s.payload}
    return state, pinned or {connector.snapshot_id}


def first_batch(
    connector: DataConnector,
    columns: Sequence[str] | None,
    batch_size: int,
    splits: Sequence[ScanSplit],
) -> pa.RecordBatch | None:
    """The table's first batch, to probe its columns' costs (None if it has no rows)."""
    batches = connector.iter_batches(
        columns, batch_size, split=splits[0] if len(splits) > 1 else None
    )
    try:
        for batch in batches:
            if batch.num_rows:
                return batch
        return None
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def profile_column_groups(
    connector: DataConnector,
    splits: Sequence[ScanSplit],
    groups: int,
    schema: pa.Schema,
    declared: Mapping[str, str],
    batch_size: int,
    column_metrics: Sequence[ColumnMetric],
    progress: Callable[[int, int], None] | None,
    notes: list[str],
) -> tuple[ProfileState, set[int | None]] | None:
    """The table's state, its columns shared between this process and ``groups - 1``
    forked workers; None (with a note) when they are not worth it or cannot start, and
    this process should read alone."""
    import pickle
    from concurrent.futures.process import BrokenProcessPool

    from dataprof.errors import PluginError
    from dataprof.profiling.column_threads import share_cores
    from dataprof.profiling.parallel import GroupWorkers

    try:
        pickle.dumps(list(column_metrics))
    except Exception:
        notes.append("full: one process, a plugin metric cannot be sent to workers")
        return None
    if len(schema) > PROBE_MAX_COLUMNS:
        costs = guessed_costs(schema)
        how = "by their types"
    else:
        probe = first_batch(connector, schema.names, PROBE_ROWS, splits)
        if probe is None:
            return None
        costs = probe_costs(probe, column_metrics)
        how = f"by their cost on the first {PROBE_ROWS:,} rows"
    shared = share_columns(costs, groups)
    if len(shared) < 2:
        return None
    mine, others = shared[0], shared[1:]
    try:
        workers = GroupWorkers(
            connector,
            others,
            splits,
            processes=len(shared),
            batch_size=batch_size,
            schema_bytes=bytes(schema.serialize().to_pybytes()),
            declared=declared,
            column_metrics=column_metrics,
        )
    except (PluginError, BrokenProcessPool, OSError) as exc:
        notes.append(f"full: one process, the worker processes could not start ({exc})")
        return None
    share_cores(len(shared))
    try:
        own, snapshots = read_group(
            connector, splits, mine, batch_size, schema, declared, column_metrics, progress
        )
        # finalized here while the workers may still be reading: as theirs are
        finished = [_finished(0, own, snapshots)]
        try:
            theirs = workers.results()
        except (PluginError, BrokenProcessPool) as exc:
            # e.g. a connector registered in this process only: the rest is read here
            notes.append(f"full: the worker processes failed ({exc}); their columns read here")
            workers.stop()
            share_cores(1)
            rest, _ = read_group(
                connector,
                splits,
                [n for group in others for n in group],
                batch_size,
                schema,
                declared,
                column_metrics,
            )
            theirs = [_finished(1, rest, snapshots)]
    except BaseException:
        workers.stop()
        raise
    finally:
        share_cores(1)
    notes.append(
        f"full: columns shared between {len(shared)} processes {how} "
        f"({', '.join(str(len(g)) for g in shared)} columns)"
    )
    state = join_column_states(
        schema, declared, column_metrics, [*finished, *theirs], connector.error_context()
    )
    snapshots |= {r.snapshot_id for r in theirs}
    return state, snapshots


def _finished(index: int, state: ProfileState, snapshots: set[int | None]) -> GroupResult:
    from dataprof.profiling.parallel import GroupResult
    from dataprof.profiling.state import finalize

    profile = finalize(state, source=MetricSource.FULL_SCAN, sampled=False)
    snapshot = next(iter(snapshots)) if len(snapshots) == 1 else None
    return GroupResult(index, profile, state.batches, state.bytes_read, snapshot, None)
