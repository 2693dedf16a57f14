"""The Redshift Data API calls the connector makes, each translated and counted.

One ``redshift-data`` client per connector, built on first use with botocore's
``standard`` retry mode (``MAX_ATTEMPTS`` attempts with jittered backoff for
throttling and 5xx), so a throttled call is retried by botocore and only what outlives
the retries reaches us (as ``TransientError``). A statement is run with
``ExecuteStatement``, waited for in :mod:`.polling`, and read page by page with
``GetStatementResult`` and its ``NextToken``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataprof.redaction import get_logger
from dataprof_redshift.error_translation import ErrorContext, translate_errors
from dataprof_redshift.polling import wait_for_statement

if TYPE_CHECKING:
    from dataprof_redshift.params import RedshiftParams

__all__ = ["MAX_ATTEMPTS", "DataApi", "StatementRun"]

MAX_ATTEMPTS = 5
"""Attempts per call, botocore's retries included."""

_BOTOCORE_LOGGERS = (
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
    "botocore.auth",
    "botocore.awsrequest",
    "botocore.httpsession",
    "botocore.retries.standard",
)
"""botocore loggers whose DEBUG records quote request bodies (``SecretArn`` among them)."""


@dataclass
class StatementRun:
    """A statement that FINISHED: its id and what ``DescribeStatement`` said about it."""

    statement_id: str
    description: dict[str, Any] = field(default_factory=dict)

    @property
    def engine_ms(self) -> float | None:
        """Time Redshift spent on it (``Duration`` is in nanoseconds)."""
        duration = self.description.get("Duration")
        return None if duration is None or duration < 0 else duration / 1e6

    @property
    def result_bytes(self) -> int | None:
        size = self.description.get("ResultSize")
        return None if size is None or size < 0 else int(size)


class DataApi:
    """The calls, bound to one database and target (workgroup or cluster)."""

    def __init__(self, params: RedshiftParams, database: str, ctx: ErrorContext) -> None:
        self.params = params
        self.database = database
        self.ctx = ctx
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            for name in _BOTOCORE_LOGGERS:
                get_logger(name)  # attaches the redacting filter: bodies hold SecretArn

            with translate_errors(self.ctx, "creating the redshift-data client"):
                self._client = boto3.client(
                    "redshift-data",
                    region_name=self.params.region,
                    endpoint_url=self.params.endpoint_url,
                    config=Config(
                        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
                        user_agent_extra="dataprof-redshift",
                    ),
                )
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- statements -------------------------------------------------------------------
    def run(self, sql: str, *, doing: str) -> StatementRun:
        """Execute ``sql`` and wait until it FINISHED (or raise)."""
        with translate_errors(self.ctx, doing):
            started = self.client.execute_statement(
                Sql=sql, Database=self.database, **self.params.target
            )
        statement_id = str(started["Id"])
        description = wait_for_statement(
            lambda sid: self._describe(sid, doing),
            lambda sid: self._cancel(sid, doing),
            statement_id,
            self.params.statement_timeout_s,
            self.ctx,
        )
        return StatementRun(statement_id, description)

    def pages(self, run: StatementRun, *, doing: str) -> Iterator[dict[str, Any]]:
        """``GetStatementResult`` pages, one at a time (memory holds one page)."""
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Id": run.statement_id}
            if token:
                kwargs["NextToken"] = token
            with translate_errors(self.ctx, doing):
                page: dict[str, Any] = self.client.get_statement_result(**kwargs)
            yield page
            token = page.get("NextToken")
            if not token:
                return

    def _describe(self, statement_id: str, doing: str) -> dict[str, Any]:
        with translate_errors(self.ctx, doing):
            answer: dict[str, Any] = self.client.describe_statement(Id=statement_id)
        return answer

    def _cancel(self, statement_id: str, doing: str) -> None:
        with translate_errors(self.ctx, f"cancelling statement {statement_id} ({doing})"):
            self.client.cancel_statement(Id=statement_id)

    # -- metadata ---------------------------------------------------------------------
    def describe_table(self, schema: str, table: str) -> list[dict[str, Any]]:
        """``ColumnMetadata`` of ``schema.table`` in column order; empty if it is not there."""
        columns: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "Database": self.database,
                "Schema": schema,
                "Table": table,
                **self.params.target,
            }
            if token:
                kwargs["NextToken"] = token
            with translate_errors(self.ctx, f"describing {schema}.{table}"):
                page = self.client.describe_table(**kwargs)
            for column in page.get("ColumnList", []):
                # Keep exact matches only, whatever the API treats as a pattern.
                if column.get("schemaName", schema) == schema and (
                    column.get("tableName", table) == table
                ):
                    columns.append(column)
            token = page.get("NextToken")
            if not token:
                return columns

    def schema_exists(self, schema: str) -> bool:
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "Database": self.database,
                "SchemaPattern": schema,
                **self.params.target,
            }
            if token:
                kwargs["NextToken"] = token
            with translate_errors(self.ctx, f"listing schemas like {schema!r}"):
                page = self.client.list_schemas(**kwargs)
            if schema in page.get("Schemas", []):
                return True
            token = page.get("NextToken")
            if not token:
                return False
