"""The ``athena`` connector: tables in an Athena catalog, read and profiled through SQL.

- Schema without SQL: ``GetTableMetadata`` (columns, then partition keys), once per
  connector; ``get_schema`` shows Athena's own type names.
- Reads: one ``SELECT`` per call, polled to its end (:mod:`.polling`), its result CSV
  streamed from S3 into Arrow (:mod:`.results`), typed from the table's schema;
  managed-results work groups are paged through ``GetQueryResults`` instead.
- ``get_row_count`` is one ``count(*)``, ``get_sample_arrow`` one ``LIMIT n``.
- ``profile_pushdown``: the whole profile in one query (:mod:`.pushdown`).

No snapshot (Athena reads whatever the table holds when the query runs), no field
ids, one split: the query engine parallelises, not dataprof.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlparse

from dataprof import Capability, ConfigurationError, DataConnector, ScanSplit
from dataprof.connector import DEFAULT_BATCH_SIZE, DEFAULT_SAMPLE_LIMIT
from dataprof_athena.athena_types import UnsupportedAthenaType, arrow_type, is_nested
from dataprof_athena.error_mapping import AthenaNames, failed_query_error, translate_errors
from dataprof_athena.params import AthenaParams
from dataprof_athena.polling import QueryOutcome, run_query
from dataprof_athena.results import csv_batches, rows_as_csv
from dataprof_athena.sql import quote_identifier, table_reference

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.profiling import PushdownRequest, PushdownResult

__all__ = ["AthenaConnector"]

RESULTS_PAGE_SIZE = 1000
"""Rows per ``GetQueryResults`` call (Athena's maximum)."""


class AthenaConnector(DataConnector):
    """An Athena table: ``database`` is the Glue database, ``table`` the table."""

    params_model = AthenaParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.SQL_PUSHDOWN, Capability.COLUMN_PROJECTION}
    )
    params: AthenaParams

    # -- clients -----------------------------------------------------------------------
    @cached_property
    def _session(self) -> Any:
        import boto3

        p = self.params
        return boto3.Session(
            aws_access_key_id=p.access_key_id,
            aws_secret_access_key=p.secret_access_key.get_secret_value()
            if p.secret_access_key
            else None,
            aws_session_token=p.session_token.get_secret_value() if p.session_token else None,
            region_name=p.region,
            profile_name=p.profile_name,
        )

    def _client(self, service: str, endpoint_url: str | None) -> Any:
        from botocore.config import Config

        config = Config(
            retries={"mode": "adaptive", "total_max_attempts": self.params.max_attempts}
        )
        with translate_errors(self.names, "creating the AWS client"):
            return self._session.client(service, endpoint_url=endpoint_url, config=config)

    @cached_property
    def athena(self) -> Any:
        """The boto3 Athena client every call of this connector goes through."""
        return self._client("athena", self.params.endpoint_url)

    @cached_property
    def s3(self) -> Any:
        """The boto3 S3 client that reads result files."""
        return self._client("s3", self.params.s3_endpoint_url or self.params.endpoint_url)

    @cached_property
    def names(self) -> AthenaNames:
        """What this connector's errors name (source, catalog, database, table)."""
        return AthenaNames(
            self.error_context(), self.params.catalog, self.config.database, self.config.table
        )

    # -- schema ------------------------------------------------------------------------
    @cached_property
    def _columns(self) -> list[tuple[str, str]]:
        """(name, Athena type) of every column, partition keys last."""
        with translate_errors(self.names, "reading the table's metadata"):
            table = self.athena.get_table_metadata(
                CatalogName=self.params.catalog,
                DatabaseName=self.config.database,
                TableName=self.config.table,
            )["TableMetadata"]
        columns = [*table.get("Columns", []), *table.get("PartitionKeys", [])]
        return [(str(c["Name"]), str(c.get("Type", "string"))) for c in columns]

    @cached_property
    def _arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        fields = []
        for name, type_name in self._columns:
            try:
                fields.append(pa.field(name, arrow_type(type_name)))
            except UnsupportedAthenaType as exc:
                raise ConfigurationError(
                    f"Column {name!r} has a type dataprof cannot read: {exc}",
                    **self.error_context(),
                    hint="leave the column out with `columns`, or cast it in a view",
                ) from None
        return pa.schema(fields)

    def arrow_schema(self) -> pa.Schema:
        return self._arrow_schema

    def get_schema(self) -> dict[str, str]:
        return dict(self._columns)

    @property
    def table_sql(self) -> str:
        """The table as SQL: ``"catalog"."database"."table"``."""
        return table_reference(
            self.params.catalog, self.config.database, self.config.table, self.error_context()
        )

    def column_sql(self, name: str) -> str:
        return quote_identifier(name, what="column", where=self.error_context())

    # -- queries -----------------------------------------------------------------------
    def run(self, sql: str, doing: str) -> QueryOutcome:
        """Run one statement to its end (stopped on timeout or interrupt)."""
        start: dict[str, Any] = {
            "WorkGroup": self.params.work_group,
            "QueryExecutionContext": {
                "Catalog": self.params.catalog,
                "Database": self.config.database,
            },
        }
        if self.params.output_location:
            start["ResultConfiguration"] = {"OutputLocation": self.params.output_location}
        names = self.names
        with translate_errors(names, doing):
            return run_query(
                self.athena,
                sql,
                start_kwargs=start,
                timeout_s=self.params.query_timeout_s,
                where=self.error_context(),
                on_failure=lambda qid, kind, reason: failed_query_error(names, qid, kind, reason),
            )

    def results(self, outcome: QueryOutcome, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """The rows of a finished query, decoded into ``schema`` (by position)."""
        with translate_errors(self.names, "reading query results"):
            if outcome.output_location:
                parsed = urlparse(outcome.output_location)
                body = self.s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
                try:
                    yield from csv_batches(_Readable(body), schema)
                finally:
                    body.close()
                return
            yield from self._paged_results(outcome.query_id, schema)

    def _paged_results(self, query_id: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        """Managed query results: no file, only ``GetQueryResults`` pages."""
        token: str | None = None
        first = True
        while True:
            kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": RESULTS_PAGE_SIZE}
            if token:
                kwargs["NextToken"] = token
            page = self.athena.get_query_results(**kwargs)
            rows = [
                [cell.get("VarCharValue") for cell in row.get("Data", [])]
                for row in page["ResultSet"].get("Rows", [])
            ]
            if first and rows:
                rows = rows[1:]  # a SELECT's first row repeats the column names
            first = False
            if rows:
                header = [f"c{i}" for i in range(len(schema))]
                yield from csv_batches(rows_as_csv(header, rows), schema)
            token = page.get("NextToken")
            if not token:
                return

    def select_list(self, columns: Sequence[str]) -> str:
        """Columns as a select list; nested ones as JSON text, which the reader decodes."""
        schema = self.arrow_schema()
        parts = []
        for name in columns:
            sql = self.column_sql(name)
            parts.append(f"CAST({sql} AS JSON)" if is_nested(schema.field(name).type) else sql)
        return ", ".join(parts)

    # -- the contract ------------------------------------------------------------------
    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        schema = self.arrow_schema()
        self.check_columns(columns, schema.names)
        names = list(columns) if columns is not None else schema.names
        wanted = pa.schema([schema.field(n) for n in names])
        if not names:
            return
        outcome = self.run(f"SELECT {self.select_list(names)} FROM {self.table_sql}", "reading")
        for batch in self.results(outcome, wanted):
            for start in range(0, batch.num_rows, batch_size):
                yield batch.slice(start, batch_size)

    def get_row_count(self) -> int:
        import pyarrow as pa

        outcome = self.run(f"SELECT count(*) FROM {self.table_sql}", "counting rows")
        batches = list(self.results(outcome, pa.schema([pa.field("n", pa.int64())])))
        return int(batches[0].column(0)[0].as_py()) if batches else 0

    def get_sample_arrow(self, limit: int = DEFAULT_SAMPLE_LIMIT) -> pa.Table:
        import pyarrow as pa

        if limit < 0:
            raise ConfigurationError(
                f"sample limit must be >= 0, got {limit}", **self.error_context()
            )
        schema = self.arrow_schema()
        if limit == 0:
            return schema.empty_table()
        sql = f"SELECT {self.select_list(schema.names)} FROM {self.table_sql} LIMIT {int(limit)}"
        batches = list(self.results(self.run(sql, "sampling"), schema))
        return pa.Table.from_batches(batches, schema=schema)

    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        from dataprof_athena.pushdown import profile_in_athena

        return profile_in_athena(self, request)

    def close(self) -> None:
        for name in ("athena", "s3"):
            client = self.__dict__.pop(name, None)
            if client is not None:
                client.close()


class _Readable:
    """botocore's streaming body as the file-like object pyarrow reads from."""

    closed = False

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._body.read(size if size >= 0 else None)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True
