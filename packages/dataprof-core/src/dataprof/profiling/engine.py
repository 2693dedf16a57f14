"""``profile_table``: one call from a connector to a :class:`TableProfile`.

The modes, cheapest first:

- ``metadata``: the connector's statistics only (no data read).
- ``sample``: ``sample_size`` rows (the design's 10,000) drawn at random across the
  table, seeded (:mod:`dataprof.profiling.sampling`).
- ``pushdown``: the connector's engine computes the metrics (``SupportsPushdown``).
- ``full``: every row streamed once. A connector that can split is read split
  after split (about ``SPLIT_TARGET_BYTES`` each, so no reader buffers more than
  one). Unasked, a table over ``COLUMN_GROUPS_MIN_BYTES`` has its columns profiled
  by a forked worker per core (:mod:`.column_groups`); ``workers=N`` splits the rows
  between processes instead, their states merged, when the table is big enough to
  repay starting them (``PARALLEL_MIN_ROWS``).
- ``auto``: metadata when the requested metrics are all metadata can answer; a full
  scan when the row count (from metadata) is at most ``auto_full_scan_max_rows``, or,
  without one, the table's bytes on disk at most ``auto_full_scan_max_bytes``;
  pushdown when the connector offers it; a sample otherwise. What it chose and
  why goes into ``TableProfile.notes``.

Connector errors propagate as :class:`ConnectorError`; a failure while profiling
one column marks that column unsupported instead of failing the table.
"""

from __future__ import annotations

import math
import os
import pickle
import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dataprof._allocator import scan_memory_pool
from dataprof.connector import DEFAULT_BATCH_SIZE, Capability, ScanSplit
from dataprof.errors import ConfigurationError, ConnectorError, PluginError
from dataprof.profiling.column_groups import column_group_count, profile_column_groups
from dataprof.profiling.column_threads import column_threads
from dataprof.profiling.metadata import profile_from_metadata
from dataprof.profiling.mode_choice import (
    AUTO_FULL_SCAN_MAX_BYTES,
    AUTO_FULL_SCAN_MAX_ROWS,
    choose_mode,
)
from dataprof.profiling.models import MetricSource, ProfileMode, TableProfile
from dataprof.profiling.plugins import ColumnMetric, load_column_metrics
from dataprof.profiling.pushdown_profile import profile_by_pushdown
from dataprof.profiling.sampling import DEFAULT_SAMPLE_SEED
from dataprof.profiling.state import ProfileState, finalize

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.connector import DataConnector

__all__ = [
    "AUTO_FULL_SCAN_MAX_BYTES",
    "AUTO_FULL_SCAN_MAX_ROWS",
    "DEFAULT_SAMPLE_SIZE",
    "PARALLEL_MIN_ROWS",
    "SPLIT_TARGET_BYTES",
    "plan_scan_splits",
    "profile_table",
]

DEFAULT_SAMPLE_SIZE = 10_000
PARALLEL_MIN_ROWS = 1_000_000
"""Below this many rows a single process finishes before workers would have started."""
SPLIT_TARGET_BYTES = 32 * 1024 * 1024
"""Uncompressed bytes per split: what one process may buffer ahead of the profiler."""
WORKER_MIN_BYTES = 8 * 1024**3
"""Uncompressed bytes a worker process must have to read before it is worth starting.

One process already uses every core: a batch's columns are profiled on threads
(:mod:`.column_threads`). A worker process adds a copy of every exact-count table,
and a serialization and a merge per split in the parent. Measured on the repo's
5M-row benchmark file (2 cores, load ~6): one process 24 s / 1.0 GiB, two worker
processes 42-46 s / 2.0 GiB. So workers start, unasked, only for tables far larger
than that file; ``workers=N`` still starts them on request."""

ProgressCallback = Callable[[int, int], None]


