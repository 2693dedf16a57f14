"""Profiling the splits of a table in worker processes, then merging their states.

Each worker rebuilds the connector from its config (``dataprof.get_connector``),
reads one planned split, and sends its :class:`ProfileState` back as bytes;
the parent merges them in split order. Splits are small (see
``engine.SPLIT_TARGET_BYTES``) and handed out one at a time, so two workers stay
busy until the end and each buffers at most one split. Progress travels on a
queue so the caller's progress bar moves while the workers read. How workers
start is :func:`start_method`'s choice.

Stopping: workers ignore Ctrl-C (the terminal sends it to the whole process group;
the parent decides) and die with the parent (Linux ``PR_SET_PDEATHSIG``). When the
parent stops early, on an interrupt (Ctrl-C, or SIGTERM turned into an exception
by :func:`dataprof.job.interruptible`) or on a worker's error, it kills the
workers at once instead of waiting for their splits to finish.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue as queue_module
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from dataprof.errors import ConnectorError
from dataprof.profiling.plugins import ColumnMetric
from dataprof.profiling.state import ProfileState

if TYPE_CHECKING:
    from dataprof.config import DataSourceConfig
    from dataprof.connector import DataConnector, ScanSplit
    from dataprof.profiling.models import TableProfile

__all__ = ["GroupResult", "SplitResult", "merged_states", "profile_splits"]

_progress_queue: Any = None


class SplitResult:
    """One worker's answer: a state and the snapshot it read, or the error it raised."""

    def __init__(
        self, index: int, state: bytes | None, snapshot_id: int | None, error: BaseException | None
    ) -> None:
        self.index = index
        self.state = state
        self.snapshot_id = snapshot_id
        self.error = error


def start_method() -> str:
    """``fork`` on Linux, ``spawn`` elsewhere; ``DATAPROF_START_METHOD`` overrides.

    Forking skips re-importing pyarrow (and pandas, which ``pyarrow.dataset``
    imports) in every worker, a second of CPU each, and works from scripts that
    lack an ``if __name__ == "__main__":`` guard. It is safe here because a worker
    never touches the parent's connector, clients or open files (it rebuilds the
    connector from its config) and Arrow resets its thread pools after a fork.
    """
    chosen = os.environ.get("DATAPROF_START_METHOD")
    if chosen:
        return chosen
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies, however the parent dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class _NoPandas:
    """A finder that makes ``import pandas`` fail, as if it were not installed (pyarrow
    then goes without it; a ``None`` in ``sys.modules`` broke its C++ side)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (not in a profiling worker)")


def _init_worker(
    progress_queue: Any, arrow_threads: int, parent: int, workers: int, block_pandas: bool = False
) -> None:
    """A worker's setup; ``block_pandas``: see :mod:`.column_workers`."""
    import pyarrow as pa

    if block_pandas and "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())

    from dataprof.profiling.column_threads import share_cores

    # Ctrl-C reaches every process in the group: the parent handles it. A forked
    # worker also inherits the parent's SIGTERM handler; a worker told to stop stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    global _progress_queue
    _progress_queue = progress_queue
    # Each worker is one of `workers` processes sharing the cores: Arrow's own thread
    # pool sized for the whole machine in every worker would oversubscribe them.
    pa.set_cpu_count(arrow_threads)
    share_cores(workers)


def _portable(exc: BaseException, config: DataSourceConfig) -> BaseException:
    """``exc`` if it survives pickling, else a ConnectorError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        if isinstance(exc, ConnectorError):
            return ConnectorError(exc.reason, source=exc.source, table=exc.table, hint=exc.hint)
        return ConnectorError(
            f"A profiling worker failed: {type(exc).__name__}: {exc}",
            source=config.label,
            table=config.qualified_table,
        )


def _profile_split(
    config: DataSourceConfig,
    split: ScanSplit,
    columns: Sequence[str] | None,
    batch_size: int,
    schema_bytes: bytes,
    declared: Mapping[str, str],
    column_metrics: Sequence[ColumnMetric],
) -> SplitResult:
    import pyarrow as pa

    from dataprof.registry import get_connector

    try:
        schema = pa.ipc.read_schema(pa.py_buffer(schema_bytes))
        state = ProfileState(schema, declared=declared, column_metrics=column_metrics)
        with get_connector(config) as connector:
            for batch in connector.iter_batches(columns, batch_size, split=split):
                state.update(batch)
                if _progress_queue is not None:
                    _progress_queue.put((split.index, state.row_count, state.bytes_read))
            # A split that pins its snapshot (Iceberg's carry ``snapshot_id``) was read
            # at that snapshot, whatever is current for the worker's new connector.
            snapshot = split.payload.get("snapshot_id", connector.snapshot_id)
        # The split's buffers are garbage now; hand them back before the next split.
        pa.default_memory_pool().release_unused()
        return SplitResult(split.index, state.to_bytes(), snapshot, None)
    except BaseException as exc:
        return SplitResult(split.index, None, None, _portable(exc, config))


class GroupResult:
    """A worker's columns (:mod:`.column_groups`): finalized there, or, read over some of
    the splits only, their state to merge with the other parts'; or its error."""

    def __init__(
        self,
        index: int,
        profile: TableProfile | None,
        batches: int,
        bytes_read: int,
        snapshot_id: int | None,
        error: BaseException | None,
        state: bytes | None = None,
    ) -> None:
        self.index = index
        self.profile = profile
        self.batches = batches
        self.bytes_read = bytes_read
        self.snapshot_id = snapshot_id
        self.error = error
        self.state = state


