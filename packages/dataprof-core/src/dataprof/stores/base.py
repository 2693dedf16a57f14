"""Where profiles go: the store interface every backend implements.

A store keeps runs, succeeded and failed. A succeeded run is the full
:class:`TableProfile` (results, column profiles, anomalies); a failed run is a
profile with ``status=failed``, the redacted reason in ``error`` and no columns,
so `dataprof history` shows the gap and its cause instead of nothing.

Stores answer the questions detection and the CLI ask: the latest run of a table,
its history newest first, one run by id, and a listing (:class:`RunSummary`, read
without loading whole profiles). The local folder store ships here; the
PostgreSQL store implements the same interface against ``schema/``.
"""

from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self

from pydantic import BaseModel, ConfigDict, Field

from dataprof.errors import ConfigurationError, NotFoundError
from dataprof.profiling.models import ProfileMode, RunStatus, TableProfile, describe_scope
from dataprof.redaction import redact
from dataprof.stores.identity import SourceIdentity

if TYPE_CHECKING:
    from dataprof.sources import NamedSource
    from dataprof.stores.archive import ProfileArchive

__all__ = ["ProfileStore", "RunNotFoundError", "RunSummary", "StoreError", "failed_profile"]


class StoreError(ConfigurationError):
    """The store cannot be read or written (permissions, a full disk, a corrupt file)."""

    default_hint = "check the store location (--store or DATAPROF_STORE) and its permissions"
    run_kept: bool = False
    """Set when saving failed after the run itself was stored (only the index lags)."""


class RunNotFoundError(NotFoundError):
    default_hint = "list the runs with `dataprof history SOURCE`"


class RunSummary(BaseModel):
    """One run as listings show it: the key figures without the column profiles."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    source: SourceIdentity
    status: RunStatus
    mode: ProfileMode
    started_at: datetime
    finished_at: datetime
    row_count: int
    column_count: int
    snapshot_id: int | None = None
    error: str | None = None
    anomaly_counts: dict[str, int] = Field(default_factory=dict)
    """Anomalies per severity name."""
    sampled: bool = False
    sample_size: int | None = None
    columns_requested: list[str] | None = None

    @property
    def scope(self) -> str:
        """``whole table`` or ``sample of N rows``, plus the columns of a partial run."""
        return describe_scope(self.sampled, self.sample_size, self.columns_requested)

    @classmethod
    def of(cls, profile: TableProfile) -> RunSummary:
        counts = Counter(a.severity.value for a in profile.anomalies)
        return cls(
            run_id=profile.run_id,
            source=SourceIdentity.of(profile),
            status=profile.status,
            mode=profile.mode,
            started_at=profile.started_at,
            finished_at=profile.finished_at,
            row_count=profile.row_count,
            column_count=len(profile.columns),
            snapshot_id=profile.snapshot_id,
            error=profile.error,
            anomaly_counts=dict(counts),
            sampled=profile.sampled,
            sample_size=profile.sample_size,
            columns_requested=profile.columns_requested,
        )


def failed_profile(
    source: SourceIdentity,
    *,
    run_id: str,
    error: str,
    mode: ProfileMode = ProfileMode.AUTO,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> TableProfile:
    """The record of a run that failed: no figures, the redacted reason in ``error``."""
    finished = finished_at or datetime.now(UTC)
    return TableProfile(
        run_id=run_id,
        source_type=source.source_type,
        source_name=source.source_name,
        database=source.database,
        table=source.table,
        mode=mode,
        sampled=False,
        row_count=0,
        row_count_exact=False,
        started_at=started_at or finished,
        finished_at=finished,
        status=RunStatus.FAILED,
        error=redact(error),
    )


class ProfileStore(abc.ABC):
    """Runs of every table, with the history queries anomaly detection needs."""

    archive: ProfileArchive | None = None
    """Where each saved run's full JSON is written first (``DATAPROF_ARCHIVE``); None: nowhere."""

    def start_run(  # noqa: B027 - optional hook: a no-op unless the store tracks running runs
        self,
        source: SourceIdentity,
        *,
        run_id: str,
        mode: ProfileMode,
        started_at: datetime,
        execution_arn: str | None = None,
    ) -> None:
        """Record that a run has started (status ``running``), so a dashboard sees it and a
        run that dies without a word stays visible. Idempotent; never downgrades a finished
        run. Stores that keep finished runs only (the local folder) do nothing."""

    def register_source(self, named: NamedSource) -> str:
        """Keep a named source's section (secrets as ``${NAME}`` references) so jobs can
        load it by id; returns the id."""
        raise StoreError(
            f"{type(self).__name__} does not keep sources",
            hint="register sources in the PostgreSQL or Supabase store",
        )

    def get_source(self, source_id: str) -> NamedSource:
        """The named source registered under ``source_id``, references resolved now."""
        raise StoreError(
            f"{type(self).__name__} does not keep sources",
            hint="register sources in the PostgreSQL or Supabase store",
        )

    def _archive(self, profile: TableProfile) -> str | None:
        """Write a succeeded run's full JSON to the archive, if there is one; returns its URI.
        A failed run has no figures to keep: its row says all there is."""
        if self.archive is None or profile.status is not RunStatus.SUCCEEDED:
            return None
        return self.archive.write(profile)

    @abc.abstractmethod
    def save_run(self, profile: TableProfile) -> None:
        """Store a finished run (any status). Saving the same ``run_id`` again replaces it."""

    def record_failed_run(
        self,
        source: SourceIdentity,
        *,
        run_id: str,
        error: str,
        mode: ProfileMode = ProfileMode.AUTO,
        started_at: datetime | None = None,
    ) -> TableProfile:
        """Store a run that failed, with its reason redacted; returns what was stored."""
        profile = failed_profile(
            source, run_id=run_id, error=error, mode=mode, started_at=started_at
        )
        self.save_run(profile)
        return profile

    @abc.abstractmethod
    def list_runs(
        self,
        source: SourceIdentity | None = None,
        *,
        limit: int | None = None,
        include_failed: bool = True,
    ) -> list[RunSummary]:
        """Summaries newest first, of one table or of all."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> TableProfile:
        """One run by id; :class:`RunNotFoundError` when there is none."""

    def history(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> list[TableProfile]:
        """Full profiles of a table, newest first (succeeded only unless asked)."""
        return list(self.each_run(source, limit, include_failed=include_failed))

    def each_run(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> Iterator[TableProfile]:
        """The runs :meth:`history` returns, read one at a time: a caller that keeps a part
        of each (detection keeps :func:`~dataprof.anomalies.history_views`) holds one whole
        run at a time, not ``limit`` of them. A run gone since it was listed is skipped."""
        yield from self._each_listed(
            self.list_runs(source, limit=limit, include_failed=include_failed)
        )

    def _each_listed(self, summaries: list[RunSummary]) -> Iterator[TableProfile]:
        """The listed runs, one :meth:`get_run` each; a run gone since it was listed is
        skipped."""
        for summary in summaries:
            try:
                yield self.get_run(summary.run_id)
            except RunNotFoundError:
                continue

    def latest(self, source: SourceIdentity) -> TableProfile | None:
        """The newest succeeded run of a table."""
        runs = self.history(source, limit=1)
        return runs[0] if runs else None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections. Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
