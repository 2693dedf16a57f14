"""A test-owned Athena: the real API shapes, every statement executed for real on DuckDB.

moto's Athena returns canned rows whatever the SQL, so it cannot tell a right query
from a wrong one. This emulation answers the Athena calls the connector makes from
botocore ``before-send`` hooks (the request never leaves the process; botocore
parses the answer, retries and raises exactly as it would for AWS), in the shapes
Athena documents:

- ``GetTableMetadata`` from the tables a test created, with Hive type names;
- ``StartQueryExecution``: the statement is parsed as Trino by sqlglot, transpiled to
  DuckDB and executed on an in-memory DuckDB holding the same tables; the result is
  written to moto's S3 as Athena writes it (``<OutputLocation>/<id>.csv``: header,
  every value quoted, NULL an empty unquoted field) unless the work group has
  managed results; a failing statement becomes a FAILED execution with the engine's
  reason (``TABLE_NOT_FOUND``, ``SCHEMA_NOT_FOUND``, else DuckDB's text);
- ``GetQueryExecution`` (RUNNING for ``running_polls`` polls, then the end state, with
  ``Statistics``), ``GetQueryResults`` (paged by ``MaxResults``/``NextToken``, capped
  at ``page_size``, the header row first), ``StopQueryExecution``;
- ``SHOW FUNCTIONS LIKE ...`` answered from ``most_frequent`` (DuckDB has no such
  statement).

DuckDB lacks some of Athena's functions; they are defined as DuckDB macros here,
and only here: ``is_finite``/``is_infinite`` (DuckDB's ``isfinite``/``isinf``) and
``approx_most_frequent(k, value, capacity)``, computed exactly from ``histogram``
(the real one is a space-saving sketch; exact counts are within its bound).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import duckdb
import pyarrow as pa
import sqlglot
from botocore.awsrequest import AWSResponse

from dataprof.testing.moto_server import aws_client

CATALOG = "AwsDataCatalog"

MACROS = [
    "CREATE MACRO is_finite(x) AS isfinite(x)",
    "CREATE MACRO is_infinite(x) AS isinf(x)",
    "CREATE MACRO approx_most_frequent(k, v, cap) AS map_from_entries(list_transform("
    "list_slice(list_reverse_sort(list_transform(map_entries(histogram(v)), "
    "lambda e: {'c': e.value, 'k': e.key})), 1, k), lambda e: {'key': e.k, 'value': e.c}))",
]


def glue_type(data_type: pa.DataType) -> str:
    """The Hive type name Glue shows for an Arrow type."""
    t = pa.types
    if t.is_list(data_type) or t.is_large_list(data_type):
        return f"array<{glue_type(data_type.value_type)}>"
    if t.is_map(data_type):
        return f"map<{glue_type(data_type.key_type)},{glue_type(data_type.item_type)}>"
    if t.is_struct(data_type):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.type)}" for f in data_type) + ">"
    if t.is_decimal(data_type):
        return f"decimal({data_type.precision},{data_type.scale})"
    simple = {
        pa.int8(): "tinyint",
        pa.int16(): "smallint",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float32(): "float",
        pa.float64(): "double",
        pa.string(): "string",
        pa.large_string(): "string",
        pa.bool_(): "boolean",
        pa.date32(): "date",
        pa.binary(): "binary",
    }
    if t.is_timestamp(data_type):
        return "timestamp"
    return simple[data_type]


def _engine_type(data_type: pa.DataType) -> dict[str, Any]:
    """A result column's ``ColumnInfo`` (Trino's names)."""
    t = pa.types
    info: dict[str, Any] = {"Precision": 0, "Scale": 0, "Nullable": "UNKNOWN"}
    if t.is_decimal(data_type):
        return {
            **info,
            "Type": "decimal",
            "Precision": data_type.precision,
            "Scale": data_type.scale,
        }
    names = [
        (t.is_boolean, "boolean"),
        (lambda x: x == pa.int8(), "tinyint"),
        (lambda x: x == pa.int16(), "smallint"),
        (lambda x: x == pa.int32(), "integer"),
        (t.is_integer, "bigint"),
        (lambda x: x == pa.float32(), "real"),
        (t.is_floating, "double"),
        (t.is_date, "date"),
        (t.is_timestamp, "timestamp"),
        (t.is_binary, "varbinary"),
        (t.is_list, "array"),
        (t.is_map, "map"),
        (t.is_struct, "row"),
    ]
    for check, name in names:
        if check(data_type):
            return {**info, "Type": name}
    return {**info, "Type": "varchar"}


def athena_text(value: Any) -> str | None:
    """A value as Athena renders it in a result (CSV field or ``VarCharValue``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return " ".join(f"{b:02x}" for b in value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)


@dataclass
class Execution:
    query_id: str
    sql: str
    work_group: str
    output: str | None
    state: str = "SUCCEEDED"
    reason: str | None = None
    header: list[str] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)
    polls: int = 0
    show: bool = False


