"""The profile loop as library steps: profile a source, judge it, store it, or record its failure.

``dataprof profile`` runs these steps in one process; the container job runs them
split over Step Functions tasks (``dataprof job profile`` profiles and judges,
``dataprof job store`` stores, ``dataprof job fail`` records the failure). Both call
the same functions, so a run judged or stored in AWS is judged and stored exactly
as on a laptop. The steps render nothing and exit nothing: the caller decides what
to show and how to end.

Importing this module stays light; the engine, the store and detection are
imported when a step runs.
"""

from __future__ import annotations

import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dataprof.errors import ConnectorError, PluginError
from dataprof.profiling.models import ProfileMode

if TYPE_CHECKING:
    from dataprof.anomalies import Thresholds
    from dataprof.config import DataSourceConfig
    from dataprof.profiling.models import TableProfile
    from dataprof.stores import ProfileStore, SourceIdentity

__all__ = [
    "HISTORY_RUNS_FOR_DETECTION",
    "Kept",
    "RunInterrupted",
    "failure_reason",
    "interruptible",
    "judge",
    "keep",
    "new_run_id",
    "profile_source",
    "record_failure",
    "source_identity",
    "start",
    "store_profile",
    "without_judgement",
]

HISTORY_RUNS_FOR_DETECTION = 30
"""Past runs read for the history strategies (the z-score needs a handful, not all); of
each only its view (:func:`dataprof.anomalies.history_views`) is kept."""


def new_run_id() -> str:
    """A fresh run id in dataprof's form (32 lowercase hex digits)."""
    return uuid.uuid4().hex