def profile_table(
    connector: DataConnector,
    *,
    mode: ProfileMode | str = ProfileMode.AUTO,
    columns: Sequence[str] | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    run_id: str | None = None,
    metrics: Collection[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    column_metrics: Sequence[ColumnMetric] | None = None,
    auto_full_scan_max_rows: int = AUTO_FULL_SCAN_MAX_ROWS,
    auto_full_scan_max_bytes: int = AUTO_FULL_SCAN_MAX_BYTES,
    parallel_min_rows: int = PARALLEL_MIN_ROWS,
    sample_seed: int = DEFAULT_SAMPLE_SEED,
) -> TableProfile:
    """Profile the connector's table.

    ``columns`` limits the profile (top-level names, or dotted names of struct
    fields); ``metrics`` names the metrics the caller needs, which only `auto`
    uses to choose a mode. ``progress(rows_read, bytes_read)`` is called with
    running totals as batches arrive. ``workers`` (processes) defaults to what the
    table's size repays (:data:`WORKER_MIN_BYTES` a worker): usually one, whose
    threads profile the columns on every core.
    """
    try:
        chosen = ProfileMode(mode)
    except ValueError:
        raise ConfigurationError(
            f"Unknown profile mode {mode!r}",
            **connector.error_context(),
            hint=f"use one of {', '.join(m.value for m in ProfileMode)}",
        ) from None
    if sample_size <= 0:
        raise ConfigurationError(
            f"sample_size must be positive, got {sample_size}", **connector.error_context()
        )
    started_at = datetime.now(UTC)
    run_id = run_id or uuid.uuid4().hex
    schema = connector.arrow_schema()
    notes: list[str] = list(connector.read_notes())
    top_columns = _top_level(connector, schema, columns)
    if top_columns is not None:
        import pyarrow as pa

        schema = pa.schema([schema.field(name) for name in top_columns])
    names = set(schema.names)  # a new list on every access
    declared = {k: v for k, v in connector.get_schema().items() if k in names}

    if chosen is ProfileMode.AUTO:
        chosen = choose_mode(
            connector, metrics, auto_full_scan_max_rows, auto_full_scan_max_bytes, notes
        )

    if chosen is ProfileMode.METADATA:
        profile = profile_from_metadata(
            connector,
            field_ids=connector.field_ids(),
            schema=schema,
            declared=declared,
            columns=top_columns,
            run_id=run_id,
            started_at=started_at,
            notes=notes,
        )
        return _with_selection(profile, columns)
    if chosen is ProfileMode.PUSHDOWN:
        profile = profile_by_pushdown(connector, top_columns, metrics, run_id, started_at, notes)
        return _with_selection(profile, columns)

    if column_metrics is None:
        column_metrics = load_column_metrics()
    common: dict[str, Any] = {
        **connector.config.identity,
        "run_id": run_id,
        "started_at": started_at,
        "columns": columns,
        "field_ids": connector.field_ids(),
    }
    if chosen is ProfileMode.SAMPLE:
        profile = _sample(
            connector,
            schema,
            declared,
            top_columns,
            sample_size,
            sample_seed,
            batch_size,
            column_metrics,
            progress,
            notes,
            common,
        )
        return _with_selection(profile, columns)
    snapshot_before = connector.snapshot_id
    with scan_memory_pool():
        state, snapshots = _full_scan(
            connector,
            schema,
            declared,
            top_columns,
            batch_size,
            workers,
            parallel_min_rows,
            column_metrics,
            progress,
            notes,
        )
    snapshots.add(connector.snapshot_id)
    snapshots.add(snapshot_before)
    if len(snapshots) > 1:
        raise ConnectorError(
            f"The table changed while it was profiled (snapshots {sorted(map(str, snapshots))})",
            **connector.error_context(),
            hint="profile again; a connector that pins its reads to a snapshot avoids this",
        )
    profile = finalize(
        state,
        mode=ProfileMode.FULL,
        source=MetricSource.FULL_SCAN,
        sampled=False,
        snapshot_id=snapshot_before,
        notes=notes,
        **common,
    )
    return _with_selection(profile, columns)


def _with_selection(profile: TableProfile, columns: Sequence[str] | None) -> TableProfile:
    """Record the caller's column selection, whichever mode produced the profile."""
    selection = list(columns) if columns is not None else None
    return profile.model_copy(update={"columns_requested": selection})


def _top_level(
    connector: DataConnector, schema: pa.Schema, columns: Sequence[str] | None
) -> list[str] | None:
    """The top-level columns to read for ``columns`` (dotted names read their root)."""
    if columns is None:
        return None
    names = schema.names
    tops: list[str] = []
    missing: list[str] = []
    for column in columns:
        root = column if column in names else column.split(".")[0]
        if root not in names:
            missing.append(column)
        elif root not in tops:
            tops.append(root)
    if missing:
        connector.check_columns(missing, names)
    return tops


def _sample(
    connector: DataConnector,
    schema: pa.Schema,
    declared: dict[str, str],
    top_columns: list[str] | None,
    sample_size: int,
    seed: int,
    batch_size: int,
    column_metrics: Sequence[ColumnMetric],
    progress: ProgressCallback | None,
    notes: list[str],
    common: dict[str, Any],
) -> TableProfile:
    from dataprof.profiling.sampling import draw_sample

    draw = draw_sample(connector, top_columns, sample_size, seed, batch_size)
    state = ProfileState(schema, declared=declared, column_metrics=column_metrics)
    for batch in draw.table.to_batches():
        state.update(batch)
    if progress is not None:
        progress(state.row_count, state.bytes_read)
    whole = state.row_count < sample_size or (
        draw.read_everything and draw.rows_read == state.row_count
    )
    row_count: int = state.row_count
    row_count_exact = whole
    if whole:
        notes.append(
            f"sample: the table has {state.row_count} rows, no more than the sample size "
            f"{sample_size}, so every row was profiled"
        )
    else:
        notes.append(
            f"sample: {state.row_count:,} rows drawn at random (seed {seed}) from "
            f"{draw.rows_read:,} rows in {draw.splits_read} of {draw.splits_total} parts "
            "chosen at random"
            + (", the first rows of parts too big to read whole" if draw.cut_short else "")
            if draw.spread
            else f"sample: {state.row_count:,} rows from the connector's own sample "
            "(it cannot split its scan, so they may be the first rows)"
        )
        if connector.supports(Capability.ROW_COUNT_FROM_METADATA):
            row_count, row_count_exact = connector.get_row_count(), True
        elif draw.read_everything:
            row_count, row_count_exact = draw.rows_read, True
        else:
            notes.append(
                f"sample: the row count is at least {max(row_count, draw.rows_read):,}; "
                "counting exactly needs a scan"
            )
            row_count = max(row_count, draw.rows_read)
    profile = finalize(
        state,
        mode=ProfileMode.SAMPLE,
        source=MetricSource.FULL_SCAN if whole else MetricSource.SAMPLE,
        sampled=not whole,
        sample_size=state.row_count,
        row_count=row_count,
        row_count_exact=row_count_exact,
        snapshot_id=connector.snapshot_id,
        notes=notes,
        **common,
    )
    return profile.model_copy(update={"sample_seed": None if whole else seed})


def _full_scan(
    connector: DataConnector,
    schema: pa.Schema,
    declared: dict[str, str],
    top_columns: list[str] | None,
    batch_size: int,
    workers: int | None,
    parallel_min_rows: int,
    column_metrics: Sequence[ColumnMetric],
    progress: ProgressCallback | None,
    notes: list[str],
) -> tuple[ProfileState, set[int | None]]:
    chosen = workers is None
    workers = workers if workers is not None else (os.cpu_count() or 1)
    splits = _plan(connector, workers)
    estimated = [s.estimated_rows for s in splits]
    rows = None if None in estimated else sum(r or 0 for r in estimated)
    if chosen:
        names = schema.names
        groups = column_group_count(connector, splits, len(names), notes)
        if groups > 1:
            shared = profile_column_groups(
                connector,
                splits,
                groups,
                schema,
                declared,
                batch_size,
                column_metrics,
                progress,
                notes,
            )
            if shared is not None:
                return shared
    if chosen and workers > 1 and len(splits) > 1:
        workers = _useful_workers(splits, workers, notes)
    if workers > 1 and len(splits) > 1:
        if rows is not None and rows < parallel_min_rows:
            notes.append(
                f"full: one process, {rows} rows is below the parallel threshold "
                f"({parallel_min_rows})"
            )
        else:
            parallel = _parallel_scan(
                connector,
                splits,
                workers,
                schema,
                declared,
                top_columns,
                batch_size,
                column_metrics,
                progress,
                notes,
            )
            if parallel is not None:
                return parallel
    state = ProfileState(schema, declared=declared, column_metrics=column_metrics)
    # Reading split after split bounds what the connector can read ahead of us.
    for split in splits if len(splits) > 1 else [None]:
        for batch in connector.iter_batches(top_columns, batch_size, split=split):
            state.update(batch)
            if progress is not None:
                progress(state.row_count, state.bytes_read)
    return state, {connector.snapshot_id}


def _useful_workers(splits: list[ScanSplit], cores: int, notes: list[str]) -> int:
    """Workers that pay for themselves: one per ``WORKER_MIN_BYTES`` of data to read
    (a worker costs a process, a copy of the accumulators and a merge), at most one a
    core and one a split."""
    total = sum(s.estimated_bytes for s in splits)
    if total <= 0:  # the connector does not say: every core
        return min(cores, len(splits))
    useful = max(1, min(cores, len(splits), math.ceil(total / WORKER_MIN_BYTES)))
    if useful < cores:
        threads = column_threads()
        notes.append(
            (f"full: {useful} worker processes" if useful > 1 else "full: one process")
            + f" for {total / 2**20:.0f} MiB to read (more processes pay from "
            f"{WORKER_MIN_BYTES // 2**20} MiB each), columns on {threads} "
            + ("threads" if threads > 1 else "thread")
        )
    load = _load_average()
    if useful > 1 and load is not None and load >= cores - 0.5:
        # Measured on a 2-core machine at load 15: 2 workers took 1.6x the time of one.
        notes.append(f"full: one process, the machine is busy (load average {load:.1f})")
        return 1
    return useful


def _load_average() -> float | None:
    """The last minute's load average, where the platform has one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def plan_scan_splits(connector: DataConnector, workers: int = 1) -> list[ScanSplit]:
    """The splits a full scan reads (what ``dataprof job plan`` groups into work items)."""
    return _plan(connector, workers)


def _plan(connector: DataConnector, workers: int) -> list[ScanSplit]:
    """Splits of about ``SPLIT_TARGET_BYTES`` each, at least one per worker.

    Small splits keep memory flat: a reader buffers ahead within its split, so the
    most any process holds is about one split, whatever the table's size.
    """
    if not connector.supports(Capability.PARALLEL_SPLITS):
        return [ScanSplit(index=0)]
    splits = connector.plan_splits(workers)
    total = sum(s.estimated_bytes for s in splits)
    target = max(workers, math.ceil(total / SPLIT_TARGET_BYTES))
    if target > len(splits):
        splits = connector.plan_splits(target)
    return splits


def _parallel_scan(
    connector: DataConnector,
    splits: list[ScanSplit],
    workers: int,
    schema: pa.Schema,
    declared: dict[str, str],
    top_columns: list[str] | None,
    batch_size: int,
    column_metrics: Sequence[ColumnMetric],
    progress: ProgressCallback | None,
    notes: list[str],
) -> tuple[ProfileState, set[int | None]] | None:
    """The merged state of ``splits`` read by worker processes, or None (with a note)
    when workers cannot do it and this process should."""
    try:
        pickle.dumps(list(column_metrics))
    except Exception:
        notes.append("full: one process, a plugin metric cannot be sent to workers")
        return None
    from dataprof.profiling.parallel import profile_splits

    try:
        result = profile_splits(
            connector,
            splits,
            workers=workers,
            columns=top_columns,
            batch_size=batch_size,
            schema_bytes=bytes(schema.serialize().to_pybytes()),
            declared=declared,
            column_metrics=column_metrics,
            progress=progress,
        )
    except PluginError as exc:
        # The connector was registered in this process only; workers can't build it.
        notes.append(f"full: one process, workers could not build the connector ({exc.reason})")
        return None
    except BrokenProcessPool:
        # Spawned workers re-import the caller's main module; a script without an
        # `if __name__ == "__main__":` guard kills them. Profile here instead.
        notes.append("full: one process, the worker processes could not start")
        return None
    notes.append(
        f"full: {len(splits)} splits profiled by {min(workers, len(splits))} worker "
        "processes and merged"
    )
    return result