def _profile_group(
    config: DataSourceConfig,
    index: int,
    splits: Sequence[ScanSplit],
    columns: Sequence[str],
    batch_size: int,
    schema_bytes: bytes,
    declared: Mapping[str, str],
    column_metrics: Sequence[ColumnMetric],
    finish: bool = True,
) -> GroupResult:
    """A worker's share of the columns over ``splits``, finalized here when they are
    all the table's (``finish``): a column's profile is a few kB where its state may
    hold megabytes of exact counts; else the state, to merge."""
    import pyarrow as pa

    from dataprof.profiling.column_groups import read_group
    from dataprof.profiling.models import MetricSource
    from dataprof.profiling.state import finalize
    from dataprof.registry import get_connector

    try:
        schema = pa.ipc.read_schema(pa.py_buffer(schema_bytes))
        queue = _progress_queue

        def progress(rows: int, nbytes: int) -> None:
            if queue is not None:
                queue.put((index, rows, nbytes))

        with get_connector(config) as connector:
            state, snapshots = read_group(
                connector,
                splits,
                columns,
                batch_size,
                schema,
                declared,
                column_metrics,
                progress,
                whole=finish,
            )
        if len(snapshots) > 1:
            raise ConnectorError(
                f"The table changed while it was profiled (snapshots {sorted(map(str, snapshots))})",
                source=config.label,
                table=config.qualified_table,
            )
        snapshot = snapshots.pop()
        if not finish:
            return GroupResult(
                index, None, state.batches, state.bytes_read, snapshot, None, state.to_bytes()
            )
        profile = finalize(state, source=MetricSource.FULL_SCAN, sampled=False)
        return GroupResult(index, profile, state.batches, state.bytes_read, snapshot, None)
    except BaseException as exc:
        return GroupResult(index, None, 0, 0, None, _portable(exc, config))


class _Progress:
    """Workers' running totals ``(task index, rows, bytes)`` from a queue, reported as
    ``progress(rows summed and divided by groups, bytes summed)``: each group of
    columns is read over every row once, whether by one task or by several."""

    def __init__(
        self, context: Any, progress: Callable[[int, int], None] | None, groups: int = 1
    ) -> None:
        self.queue = context.Queue() if progress is not None else None
        self.progress = progress
        self.groups = max(1, groups)
        self.rows: dict[int, int] = {}
        self.nbytes: dict[int, int] = {}

    def drain(self) -> None:
        if self.queue is None or self.progress is None:
            return
        moved = False
        while True:
            try:
                index, rows, nbytes = self.queue.get_nowait()
            except queue_module.Empty:
                break
            self.rows[index], self.nbytes[index] = rows, nbytes
            moved = True
        if moved:
            self.progress(sum(self.rows.values()) // self.groups, sum(self.nbytes.values()))


def _collect(
    pool: ProcessPoolExecutor, submit: Callable[[], list[Future[Any]]], tracker: _Progress
) -> list[Any]:
    """The results of the futures ``submit`` starts, in its order, progress drained
    while they run; the first worker error is raised, and on any error here (an
    interrupt included) the workers are killed."""
    try:
        futures = submit()
        pending: set[Future[Any]] = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            tracker.drain()
            for future in done:
                error = future.result().error
                if error is not None:
                    raise error
    except BaseException:
        _stop_now(pool)
        raise
    pool.shutdown(wait=True)
    tracker.drain()
    return [future.result() for future in futures]


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers and let it go: what they were reading is not wanted.

    ``shutdown`` alone waits for every running split to finish (seconds to minutes);
    the executor has no public way to stop a running task, hence ``_processes``. Its
    manager thread replaces a worker that dies (even a killed one, until it sees the
    pool is shut down), so the table is read again until no new worker appears."""
    table = getattr(pool, "_processes", None) or {}
    killed: dict[int, Any] = {}
    for attempt in range(_STOP_ROUNDS):
        fresh = [p for pid, p in list(table.items()) if pid not in killed]
        if not fresh and attempt:
            break
        for process in fresh:
            if process.is_alive():
                process.kill()
            killed[process.pid] = process
        if not attempt:
            pool.shutdown(wait=False, cancel_futures=True)
        time.sleep(0.05)
    for process in killed.values():
        process.join(timeout=1)


_STOP_ROUNDS = 20


def profile_splits(
    connector: DataConnector,
    splits: Sequence[ScanSplit],
    *,
    workers: int,
    columns: Sequence[str] | None,
    batch_size: int,
    schema_bytes: bytes,
    declared: Mapping[str, str],
    column_metrics: Sequence[ColumnMetric],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ProfileState, set[int | None]]:
    """The merged state of ``splits`` read by ``workers`` processes, and the snapshot
    ids the workers read (one, when the connector pins its reads)."""
    context = multiprocessing.get_context(start_method())
    tracker = _Progress(context, progress)
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(splits))),
        mp_context=context,
        initializer=_init_worker,
        initargs=(
            tracker.queue,
            max(1, (os.cpu_count() or 1) // max(1, workers)),
            os.getpid(),
            max(1, min(workers, len(splits))),
        ),
    )
    results: list[SplitResult] = _collect(
        pool,
        lambda: [
            pool.submit(
                _profile_split,
                connector.config,
                split,
                columns,
                batch_size,
                schema_bytes,
                declared,
                list(column_metrics),
            )
            for split in splits
        ],
        tracker,
    )
    results.sort(key=lambda r: r.index)
    states = [r.state for r in results if r.state is not None]
    return merged_states(states, column_metrics), {r.snapshot_id for r in results}


def merged_states(states: Sequence[bytes], column_metrics: Sequence[ColumnMetric]) -> ProfileState:
    """The states (bytes from :meth:`ProfileState.to_bytes`, at least one) merged in order."""
    merged = ProfileState.from_bytes(states[0], column_metrics=column_metrics)
    for data in states[1:]:
        merged.merge(ProfileState.from_bytes(data, column_metrics=column_metrics))
    return merged
