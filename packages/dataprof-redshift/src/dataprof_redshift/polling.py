"""Waiting for one Data API statement: poll, give up on time, never leave it running.

``ExecuteStatement`` returns at once; the statement runs while ``DescribeStatement``
says ``SUBMITTED``, ``PICKED`` or ``STARTED``. We poll with a delay that grows from
50 ms to 2 s (short statements answer fast, long ones cost few calls). When the
deadline passes, or the user interrupts (Ctrl-C), the statement is cancelled with
``CancelStatement`` before the error is raised, so a profile that gave up does not
keep a warehouse busy: :class:`OperationTimeoutError` says which statement was
cancelled. Throttled polls are retried by botocore itself (the client's standard
retry mode); what outlives those retries arrives here as ``TransientError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dataprof.errors import (
    ConnectorError,
    OperationTimeoutError,
    QueryFailedError,
    TransientError,
)
from dataprof.redaction import get_logger
from dataprof_redshift.error_translation import ErrorContext, statement_failure

__all__ = ["POLL_FIRST_S", "POLL_MAX_S", "wait_for_statement"]

POLL_FIRST_S = 0.05
POLL_MAX_S = 2.0
POLL_GROWTH = 1.5
_RUNNING = {"SUBMITTED", "PICKED", "STARTED"}

log = get_logger(__name__)


def wait_for_statement(
    describe: Callable[[str], dict[str, Any]],
    cancel: Callable[[str], object],
    statement_id: str,
    timeout_s: float,
    ctx: ErrorContext,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """``DescribeStatement``'s answer once the statement FINISHED.

    FAILED raises the error :func:`statement_failure` picks (engine reason and
    statement id kept); ABORTED a :class:`QueryFailedError`; running past
    ``timeout_s`` or an interrupt cancels it and raises :class:`OperationTimeoutError`.
    """
    deadline = clock() + timeout_s
    delay = POLL_FIRST_S
    try:
        while True:
            status = describe(statement_id)
            state = str(status.get("Status", ""))
            if state == "FINISHED":
                return status
            if state == "FAILED":
                raise statement_failure(
                    ctx, str(status.get("Error") or "no reason given"), statement_id
                )
            if state == "ABORTED":
                raise QueryFailedError(
                    "The Redshift statement was cancelled by someone else",
                    query_id=statement_id,
                    **ctx.where,
                    hint="run the profile again; check the workgroup's query monitoring rules",
                )
            if state not in _RUNNING:
                raise QueryFailedError(
                    f"DescribeStatement answered an unknown status {state!r}",
                    query_id=statement_id,
                    **ctx.where,
                )
            remaining = deadline - clock()
            if remaining <= 0:
                cancelled = _cancel(cancel, statement_id)
                raise OperationTimeoutError(
                    f"The Redshift statement was still {state} after "
                    f"connection_params.statement_timeout_s={timeout_s:g}",
                    cancelled=cancelled,
                    **ctx.where,
                )
            sleep(min(delay, remaining))
            delay = min(delay * POLL_GROWTH, POLL_MAX_S)
    except KeyboardInterrupt:
        cancelled = _cancel(cancel, statement_id)
        raise OperationTimeoutError(
            "Interrupted while waiting for Redshift", cancelled=cancelled, **ctx.where
        ) from None
    except TransientError:
        # Polling gave up (throttled past every retry): don't leave the statement running.
        _cancel(cancel, statement_id)
        raise


def _cancel(cancel: Callable[[str], object], statement_id: str) -> str:
    """Cancel ``statement_id``; what was cancelled, or what could not be, for the message."""
    try:
        cancel(statement_id)
    except ConnectorError as exc:
        # Finished or failed in the meantime: nothing is left running either way.
        log.warning("CancelStatement %s failed: %s", statement_id, exc.reason)
        return f"redshift statement {statement_id} (the cancel failed: {exc.reason})"
    return f"redshift statement {statement_id}"
