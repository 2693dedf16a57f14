"""Every core on a long table: its columns profiled by a forked worker process per core.

Column threads (:mod:`.column_threads`) share one GIL, and most of a column's
work per batch holds it: DataSketches' updates (KLL's vectorized one included),
small numpy and Arrow calls, regular expressions. Measured on the benchmark's 5M-row
file, two threads ran at 1.25x the speed of one. Worker processes over *row* splits
each keep a copy of every column's exact-count table and the parent merges them
(0.7x the speed of one process). Splitting the *columns* has neither cost: a
worker reads only its task's columns (a columnar file decodes columns separately
anyway), profiles them over every row and finalizes them, so what travels back is
their profiles, not their exact-count tables; the profiles are joined, not merged.

Tasks go out costliest first and the next free worker takes the next one, so the
workers finish together even when a column costs more than estimated. The costs
are measured on the first rows, column by column (a wide table's are guessed from
its types); up to :data:`MAX_SINGLE_COLUMN_TASKS` columns each is a task, beyond
that columns are grouped (LPT scheduling: the costliest first, each to the
cheapest group so far).
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
READ_S_PER_BYTE = 1.7e-9
"""Decoding a column's bytes from Parquet (Snappy): measured 0.94 s for 550 MB of text."""
SKETCH_S_PER_VALUE = 4e-8
SKETCH_S_PER_BYTE = 6e-10
"""Text past its budget: hashing it for the HLL (:mod:`.text_hash`; measured 0.44 s for
five million 113-byte comments, 0.25 s for as many 11-byte ids)."""
SKETCH_S_PER_NUMBER = 1e-7
"""A number past its budget: the HLL, the fine grid, the log buckets, the frequent items."""
PROBE_MAX_COLUMNS = 64
"""Above this many columns the costs are guessed from the types instead: reading a first
batch of 1,000 columns reads their whole first row group (1-2 s for 100,000 rows), and
so many columns even out between the groups anyway."""
MAX_SINGLE_COLUMN_TASKS = 32
"""Up to this many columns, each is a task of its own."""
SPLIT_GROUP_SHARE = 0.75
"""A group costing more than this share of one process's work is read in parts."""
TASKS_PER_PROCESS = 4
"""Beyond it, this many groups of columns a process: small enough that the workers
finish together, few enough that opening the table per task costs nothing."""
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
    """Each top-level column's cost a row (seconds): its profiling time on ``batch``
    (with its struct fields and plugin metrics, after a warm-up on a few rows so that no
    column pays for the first use of a module), plus what the first rows cannot show:
    decoding its bytes (:data:`READ_S_PER_BYTE`) and, for a column whose values barely
    repeat, the sketches it will need past its exact-count budget
    (:data:`SKETCH_S_PER_VALUE`, :data:`SKETCH_S_PER_BYTE` for text,
    :data:`SKETCH_S_PER_NUMBER`). On the benchmark's files the
    first 8,192 rows put long free text at the cost of an id; this puts it at 3x."""
    from dataprof.profiling.types import Kind

    names = batch.schema.names
    for rows in (min(_WARM_UP_ROWS, batch.num_rows), min(PROBE_ROWS, batch.num_rows)):
        costs: dict[str, float] = {}
        for index, name in enumerate(names):
            one = batch.select([index]).slice(0, rows)
            state = ProfileState(one.schema, column_metrics=column_metrics)
            started = time.perf_counter()
            state.update(one)
            seconds = time.perf_counter() - started
            per_row = 1.0 / max(1, rows)
            cost = seconds + READ_S_PER_BYTE * one.nbytes
            acc = state.columns[name]
            counter = getattr(acc, "counter", None)
            table = getattr(counter, "table", None)
            if table is not None and len(table) > rows // 2:  # a column that will be sketched
                if acc.kind in (Kind.STRING, Kind.BINARY):
                    cost += rows * SKETCH_S_PER_VALUE + SKETCH_S_PER_BYTE * one.nbytes
                else:
                    cost += rows * SKETCH_S_PER_NUMBER
            costs[name] = cost * per_row
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
    whole: bool = True,
) -> tuple[ProfileState, set[int | None]]:
    """One group's state over ``splits`` in order (``connector`` already built): all the
    table's (``whole``; one of them means the table, read unsplit) or some."""
    import pyarrow as pa

    group_schema = pa.schema([schema.field(name) for name in columns])
    state = ProfileState(
        group_schema,
        declared={k: v for k, v in declared.items() if k in set(columns)},
        column_metrics=column_metrics,
    )
    for split in splits if len(splits) > 1 or not whole else [None]:
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


