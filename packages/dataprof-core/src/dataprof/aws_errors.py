"""botocore's exceptions as dataprof's, for every backend that calls AWS.

One mapping so that Glue, S3, Athena and the Redshift Data API read the same way:
a refusal names the call (``athena:StartQueryExecution``), throttling that outlived
botocore's own retries says how many attempts were made, missing credentials and an
unreachable endpoint say what to fix. What a "not found" means differs per service
(a table, a database, a work group), so a backend maps those codes itself first and
hands the rest here. botocore is imported only when an error is being translated:
``import dataprof`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataprof.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    PermissionDeniedError,
    QueryFailedError,
    TransientError,
)

__all__ = [
    "AUTH_CODES",
    "THROTTLE_CODES",
    "aws_error_code",
    "translate_botocore",
]

AUTH_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "AuthFailure",
    }
)
THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "SlowDown",
        "TooManyRequestsException",
        "TooManyRequests",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
    }
)
_S3_OPERATIONS = frozenset(
    {"GetObject", "HeadObject", "ListObjectsV2", "PutObject", "GetBucketLocation", "HeadBucket"}
)


def aws_error_code(exc: BaseException) -> tuple[str, str] | None:
    """(code, message) of a botocore ``ClientError``; None for anything else."""
    response: Any = getattr(exc, "response", None)
    if not isinstance(response, dict) or not hasattr(exc, "operation_name"):
        return None
    error = response.get("Error", {}) or {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def translate_botocore(
    exc: BaseException,
    *,
    service: str,
    doing: str,
    where: Mapping[str, str | None],
    endpoint_hint: str = "check connection_params.region and connection_params.endpoint_url",
) -> ConnectorError | None:
    """``exc`` as a dataprof error, or None when it is not botocore's.

    ``service`` names the calls (``athena`` gives ``athena:GetQueryExecution``; S3's
    object calls are always ``s3:``); ``where`` is ``connector.error_context()``.
    """
    try:
        from botocore import exceptions as bce  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - no AWS backend installed
        return None
    source, table = where.get("source"), where.get("table")
    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return AuthenticationError(
            f"No usable AWS credentials while {doing}: {exc}", source=source, table=table
        )
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectTimeoutError):
        return ConfigurationError(
            f"Cannot reach the AWS endpoint while {doing}: {exc}",
            source=source,
            table=table,
            hint=endpoint_hint,
        )
    if isinstance(exc, bce.ReadTimeoutError):
        return TransientError(
            f"AWS did not answer in time while {doing}: {exc}", source=source, table=table
        )
    if not isinstance(exc, bce.ClientError):
        return None
    code, message = aws_error_code(exc) or ("", "")
    operation = exc.operation_name
    call = f"{'s3' if operation in _S3_OPERATIONS else service}:{operation}"
    if "AccessDenied" in code or code in {"UnauthorizedOperation", "403", "Forbidden"}:
        return PermissionDeniedError(
            f"AWS refused {call} while {doing} ({code}: {message})", source=source, table=table
        )
    if code in AUTH_CODES:
        return AuthenticationError(
            f"AWS rejected the credentials on {call} while {doing} ({code}: {message})",
            source=source,
            table=table,
        )
    if code in THROTTLE_CODES:
        retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        return TransientError(
            f"AWS throttled {call} while {doing} ({code})",
            attempts=int(retries) + 1,
            source=source,
            table=table,
        )
    return QueryFailedError(
        f"AWS call {call} failed while {doing}",
        engine_reason=f"{code}: {message}",
        source=source,
        table=table,
    )
