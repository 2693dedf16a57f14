"""PyIceberg's, botocore's, SQLAlchemy's and PyArrow's errors as dataprof's.

One place maps them so that every call site reads the same way and no caller sees a
traceback from inside a dependency: a missing namespace or table names both, an
AWS refusal names the call that was refused (``glue:GetTable``, ``s3:GetObject``),
a missing PyIceberg extra gives the ``pip install`` line, and a catalog that cannot
be built names the ``connection_params`` property to fix. The original exception is
always chained.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from pyiceberg.exceptions import (
    AuthorizationExpiredError,
    ForbiddenError,
    NoSuchNamespaceError,
    NoSuchTableError,
    NotInstalledError,
    OAuthError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
)

from dataprof.aws_errors import aws_error_code, translate_botocore
from dataprof.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    DatabaseNotFoundError,
    PermissionDeniedError,
    QueryFailedError,
    TableNotFoundError,
    TransientError,
)

__all__ = ["ErrorContext", "translate_errors"]

_S3_DENIED = re.compile(
    r"AccessDenied|ACCESS_DENIED|Access Denied|HTTP status 403|status code 403", re.I
)
# PyArrow's S3 errors read "When reading information for key 'k' in bucket 'b': AWS Error
# ACCESS_DENIED during HeadObject operation: ..."
_S3_KEY = re.compile(r"key '(?P<key>[^']*)' in bucket '(?P<bucket>[^']*)'")
_S3_CALL = re.compile(r"during (?P<call>\w+) operation")


class ErrorContext:
    """What a translated error needs to know: where, which table, and how to ask the
    catalog whether the namespace exists."""

    def __init__(
        self,
        source: str,
        namespace: str,
        table: str,
        catalog_type: str,
        namespace_exists: Callable[[], bool | None],
    ) -> None:
        self.source = source
        self.namespace = namespace
        self.table = table
        self.catalog_type = catalog_type
        self.namespace_exists = namespace_exists

    @property
    def where(self) -> dict[str, str]:
        return {"source": self.source, "table": f"{self.namespace}.{self.table}"}


@contextmanager
def translate_errors(ctx: ErrorContext, doing: str) -> Iterator[None]:
    """Re-raise anything a dependency raises while ``doing`` as a ConnectorError."""
    try:
        yield
    except ConnectorError:
        raise
    except NoSuchNamespaceError as exc:
        _namespace_missing(ctx, exc)
    except NoSuchTableError as exc:
        if ctx.namespace_exists() is False:
            _namespace_missing(ctx, exc)
        raise TableNotFoundError(
            f"Table {ctx.table!r} not found in namespace {ctx.namespace!r}",
            **ctx.where,
            hint=f"check the table name; list the namespace {ctx.namespace!r} in your "
            f"{ctx.catalog_type} catalog",
        ) from exc
    except NotInstalledError as exc:
        match = re.search(r"pip install '[^']+'", str(exc))
        raise ConfigurationError(
            f"The {ctx.catalog_type} catalog needs a PyIceberg extra that is not installed: {exc}",
            **ctx.where,
            hint=match.group(0) if match else "pip install 'pyiceberg[<extra>]'",
        ) from exc
    except (UnauthorizedError, AuthorizationExpiredError, OAuthError) as exc:
        raise AuthenticationError(
            f"The {ctx.catalog_type} catalog rejected the credentials while {doing}: {exc}",
            **ctx.where,
            hint="check connection_params.credential / token (or the catalog's auth properties)",
        ) from exc
    except ForbiddenError as exc:
        raise PermissionDeniedError(
            f"The {ctx.catalog_type} catalog refused the call while {doing}: {exc}", **ctx.where
        ) from exc
    except (TooManyRequestsError, ServiceUnavailableError, ServerError) as exc:
        raise TransientError(
            f"The {ctx.catalog_type} catalog failed while {doing}: {exc}",
            source=ctx.where["source"],
            table=ctx.where["table"],
        ) from exc
    except Exception as exc:
        _translate_other(ctx, doing, exc)


def _namespace_missing(ctx: ErrorContext, exc: Exception) -> NoReturn:
    raise DatabaseNotFoundError(
        f"Namespace {ctx.namespace!r} not found (looking for table {ctx.table!r} in it)",
        **ctx.where,
        hint=f"check the database (Iceberg namespace) name and that the {ctx.catalog_type} "
        "catalog is the one that holds it (connection_params.catalog_name, region, uri)",
    ) from exc


def _translate_other(ctx: ErrorContext, doing: str, exc: Exception) -> NoReturn:
    botocore_error = _translate_botocore(ctx, doing, exc)
    if botocore_error is not None:
        raise botocore_error from exc
    sqlalchemy_error = _translate_sqlalchemy(ctx, exc)
    if sqlalchemy_error is not None:
        raise sqlalchemy_error from exc
    text = f"{type(exc).__name__}: {exc}"
    if _is_connection_failure(exc):
        raise ConfigurationError(
            f"Cannot reach the {ctx.catalog_type} catalog while {doing}: {text}",
            **ctx.where,
            hint="check connection_params.uri (and that the catalog server is running)",
        ) from exc
    if isinstance(exc, OSError) and _S3_DENIED.search(str(exc)):
        message = str(exc)
        call = _S3_CALL.search(message)
        where = _S3_KEY.search(message)
        target = f" on s3://{where.group('bucket')}/{where.group('key')}" if where else ""
        raise PermissionDeniedError(
            f"S3 refused s3:{call.group('call') if call else 'GetObject'}{target} while {doing}",
            **ctx.where,
            hint="grant the caller s3:GetObject (and s3:ListBucket) on the table's location, "
            "or set connection_params.region to the bucket's region",
        ) from exc
    if isinstance(exc, OSError) and "checksum" in text.lower():
        raise QueryFailedError(
            f"A damaged data file: a Parquet page fails its checksum while {doing}",
            engine_reason=text,
            **ctx.where,
            hint="restore the data file from a backup or rewrite the snapshot; dataprof "
            "does not profile pages that fail their checksum",
        ) from exc
    raise QueryFailedError(f"Failed {doing}", engine_reason=text, **ctx.where) from exc


def _is_connection_failure(exc: Exception) -> bool:
    """A REST or Hive catalog that is not there (requests' or the socket's own error)."""
    if isinstance(exc, ConnectionRefusedError | TimeoutError):
        return True
    try:
        import requests
    except ImportError:  # pragma: no cover - requests comes with pyiceberg
        return False
    return isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout)


def _translate_botocore(ctx: ErrorContext, doing: str, exc: Exception) -> ConnectorError | None:
    """Glue's and S3's "not found" mean this table; everything else is mapped as for every
    AWS backend (``dataprof.aws_errors``)."""
    code = aws_error_code(exc)
    if code is not None and code[0] in {
        "EntityNotFoundException",
        "NoSuchBucket",
        "NoSuchKey",
        "404",
    }:
        call = f"{_service_of(ctx, getattr(exc, 'operation_name', ''))}:{getattr(exc, 'operation_name', '')}"
        return TableNotFoundError(
            f"{call} found nothing while {doing} ({code[0]}: {code[1]}): table {ctx.table!r} "
            f"in namespace {ctx.namespace!r}",
            **ctx.where,
        )
    return translate_botocore(
        exc,
        service=ctx.catalog_type,
        doing=doing,
        where=ctx.where,
        endpoint_hint="check connection_params.region and connection_params.glue_endpoint / "
        "s3_endpoint (VPC endpoints)",
    )


def _service_of(ctx: ErrorContext, operation: str) -> str:
    """``s3`` for the object calls, otherwise the catalog's own service (``glue``)."""
    if operation in {"GetObject", "HeadObject", "ListObjectsV2", "PutObject", "GetBucketLocation"}:
        return "s3"
    return ctx.catalog_type