def column_tasks(costs: Mapping[str, float], processes: int) -> list[list[str]]:
    """What workers pick up, costliest first: each column alone when there are few
    (the next free worker takes the next, so a column that costs more than its
    estimate holds up only its own worker), else :data:`TASKS_PER_PROCESS` groups a
    process of about equal cost."""
    if len(costs) <= MAX_SINGLE_COLUMN_TASKS:
        groups = [[name] for name in costs]
    else:
        groups = share_columns(costs, TASKS_PER_PROCESS * processes)
    return sorted(groups, key=lambda g: -sum(costs[n] for n in g))


def parts_of(
    groups: Sequence[Sequence[str]], costs: Mapping[str, float], processes: int, splits: int
) -> list[int]:
    """Into how many parts of the splits each group is read: one, unless the group alone
    costs more than :data:`SPLIT_GROUP_SHARE` of a process's share of the table (long
    free text beside a few numbers), when it is read in a part a process (at most one
    a split) by as many workers, their states merged."""
    total = sum(costs.values())
    share = total / max(1, processes)
    return [
        min(processes, splits) if sum(costs[n] for n in group) > SPLIT_GROUP_SHARE * share else 1
        for group in groups
    ]


def profile_column_groups(
    connector: DataConnector,
    splits: Sequence[ScanSplit],
    processes: int,
    schema: pa.Schema,
    declared: Mapping[str, str],
    batch_size: int,
    column_metrics: Sequence[ColumnMetric],
    progress: Callable[[int, int], None] | None,
    notes: list[str],
) -> tuple[ProfileState, set[int | None]] | None:
    """The table's state, its columns profiled by ``processes`` forked workers; None
    (with a note) when they cannot start or cannot build the connector, and this
    process should read alone."""
    import pickle
    from concurrent.futures.process import BrokenProcessPool

    from dataprof.errors import PluginError
    from dataprof.profiling.column_workers import ColumnWorkers

    try:
        pickle.dumps(list(column_metrics))
    except Exception:
        notes.append("full: one process, a plugin metric cannot be sent to workers")
        return None
    # The workers start first: the probe of the first rows runs in one of them, so that
    # this process profiles nothing (see column_workers).
    workers = ColumnWorkers(connector, processes, column_metrics, progress)
    try:
        if len(schema) > PROBE_MAX_COLUMNS:
            costs = guessed_costs(schema)
            how = "guessed from their types"
        else:
            probed = workers.probe(splits, schema.names)
            if probed is None:
                return None
            costs = probed
            how = f"measured on the first {PROBE_ROWS:,} rows"
        groups = column_tasks(costs, processes)
        parts = parts_of(groups, costs, processes, len(splits))
        tasks: list[tuple[Sequence[str], Sequence[ScanSplit], bool]] = []
        owners: list[int] = []  # the group each task reads
        for number, (group, count) in enumerate(zip(groups, parts, strict=True)):
            for part in range(count):
                tasks.append((group, splits[part::count] if count > 1 else splits, count == 1))
                owners.append(number)
        results = workers.run(
            tasks,
            len(groups),
            batch_size=batch_size,
            schema_bytes=bytes(schema.serialize().to_pybytes()),
            declared=declared,
        )
    except (PluginError, BrokenProcessPool) as exc:
        # e.g. a connector registered in this process only, which workers cannot build
        workers.stop()
        notes.append(f"full: one process, the worker processes failed ({exc})")
        return None
    except BaseException:
        workers.stop()
        raise
    split_groups = sum(1 for count in parts if count > 1)
    notes.append(
        f"full: columns profiled by {min(processes, len(tasks))} worker processes, "
        f"{len(tasks)} tasks, costliest first (costs {how})"
        + (f"; {split_groups} costly column(s) read in parts and merged" if split_groups else "")
    )
    snapshots = {r.snapshot_id for r in results}
    results = _merged_parts(results, owners, column_metrics)
    state = join_column_states(schema, declared, column_metrics, results, connector.error_context())
    return state, snapshots


def _merged_parts(
    results: Sequence[GroupResult], owners: Sequence[int], column_metrics: Sequence[ColumnMetric]
) -> list[GroupResult]:
    """One finished result a group: a group read in parts has its parts' states merged
    (in split order) and finalized here."""
    from dataprof.profiling.parallel import GroupResult, merged_states
    from dataprof.profiling.state import finalize

    by_group: dict[int, list[GroupResult]] = {}
    for owner, result in zip(owners, results, strict=True):
        by_group.setdefault(owner, []).append(result)
    finished = []
    for parts in by_group.values():
        if len(parts) == 1 and parts[0].profile is not None:
            finished.append(parts[0])
            continue
        states = [part.state for part in parts if part.state is not None]
        profile = finalize(
            merged_states(states, column_metrics), source=MetricSource.FULL_SCAN, sampled=False
        )
        finished.append(
            GroupResult(
                parts[0].index,
                profile,
                max(p.batches for p in parts),
                sum(p.bytes_read for p in parts),
                parts[0].snapshot_id,  # the caller checks every part's
                None,
            )
        )
    return finished
