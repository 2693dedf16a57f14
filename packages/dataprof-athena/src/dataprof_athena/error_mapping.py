"""Athena's errors in dataprof's terms, naming the ``connection_params`` field to fix.

What is Athena's own (an unknown work group, no result location, a table or database
the catalog does not know, a failed query's ``TABLE_NOT_FOUND``) is decided here;
everything else goes to the mapping every AWS backend shares
(:func:`dataprof.aws_errors.translate_botocore`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dataprof.aws_errors import aws_error_code, translate_botocore
from dataprof.errors import (
    ConfigurationError,
    ConnectorError,
    DatabaseNotFoundError,
    TableNotFoundError,
)

__all__ = ["AthenaNames", "failed_query_error", "translate_errors"]

_ENDPOINT_HINT = "check connection_params.region and connection_params.endpoint_url"


class AthenaNames:
    """What an error message names: the source, and the database and table asked for."""

    def __init__(self, where: Mapping[str, str], catalog: str, database: str, table: str) -> None:
        self.where = dict(where)
        self.catalog = catalog
        self.database = database
        self.table = table


def _not_found(names: AthenaNames, text: str) -> ConnectorError | None:
    lowered = text.lower()
    if not re.search(
        r"not found|does not exist|entitynotfound|schema_not_found|table_not_found", lowered
    ):
        return None
    if "schema_not_found" in lowered or re.search(
        r"(database|schema|namespace)\b[^.]*(not found|does not exist)", lowered
    ):
        return DatabaseNotFoundError(
            f"Database {names.database!r} not found in Athena catalog {names.catalog!r}: {text}",
            **names.where,
            hint="check the database name, connection_params.catalog and connection_params.region",
        )
    return TableNotFoundError(
        f"Table {names.table!r} not found in database {names.database!r}: {text}",
        **names.where,
        hint=f"check the table name; SHOW TABLES IN {names.database} lists what Athena sees",
    )


def _configuration(names: AthenaNames, text: str) -> ConnectorError | None:
    lowered = text.lower()
    if "workgroup" in lowered and ("not found" in lowered or "does not exist" in lowered):
        return ConfigurationError(
            f"Athena work group not found: {text}",
            **names.where,
            hint="set connection_params.work_group to an existing work group (default 'primary')",
        )
    if "output location" in lowered or "outputlocation" in lowered:
        return ConfigurationError(
            f"Athena has nowhere to write query results: {text}",
            **names.where,
            hint="set connection_params.output_location (s3://bucket/prefix/) or give the "
            "work group a query result location",
        )
    return None


def failed_query_error(
    names: AthenaNames, query_id: str, error_type: str, reason: str
) -> ConnectorError | None:
    """A FAILED query whose reason is a missing table or database, in those terms (Athena
    starts such reasons with ``TABLE_NOT_FOUND`` or ``SCHEMA_NOT_FOUND``)."""
    if not re.match(r"\s*(TABLE_NOT_FOUND|SCHEMA_NOT_FOUND)\b", reason):
        return None
    return _not_found(names, f"{reason} (query id {query_id})")


@contextmanager
def translate_errors(names: AthenaNames, doing: str) -> Iterator[None]:
    """Re-raise what boto3 raises while ``doing`` as a :class:`ConnectorError`."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        code = aws_error_code(exc)
        if code is not None and code[0] in {
            "InvalidRequestException",
            "MetadataException",
            "EntityNotFoundException",
            "ResourceNotFoundException",
        }:
            text = f"{code[0]}: {code[1]}"
            mapped = _configuration(names, text) or _not_found(names, text)
            if mapped is not None:
                raise mapped from exc
        translated = translate_botocore(
            exc, service="athena", doing=doing, where=names.where, endpoint_hint=_ENDPOINT_HINT
        )
        if translated is not None:
            raise translated from exc
        raise