def _translate_sqlalchemy(ctx: ErrorContext, exc: Exception) -> ConnectorError | None:
    try:
        from sqlalchemy import exc as sae
    except ImportError:  # pragma: no cover - sql extra absent
        return None
    if isinstance(exc, sae.OperationalError) and _is_lock_wait(exc):
        return TransientError(
            f"The SQL catalog at connection_params.uri is locked by another process "
            f"({str(exc.orig).splitlines()[0]}); the configuration is fine",
            source=ctx.where["source"],
            table=ctx.where["table"],
            hint="another process is writing to the catalog (a long commit, or one that hung "
            "holding its lock); try again when it has finished",
        )
    if isinstance(exc, (sae.ArgumentError, sae.OperationalError, sae.NoSuchModuleError)):
        return ConfigurationError(
            f"The SQL catalog at connection_params.uri cannot be used: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0]}",
            **ctx.where,
            hint="set connection_params.uri to the SQLAlchemy URL of an existing PyIceberg SQL "
            "catalog (e.g. sqlite:////abs/path/catalog.db)",
        )
    return None


_LOCK_WAITS = ("database is locked", "database table is locked", "lock timeout", "deadlock")


def _is_lock_wait(exc: Exception) -> bool:
    """SQLite's busy timeout ran out, or a server database gave up waiting for a lock:
    a transient state of the catalog, not a wrong URI."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in _LOCK_WAITS)
