"""Running one Athena query to its end: start, poll, and stop it if we give up.

``run_query`` starts the query and polls ``GetQueryExecution`` with a growing
interval (0.1 s doubling to 2 s: short queries return fast, long ones cost few
calls). If ``timeout_s`` passes, or the caller is interrupted (Ctrl-C, a job
cancelled), the query is stopped with ``StopQueryExecution`` before the error is
raised, so nothing keeps running (and billing) after dataprof has let go.
Throttling is retried by botocore itself (adaptive mode, ``max_attempts``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dataprof.errors import OperationTimeoutError, QueryFailedError
from dataprof.profiling.models import QueryStats

__all__ = ["FINISHED", "QueryOutcome", "run_query"]

FINISHED = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
FIRST_INTERVAL_S = 0.1
MAX_INTERVAL_S = 2.0


@dataclass(frozen=True)
class QueryOutcome:
    """A query that succeeded: its id, where its result is, and what it cost."""

    query_id: str
    output_location: str | None
    stats: QueryStats


def run_query(
    client: Any,
    sql: str,
    *,
    start_kwargs: Mapping[str, Any],
    timeout_s: float,
    where: Mapping[str, str],
    on_failure: Callable[[str, str, str], Exception | None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> QueryOutcome:
    """Run ``sql`` and wait for it. ``on_failure(query_id, error_type, reason)`` may turn a
    failed query into a more precise error (a missing table); otherwise it is a
    :class:`QueryFailedError` with Athena's reason and the query id."""
    query_id = str(
        client.start_query_execution(QueryString=sql, **start_kwargs)["QueryExecutionId"]
    )
    deadline = clock() + timeout_s
    interval = FIRST_INTERVAL_S
    try:
        while True:
            execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = execution.get("Status", {})
            state = status.get("State")
            if state in FINISHED:
                break
            if clock() >= deadline:
                _stop(client, query_id)
                raise OperationTimeoutError(
                    f"Athena query {query_id} still {state} after {timeout_s:g} s",
                    cancelled=f"athena query {query_id}",
                    **where,
                    hint="raise connection_params.query_timeout_s, or profile fewer columns",
                )
            sleep(min(interval, max(deadline - clock(), 0.0)))
            interval = min(interval * 2, MAX_INTERVAL_S)
    except KeyboardInterrupt:
        _stop(client, query_id)
        raise
    stats = _stats(query_id, execution)
    if state != "SUCCEEDED":
        error = status.get("AthenaError", {}) or {}
        reason = str(status.get("StateChangeReason") or error.get("ErrorMessage") or state)
        kind = str(error.get("ErrorType", ""))
        better = on_failure(query_id, kind, reason) if on_failure else None
        if better is not None:
            raise better
        raise QueryFailedError(
            f"Athena query {state.lower() if state else 'failed'}",
            engine_reason=reason,
            query_id=query_id,
            **where,
        )
    location = execution.get("ResultConfiguration", {}).get("OutputLocation")
    return QueryOutcome(query_id=query_id, output_location=location, stats=stats)


def _stop(client: Any, query_id: str) -> None:
    # Best effort: the caller's error (timeout, interrupt) matters more than this one.
    with contextlib.suppress(Exception):
        client.stop_query_execution(QueryExecutionId=query_id)


def _stats(query_id: str, execution: Mapping[str, Any]) -> QueryStats:
    statistics = execution.get("Statistics", {}) or {}
    scanned = statistics.get("DataScannedInBytes")
    engine_ms = statistics.get("EngineExecutionTimeInMillis")
    return QueryStats(
        query_id=query_id,
        bytes_scanned=int(scanned) if scanned is not None else None,
        engine_ms=int(engine_ms) if engine_ms is not None else None,
    )