class RunInterrupted(KeyboardInterrupt):
    """The run was told to stop (SIGTERM): handled wherever Ctrl-C is, and recorded the same."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


@contextmanager
def interruptible() -> Iterator[None]:
    """Within this block SIGTERM raises :class:`RunInterrupted`, as Ctrl-C raises
    KeyboardInterrupt, so a stopped run unwinds: its workers are killed, it is
    recorded as failed (interrupted) and the store is left whole. Python's default
    for SIGTERM is to die on the spot, orphaning every worker.

    Signal handlers belong to the main thread; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise RunInterrupted(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def source_identity(config: DataSourceConfig) -> SourceIdentity:
    """The table a source configuration names, as stores file its runs."""
    from dataprof.stores import SourceIdentity

    return SourceIdentity(**config.identity)


def start(
    store: ProfileStore | None,
    identity: SourceIdentity,
    *,
    run_id: str,
    mode: ProfileMode = ProfileMode.AUTO,
    started_at: datetime,
    execution_arn: str | None = None,
) -> None:
    """Tell the store the run has begun (status ``running``; a no-op for the local folder).

    Called before the source is read: a database that refuses the write fails the run
    in seconds, not after an hour of profiling, and a run that dies without a word
    stays visible as ``running``. ``execution_arn`` is the Step Functions execution.
    """
    if store is not None:
        store.start_run(
            identity,
            run_id=run_id,
            mode=mode,
            started_at=started_at,
            execution_arn=execution_arn,
        )


def profile_source(
    config: DataSourceConfig,
    *,
    run_id: str,
    mode: ProfileMode = ProfileMode.AUTO,
    columns: Sequence[str] | None = None,
    sample_size: int = 10_000,
    sample_seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TableProfile:
    """Connect to the source and profile its table; the connection is closed either way.

    Raises what the connector or engine raises (a :class:`ConnectorError` for what
    the user can fix); record it with :func:`record_failure`.
    """
    from dataprof.profiling import DEFAULT_SAMPLE_SEED, profile_table
    from dataprof.registry import get_connector

    with interruptible(), get_connector(config) as connector:
        return profile_table(
            connector,
            mode=mode,
            columns=list(columns) if columns else None,
            sample_size=sample_size,
            sample_seed=DEFAULT_SAMPLE_SEED if sample_seed is None else sample_seed,
            workers=workers,
            progress=progress,
            run_id=run_id,
        )


def judge(result: TableProfile, store: ProfileStore | None, thresholds: Thresholds) -> TableProfile:
    """``result`` with the anomalies found against the table's stored history, and the
    record of which past runs it was compared with (like with like).

    Without a store (``--no-store``), or when the store cannot be read, the run is
    judged alone and a note says why: the profile is worth more than its history.
    Raises :class:`PluginError` when a detector plugin fails; the profile itself is
    still good then (see :func:`without_judgement`).
    """
    from dataprof.anomalies import history_views, judge_profile
    from dataprof.stores import SourceIdentity, StoreError

    history: list[TableProfile] = []
    if store is not None:
        try:
            # One whole past run in memory at a time; of each, only what detection reads.
            runs = store.each_run(SourceIdentity.of(result), limit=HISTORY_RUNS_FOR_DETECTION)
            history = history_views(result, runs)
        except StoreError as exc:
            note = f"history not read, judged on its own: {exc.reason}"
            result = result.model_copy(update={"notes": [*result.notes, note]})
    judged = judge_profile(result, history, thresholds)
    return _note_damaged_sketches(judged, history)


def _note_damaged_sketches(result: TableProfile, history: list[TableProfile]) -> TableProfile:
    """Say so when the run compared with has sketches that were refused as damaged:
    drift was not compared for those columns, rather than silently not flagged."""
    from dataprof.anomalies.stored_sketches import damaged_sketches

    comparison = result.history_comparison
    last_id = comparison.last_run_id if comparison is not None else None
    last = next((run for run in history if run.run_id == last_id), None)
    damaged = damaged_sketches(last) if last is not None else []
    if not damaged:
        return result
    note = (
        f"stored sketches of run {last_id} are damaged and were ignored "
        f"({', '.join(damaged)}): drift was not compared for those columns"
    )
    return result.model_copy(update={"notes": [*result.notes, note]})


@dataclass(frozen=True)
class Kept:
    """What became of a finished run: stored or not, and what the sinks said."""

    store_error: ConnectorError | None = None
    """Why the store did not take the run (unwritable folder, database down); None if it did."""
    sink_error: PluginError | None = None

    @property
    def stored(self) -> bool:
        return self.store_error is None


def keep(store: ProfileStore | None, result: TableProfile) -> Kept:
    """Store the run (unless ``store`` is None: ``--no-store``) and hand it to the sinks.

    A store that refuses the run does not lose it: the error is returned with the
    sinks' outcome, so the caller shows the profile, then says it was not stored and
    fails. Sinks still hear of it; they are other places the run can survive.
    """
    from dataprof.stores import StoreError, publish

    store_error: ConnectorError | None = None
    if store is not None:
        try:
            store.save_run(result)
        except StoreError as exc:
            store_error = exc
    try:
        publish(result)
    except PluginError as exc:
        return Kept(store_error=store_error, sink_error=exc)
    return Kept(store_error=store_error)


def without_judgement(result: TableProfile, error: PluginError) -> TableProfile:
    """``result`` with a note saying anomaly detection did not finish, to keep it anyway."""
    note = f"anomaly detection failed: {error.reason}"
    return result.model_copy(update={"notes": [*result.notes, note]})


def store_profile(store: ProfileStore, result: TableProfile) -> PluginError | None:
    """Save the run, then hand it to the result sinks: :func:`keep` for a caller that
    must stop when the store refuses the run (a job task: raises the store's error).

    A broken sink never loses a run: its failure is returned (not raised) for the
    caller to report after showing the result.
    """
    kept = keep(store, result)
    if kept.store_error is not None:
        raise kept.store_error
    return kept.sink_error


def failure_reason(error: BaseException) -> str:
    """The reason stored with a failed run (redacted by the store)."""
    if isinstance(error, RunInterrupted):
        return f"Interrupted by {error.signal_name} before the profile was finished"
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted (Ctrl-C) before the profile was finished"
    return str(error) if isinstance(error, ConnectorError) else f"{type(error).__name__}: {error}"


def record_failure(
    store: ProfileStore,
    identity: SourceIdentity,
    *,
    run_id: str,
    error: BaseException,
    mode: ProfileMode = ProfileMode.AUTO,
    started_at: datetime | None = None,
) -> ConnectorError | None:
    """Store the failed run with its redacted reason and tell the sinks.

    Never lets the recording hide the real error: a store or sink failure is
    returned (not raised) so the caller can warn about it and still raise ``error``.
    """
    from dataprof.stores import publish

    try:
        failed = store.record_failed_run(
            identity,
            run_id=run_id,
            error=failure_reason(error),
            mode=mode,
            started_at=started_at,
        )
        publish(failed)
    except ConnectorError as exc:
        return exc
    return None
