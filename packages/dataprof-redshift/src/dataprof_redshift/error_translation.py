"""botocore's errors and Redshift's statement failures as dataprof's.

Every Data API call goes through :func:`translate_errors`, and every FAILED statement
through :func:`statement_failure`, so no caller sees a botocore traceback: an AWS
refusal names the call (``redshift-data:ExecuteStatement``), an unknown workgroup or
cluster names the ``connection_params`` field to fix, a missing schema or table is a
``DatabaseNotFoundError``/``TableNotFoundError``, throttling that outlived botocore's
retries is a ``TransientError`` with the attempts made (core's ``dataprof.aws_errors``
maps what every AWS call shares; the Data API's own codes are mapped here first). The
original is chained.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dataprof.aws_errors import aws_error_code, translate_botocore
from dataprof.errors import (
    ConfigurationError,
    ConnectorError,
    DatabaseNotFoundError,
    PermissionDeniedError,
    QueryFailedError,
    TableNotFoundError,
    TransientError,
)

if TYPE_CHECKING:
    from dataprof_redshift.params import RedshiftParams

__all__ = ["ErrorContext", "statement_failure", "translate_errors"]

_BUSY_CODES = {
    "ActiveStatementsExceededException",
    "ActiveSessionsExceededException",
    "InternalServerException",
    "ServiceUnavailableException",
}
"""Data API codes that mean "busy, try later" (throttling itself is core's to map)."""
_MISSING = re.compile(r'(?P<what>relation|schema|database) "(?P<name>[^"]*)" does not exist', re.I)


class ErrorContext:
    """Where errors happen: the source and table to name, and the params to point at."""

    def __init__(self, where: dict[str, str], params: RedshiftParams, schema: str) -> None:
        self.where = where
        self.params = params
        self.schema = schema


@contextmanager
def translate_errors(ctx: ErrorContext, doing: str) -> Iterator[None]:
    """Re-raise whatever botocore raises while ``doing`` as a ConnectorError."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        translated = _translate_botocore(ctx, doing, exc)
        if translated is None:
            raise
        raise translated from exc


def statement_failure(ctx: ErrorContext, reason: str, statement_id: str) -> ConnectorError:
    """The error for a statement Redshift ran and FAILED (its ``Error`` text)."""
    missing = _MISSING.search(reason)
    if missing is not None:
        what, name = missing.group("what").lower(), missing.group("name")
        if what == "relation":
            return TableNotFoundError(
                f"Table {name!r} does not exist in Redshift (statement {statement_id})",
                **ctx.where,
                hint=f"check the table name and connection_params.schema_name ({ctx.schema!r})",
            )
        field = "schema_name" if what == "schema" else "the source's database"
        return DatabaseNotFoundError(
            f"Redshift {what} {name!r} does not exist (statement {statement_id})",
            **ctx.where,
            hint=f"check {'connection_params.' if what == 'schema' else ''}{field}",
        )
    if "permission denied" in reason.lower():
        return PermissionDeniedError(
            f"Redshift refused the statement {statement_id}: {reason}",
            **ctx.where,
            hint="grant the database user SELECT on the table and USAGE on its schema",
        )
    return QueryFailedError(
        "Redshift failed the statement", engine_reason=reason, query_id=statement_id, **ctx.where
    )


def _translate_botocore(ctx: ErrorContext, doing: str, exc: Exception) -> ConnectorError | None:
    """The Data API's own codes first; the rest as core maps every AWS call."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.NoRegionError):
        return ConfigurationError(
            f"No AWS region while {doing}",
            **ctx.where,
            hint="set connection_params.region (or AWS_REGION)",
        )
    found = aws_error_code(exc)
    if found is not None and isinstance(exc, bce.ClientError):
        code, message = found
        call = f"redshift-data:{exc.operation_name}"
        if code in _BUSY_CODES:
            attempts = int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
            return TransientError(
                f"Redshift kept answering {code} to {call} while {doing}",
                attempts=attempts,
                **ctx.where,
            )
        lowered = message.lower()
        field = _param_named(ctx, lowered)
        if field is not None and code in {"ValidationException", "ResourceNotFoundException"}:
            return ConfigurationError(
                f"{call} refused connection_params.{field} while {doing} ({code}: {message})",
                **ctx.where,
                hint=f"check connection_params.{field}",
            )
        if code == "DatabaseConnectionException":
            if "not exist" in lowered:
                return DatabaseNotFoundError(
                    f"{call} could not open the database while {doing} ({code}: {message})",
                    **ctx.where,
                )
            return ConfigurationError(
                f"{call} could not connect to the database while {doing} ({code}: {message})",
                **ctx.where,
                hint="check the source's database, connection_params.secret_arn or db_user",
            )
    return translate_botocore(
        exc,
        service="redshift-data",
        doing=doing,
        where=ctx.where,
        endpoint_hint="check connection_params.region and connection_params.endpoint_url",
    )


def _param_named(ctx: ErrorContext, message: str) -> str | None:
    """The connection_params field an AWS validation message is about."""
    if "workgroup" in message:
        return "workgroup_name"
    if "cluster" in message:
        return "cluster_identifier"
    if "secret" in message:
        return "secret_arn"
    if "dbuser" in message or "db user" in message or ("user" in message and ctx.params.db_user):
        return "db_user"
    return None