class AthenaEmulation:
    """Athena over DuckDB, reached through botocore hooks on every Athena client."""

    def __init__(self, moto_endpoint: str, bucket: str) -> None:
        self.moto_endpoint = moto_endpoint
        self.bucket = bucket
        self.s3 = aws_client("s3", moto_endpoint)
        self.s3.create_bucket(Bucket=bucket)
        self.duck = duckdb.connect()
        self.duck.execute(f"ATTACH ':memory:' AS \"{CATALOG}\"")
        for macro in MACROS:
            self.duck.execute(macro)
        self.tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.work_groups: dict[str, dict[str, Any]] = {
            "primary": {"output": f"s3://{bucket}/results/"},
            "managed": {"output": None, "managed": True},
            "no-output": {"output": None},
        }
        self.executions: dict[str, Execution] = {}
        self.statements: list[str] = []
        """Every statement started, in order (what the connector sent, before transpiling)."""
        self.stopped: list[str] = []
        self.most_frequent = True
        self.page_size = 1000
        self.running_polls = 1
        self.fail_next: list[tuple[int, str]] = []
        """(HTTP status, error code) answers for the next calls, whatever they are."""

    # -- set-up -------------------------------------------------------------------------
    def create_table(self, database: str, name: str, data: pa.Table) -> None:
        """``data`` as an Athena table: in DuckDB for the SQL, in the catalog for metadata."""
        plain = pa.table(
            {
                f.name: data.column(i).cast(pa.timestamp(f.type.unit))
                if pa.types.is_timestamp(f.type)
                else data.column(i)
                for i, f in enumerate(data.schema)
            }
        )
        self.duck.execute(f'CREATE SCHEMA IF NOT EXISTS "{CATALOG}".{_q(database)}')
        self.duck.register("incoming", plain)
        self.duck.execute(
            f'CREATE OR REPLACE TABLE "{CATALOG}".{_q(database)}.{_q(name)} AS SELECT * FROM incoming'
        )
        self.duck.unregister("incoming")
        self.tables[(database, name)] = [(f.name, glue_type(f.type)) for f in data.schema]

    def install(self, client: Any) -> None:
        """Answer this Athena client's calls from here."""
        client.meta.events.register("before-send.athena", self._answer)

    @property
    def queries(self) -> list[str]:
        """Statements that profile or read (the once-per-process SHOW FUNCTIONS left out)."""
        return [s for s in self.statements if not s.lstrip().upper().startswith("SHOW ")]

    # -- the hook -----------------------------------------------------------------------
    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        body = json.loads(request.body or b"{}")
        if self.fail_next:
            status, code = self.fail_next.pop(0)
            return _response(request, status, {"__type": code, "Message": f"{code} (emulated)"})
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(
            self, f"_{operation}", None
        )
        if handler is None:
            return _response(
                request, 400, {"__type": "InvalidRequestException", "Message": f"{operation}?"}
            )
        try:
            return _response(request, 200, handler(body))
        except _AthenaError as exc:
            return _response(request, 400, {"__type": exc.code, "Message": exc.message})

    # -- operations ---------------------------------------------------------------------
    def _GetTableMetadata(self, body: dict[str, Any]) -> dict[str, Any]:
        database, table = body["DatabaseName"], body["TableName"]
        if body.get("CatalogName", CATALOG) != CATALOG:
            raise _AthenaError("MetadataException", f"Catalog {body['CatalogName']} not found")
        if not any(db == database for db, _ in self.tables):
            raise _AthenaError("MetadataException", f"Database {database} not found.")
        columns = self.tables.get((database, table))
        if columns is None:
            raise _AthenaError("MetadataException", f"Table {table} not found.")
        return {
            "TableMetadata": {
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Columns": [{"Name": n, "Type": t} for n, t in columns],
                "PartitionKeys": [],
            }
        }

    def _StartQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        sql = body["QueryString"]
        group_name = body.get("WorkGroup", "primary")
        group = self.work_groups.get(group_name)
        if group is None:
            raise _AthenaError("InvalidRequestException", f"WorkGroup {group_name} is not found.")
        location = body.get("ResultConfiguration", {}).get("OutputLocation") or group["output"]
        if location is None and not group.get("managed"):
            raise _AthenaError(
                "InvalidRequestException",
                "No output location provided. An output location is required either through "
                "the Workgroup result configuration setting or as an API input.",
            )
        query_id = str(uuid.uuid4())
        self.statements.append(sql)
        output = None if location is None else f"{location.rstrip('/')}/{query_id}.csv"
        execution = Execution(query_id, sql, group_name, output)
        self.executions[query_id] = execution
        self._execute(execution)
        return {"QueryExecutionId": query_id}

    def _execute(self, execution: Execution) -> None:
        sql = execution.sql.strip()
        if sql.upper().startswith("SHOW FUNCTIONS"):
            execution.show = True
            execution.header = ["Function", "Return Type", "Argument Types", "Function Type"]
            execution.columns = [{"Name": h, "Type": "varchar"} for h in execution.header]
            if self.most_frequent:
                execution.rows = [
                    ["approx_most_frequent", "map(bigint,bigint)", "bigint, T, bigint", "aggregate"]
                ]
            return
        try:
            duck_sql = sqlglot.transpile(sql, read="trino", write="duckdb")[0]
            relation = self.duck.sql(duck_sql)
            result = relation.to_arrow_table() if relation is not None else pa.table({})
        except Exception as exc:  # the engine's failure becomes the query's
            execution.state = "FAILED"
            execution.reason = _athena_reason(str(exc))
            return
        execution.header = [f.name for f in result.schema]
        execution.columns = [
            {"Name": f.name, "Label": f.name, **_engine_type(f.type)} for f in result.schema
        ]
        columns = [result.column(i).to_pylist() for i in range(result.num_columns)]
        execution.rows = [[athena_text(v) for v in row] for row in zip(*columns, strict=True)]
        if execution.output is not None:
            self._write_csv(execution)

    def _write_csv(self, execution: Execution) -> None:
        lines = []
        for row in [execution.header, *execution.rows]:
            lines.append(
                ",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row)
            )
        text = "\n".join(lines) + "\n"
        parsed = urlparse(execution.output)
        self.s3.put_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"), Body=text.encode())

    def _GetQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(body["QueryExecutionId"])
        execution.polls += 1
        state = execution.state if execution.polls > self.running_polls else "RUNNING"
        if execution.query_id in self.stopped:
            state = "CANCELLED"
        status: dict[str, Any] = {"State": state, "SubmissionDateTime": 1_700_000_000.0}
        if state == "FAILED":
            status["StateChangeReason"] = execution.reason
            status["AthenaError"] = {
                "ErrorCategory": 2,
                "ErrorType": 1301,
                "Retryable": False,
                "ErrorMessage": execution.reason,
            }
        answer: dict[str, Any] = {
            "QueryExecutionId": execution.query_id,
            "Query": execution.sql,
            "StatementType": "UTILITY" if execution.show else "DML",
            "QueryExecutionContext": {"Catalog": CATALOG},
            "Status": status,
            "Statistics": {"EngineExecutionTimeInMillis": 7, "DataScannedInBytes": 1024},
            "WorkGroup": execution.work_group,
        }
        if execution.output is not None:
            answer["ResultConfiguration"] = {"OutputLocation": execution.output}
        else:
            answer["ManagedQueryResultsConfiguration"] = {"Enabled": True}
        return {"QueryExecution": answer}

    def _GetQueryResults(self, body: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(body["QueryExecutionId"])
        if execution.state != "SUCCEEDED":
            raise _AthenaError(
                "InvalidRequestException",
                f"Query has not yet finished. Current state: {execution.state}",
            )
        rows = execution.rows if execution.show else [execution.header, *execution.rows]
        start = int(body.get("NextToken") or 0)
        size = min(int(body.get("MaxResults", 1000)), self.page_size)
        page = rows[start : start + size]
        answer: dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {
                "Rows": [
                    {"Data": [{} if v is None else {"VarCharValue": v} for v in row]}
                    for row in page
                ],
                "ResultSetMetadata": {
                    "ColumnInfo": [{"CatalogName": "hive", **c} for c in execution.columns]
                },
            },
        }
        if start + size < len(rows):
            answer["NextToken"] = str(start + size)
        return answer

    def _StopQueryExecution(self, body: dict[str, Any]) -> dict[str, Any]:
        self.stopped.append(body["QueryExecutionId"])
        return {}

    def _find(self, query_id: str) -> Execution:
        if query_id not in self.executions:
            raise _AthenaError(
                "InvalidRequestException", f"QueryExecution {query_id} was not found"
            )
        return self.executions[query_id]


class _AthenaError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _athena_reason(duckdb_text: str) -> str:
    """DuckDB's failure in the words Athena (Trino) uses for the same failure."""
    first = duckdb_text.splitlines()[0]
    if "does not exist because schema" in first:
        return f"SCHEMA_NOT_FOUND: line 1:15: {first}"
    if "Table with name" in first and "does not exist" in first:
        return f"TABLE_NOT_FOUND: line 1:15: {first}"
    return first


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


_request_ids = itertools.count()


def _response(request: Any, status: int, body: dict[str, Any]) -> AWSResponse:
    data = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": f"emulated-{next(_request_ids)}",
        "Content-Length": str(len(data)),
    }
    return AWSResponse(request.url, status, headers, _Raw(data))
