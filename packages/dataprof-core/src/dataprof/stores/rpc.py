"""A store whose every read and write is one call of the schema's SQL functions.

:class:`PostgresProfileStore` makes the calls over psycopg, :class:`SupabaseProfileStore`
over PostgREST (``POST /rest/v1/rpc/<function>``); everything else (which function,
which payload, what comes back) lives here once. Each call is one statement, so one
transaction on the server: a run is saved whole or not at all.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dataprof.errors import NotFoundError
from dataprof.profiling.models import ProfileMode, TableProfile
from dataprof.stores.base import ProfileStore, RunNotFoundError, RunSummary, StoreError
from dataprof.stores.identity import SourceIdentity
from dataprof.stores.migrations import LATEST_VERSION
from dataprof.stores.payload import (
    check_run_id,
    document_to_profile,
    document_to_summary,
    profile_to_payload,
    registration_payload,
    source_from_row,
    source_payload,
    start_payload,
)

if TYPE_CHECKING:
    from dataprof.sources import NamedSource

__all__ = ["FUNCTIONS", "HISTORY_CALL_MAX_COLUMNS", "RpcProfileStore"]

HISTORY_CALL_MAX_COLUMNS = 500
"""Up to this many column profiles (summed over the runs asked for) :meth:`each_run` reads
history in one call; a stored column is at most ~10 KB (values cut, sketches bounded)."""

FUNCTIONS: dict[str, dict[str, str]] = {
    "dataprof_schema_version": {},
    "dataprof_save_run": {"run": "jsonb"},
    "dataprof_start_run": {"run": "jsonb"},
    "dataprof_get_run": {"run_id": "uuid"},
    "dataprof_list_runs": {"source": "jsonb", "max_runs": "integer", "include_failed": "boolean"},
    "dataprof_history": {"source": "jsonb", "max_runs": "integer", "include_failed": "boolean"},
    "dataprof_column_history": {"source": "jsonb", "column_name": "text", "max_runs": "integer"},
    "dataprof_register_source": {"source": "jsonb"},
    "dataprof_get_source": {"source_id": "uuid"},
}
"""The schema's functions a store calls, with their arguments' SQL types."""


class RpcProfileStore(ProfileStore):
    """The :class:`ProfileStore` API over the schema's functions; subclasses only make calls."""

    #: Calls made (each one round trip), for benchmarks and tests.
    round_trips: int = 0
    #: Bytes of argument payload sent, for benchmarks.
    bytes_sent: int = 0

    @abc.abstractmethod
    def _call(self, function: str, args: dict[str, Any]) -> Any:
        """Run ``function`` with ``args`` (JSON-able); its result as JSON data."""

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where the store is, for messages (no credentials)."""

    def check_schema(self) -> None:
        """Fail early, naming `dataprof db migrate`, when the schema is missing or old."""
        version = self._call("dataprof_schema_version", {})
        if not isinstance(version, str) or version < LATEST_VERSION:
            raise StoreError(
                f"The profile schema at {self.location} is at version {version}, "
                f"this dataprof needs {LATEST_VERSION}",
                hint="run `dataprof db migrate` against this database",
            )

    # -- writing ---------------------------------------------------------------------
    def save_run(self, profile: TableProfile) -> None:
        """The run in one call; its full JSON goes to the archive first, so the row's
        ``s3_full_profile_uri`` never points at a file that is not there."""
        payload = profile_to_payload(profile)  # refuses what PostgreSQL cannot hold, first
        uri = self._archive(profile)
        if uri is not None and payload["result"] is not None:
            payload["result"]["s3_full_profile_uri"] = uri
        self._call("dataprof_save_run", {"run": payload})

    def start_run(
        self,
        source: SourceIdentity,
        *,
        run_id: str,
        mode: ProfileMode,
        started_at: datetime,
        execution_arn: str | None = None,
    ) -> None:
        payload = start_payload(
            source, run_id=run_id, mode=mode, started_at=started_at, execution_arn=execution_arn
        )
        self._call("dataprof_start_run", {"run": payload})

    def register_source(self, named: NamedSource) -> str:
        source_id = self._call("dataprof_register_source", {"source": registration_payload(named)})
        return str(source_id)

    def get_source(self, source_id: str) -> NamedSource:
        try:
            uuid.UUID(source_id)
        except (ValueError, TypeError, AttributeError):
            raise StoreError(
                f"source id {source_id!r} is not a UUID", hint="use the id register_source gave"
            ) from None
        row = self._call("dataprof_get_source", {"source_id": source_id})
        if row is None:
            raise NotFoundError(
                f"No source {source_id!r} in the profile store at {self.location}",
                hint="register it with register_source",
            )
        return source_from_row(row)

    # -- reading ---------------------------------------------------------------------
    def list_runs(
        self,
        source: SourceIdentity | None = None,
        *,
        limit: int | None = None,
        include_failed: bool = True,
    ) -> list[RunSummary]:
        docs = self._call(
            "dataprof_list_runs",
            {
                "source": source_payload(source) if source is not None else None,
                "max_runs": limit,
                "include_failed": include_failed,
            },
        )
        return [document_to_summary(d) for d in docs or []]

    def history(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> list[TableProfile]:
        """Full profiles newest first, in one call."""
        return [
            document_to_profile(d) for d in self._history_documents(source, limit, include_failed)
        ]

    def each_run(
        self, source: SourceIdentity, limit: int | None = None, *, include_failed: bool = False
    ) -> Iterator[TableProfile]:
        """The runs :meth:`history` returns, with memory bounded by a number of columns, not
        of runs: when the runs listed hold at most ``HISTORY_CALL_MAX_COLUMNS`` column
        profiles in all, one call brings them (two round trips), each document freed once
        it is a profile; beyond, one call per run, so one run is in memory at a time."""
        summaries = self.list_runs(source, limit=limit, include_failed=include_failed)
        if sum(s.column_count for s in summaries) > HISTORY_CALL_MAX_COLUMNS:
            yield from self._each_listed(summaries)
            return
        docs = self._history_documents(source, limit, include_failed)
        for index, doc in enumerate(docs):
            docs[index] = None
            yield document_to_profile(doc)
            del doc

    def _history_documents(
        self, source: SourceIdentity, limit: int | None, include_failed: bool
    ) -> list[Any]:
        docs = self._call(
            "dataprof_history",
            {"source": source_payload(source), "max_runs": limit, "include_failed": include_failed},
        )
        return list(docs or [])

    def get_run(self, run_id: str) -> TableProfile:
        doc = self._call("dataprof_get_run", {"run_id": check_run_id(run_id)})
        if doc is None:
            raise RunNotFoundError(f"No run {run_id!r} in the profile store at {self.location}")
        return document_to_profile(doc)

    def column_history(
        self, source: SourceIdentity, column_name: str, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """One column's figures across succeeded runs, newest first (rows as the SQL gives them)."""
        rows = self._call(
            "dataprof_column_history",
            {"source": source_payload(source), "column_name": column_name, "max_runs": limit},
        )
        return list(rows or [])
