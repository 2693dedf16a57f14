"""The ``redshift`` connector: Redshift Serverless or a provisioned cluster, through the
Data API.

The schema comes from ``DescribeTable`` (no SQL, once per connector). Reads are
statements: ``ExecuteStatement``, ``DescribeStatement`` polled, ``GetStatementResult``
paged by ``NextToken``, each page decoded into one Arrow batch typed from the table's
``ColumnMetadata`` (numeric arrives as text and stays exact). ``get_row_count`` is one
``COUNT(*)``, ``get_sample_arrow`` one ``LIMIT n``, and a profile is pushed down in two
statements (:mod:`.pushdown`), which is what ``auto`` picks: the connector claims no
row count from metadata, so the engine never streams a whole warehouse table.

The Data API returns at most 100 MB per statement result, so a full scan
(``--mode full``) suits tables up to about that size; pushdown suits any.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from dataprof import Capability, DataConnector, ScanSplit
from dataprof.config import DataSourceConfig
from dataprof.connector import DEFAULT_BATCH_SIZE, DEFAULT_SAMPLE_LIMIT
from dataprof.errors import ConfigurationError, DatabaseNotFoundError, TableNotFoundError
from dataprof_redshift.data_api import DataApi, StatementRun
from dataprof_redshift.error_translation import ErrorContext
from dataprof_redshift.params import RedshiftParams, schema_and_table
from dataprof_redshift.records import UndecodableValueError, decode_page, undecodable
from dataprof_redshift.sql import count_statement, quoted_table, select_statement
from dataprof_redshift.type_names import ColumnType, column_type

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.profiling.pushdown import PushdownRequest, PushdownResult

__all__ = ["RedshiftConnector"]


class RedshiftConnector(DataConnector):
    """Reads one Redshift table through the Data API; pushes profiles down as SQL."""

    params_model = RedshiftParams
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.SQL_PUSHDOWN, Capability.COLUMN_PROJECTION}
    )

    def __init__(self, config: DataSourceConfig) -> None:
        super().__init__(config)
        assert isinstance(self.params, RedshiftParams)
        self.redshift_params: RedshiftParams = self.params
        self.schema_name, self.table_name = schema_and_table(self.params, config.table)
        self.error_ctx = ErrorContext(self.error_context(), self.params, self.schema_name)
        self.api = DataApi(self.params, config.database, self.error_ctx)
        self._columns: dict[str, ColumnType] | None = None

    # -- schema ------------------------------------------------------------------------
    @property
    def columns(self) -> dict[str, ColumnType]:
        """Column name to type, in table order, from ``DescribeTable`` (asked once)."""
        if self._columns is None:
            described = self.api.describe_table(self.schema_name, self.table_name)
            if not described:
                self._raise_not_found()
            self._columns = {str(c["name"]): column_type(c) for c in described}
        return self._columns

    def _raise_not_found(self) -> None:
        if not self.api.schema_exists(self.schema_name):
            raise DatabaseNotFoundError(
                f"Schema {self.schema_name!r} not found in Redshift database "
                f"{self.config.database!r}",
                **self.error_context(),
                hint="check connection_params.schema_name (or the schema in `table`) and "
                "the source's database",
            )
        raise TableNotFoundError(
            f"Table {self.table_name!r} not found in schema {self.schema_name!r} of Redshift "
            f"database {self.config.database!r}",
            **self.error_context(),
            hint="check the table name; `DescribeTable` sees only tables the database user "
            "may read",
        )

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([pa.field(name, t.arrow) for name, t in self.columns.items()])

    def get_schema(self) -> dict[str, str]:
        """Redshift's own type names (``int8``, ``numeric(10,2)``, ``timestamptz``)."""
        return {name: t.declared for name, t in self.columns.items()}

    @property
    def table_sql(self) -> str:
        return quoted_table(self.schema_name, self.table_name, self.error_context())

    # -- reads -------------------------------------------------------------------------
    def iter_batches(
        self,
        columns: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        split: ScanSplit | None = None,
    ) -> Iterator[pa.RecordBatch]:
        self.check_columns(columns, list(self.columns))
        names = list(self.columns) if columns is None else list(columns)
        return self._read(names, batch_size, limit=None)

    def _read(
        self, names: list[str], batch_size: int, *, limit: int | None
    ) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        if batch_size <= 0:
            raise ConfigurationError(
                f"batch_size must be positive, got {batch_size}", **self.error_context()
            )
        if not names:
            return
        types = [self.columns[n] for n in names]
        schema = pa.schema([pa.field(n, t.arrow) for n, t in zip(names, types, strict=True)])
        sql = select_statement(self.table_sql, names, limit=limit, where=self.error_context())
        doing = f"reading {self.config.qualified_table}"
        run = self.api.run(sql, doing=doing)
        for page in self.api.pages(run, doing=doing):
            try:
                batch = decode_page(page.get("Records", []), types, schema)
            except UndecodableValueError as exc:
                raise undecodable(exc, self.error_context()) from exc
            for start in range(0, batch.num_rows, batch_size):
                yield batch.slice(start, batch_size)

    def get_row_count(self) -> int:
        """One ``COUNT(*)`` statement."""
        self.columns  # noqa: B018 - a missing table says so before any SQL runs
        run = self.api.run(
            count_statement(self.table_sql), doing=f"counting {self.config.qualified_table}"
        )
        return _single_long(self.api, run, f"counting {self.config.qualified_table}")

    def get_sample_arrow(self, limit: int = DEFAULT_SAMPLE_LIMIT) -> pa.Table:
        """The first ``limit`` rows Redshift returns, in one ``LIMIT`` statement."""
        import pyarrow as pa

        if limit < 0:
            raise ConfigurationError(
                f"sample limit must be >= 0, got {limit}", **self.error_context()
            )
        schema = self.arrow_schema()
        if limit == 0:
            return schema.empty_table()
        batches = list(self._read(schema.names, DEFAULT_BATCH_SIZE, limit=limit))
        return pa.Table.from_batches(batches, schema=schema)

    # -- pushdown ----------------------------------------------------------------------
    def profile_pushdown(self, request: PushdownRequest) -> PushdownResult:
        """The profile computed by Redshift in two statements (see :mod:`.pushdown`)."""
        from dataprof_redshift.pushdown import profile_in_redshift

        return profile_in_redshift(self, request)

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        self.api.close()


def _single_long(api: DataApi, run: StatementRun, doing: str) -> int:
    for page in api.pages(run, doing=doing):
        for row in page.get("Records", []):
            return int(row[0].get("longValue", 0))
    return 0
