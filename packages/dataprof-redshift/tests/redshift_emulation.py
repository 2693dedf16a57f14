"""A test-owned Redshift Data API that runs every statement for real on PostgreSQL.

Why: moto's ``redshift-data`` keeps statements ``STARTED`` forever and returns the
same canned rows whatever the SQL (see TESTING-NOTES), so it cannot check a single
figure. Here, botocore ``before-send`` hooks on every ``redshift-data`` client answer
``ExecuteStatement``, ``DescribeStatement``, ``GetStatementResult``,
``CancelStatement``, ``DescribeTable`` and ``ListSchemas`` in the API's JSON shapes
(``Field`` unions, ``ColumnMetadata`` with ``typeName``, ``NextToken`` paging), so the
connector's real boto3 client, parser and retry handler do their work.

Each statement is parsed by sqlglot as ``redshift`` (one statement, or the emulation
FAILS it as Redshift's Data API would), checked against Redshift-only rules on the
tree, transpiled to PostgreSQL and executed. What the stand-in defines because
PostgreSQL lacks it, said here once:

- ``APPROXIMATE COUNT(DISTINCT x)`` (sqlglot: ``APPROX_DISTINCT``) runs as the exact
  ``COUNT(DISTINCT x)``; an exact answer is within any approximation's bound.
- ``APPROXIMATE PERCENTILE_DISC(q) WITHIN GROUP (ORDER BY x)`` (sqlglot:
  ``APPROX_QUANTILE``) runs as the exact ``PERCENTILE_DISC``.
- Results typed ``text`` are reported as ``varchar`` (Redshift has no ``text``).

Values go out as Redshift's API sends them: integers in ``longValue``, floats in
``doubleValue``, booleans in ``booleanValue``, everything else (numeric, dates,
timestamps) as PostgreSQL's text in ``stringValue`` with ``TimeZone=UTC``, which is
Redshift's format too (``2024-01-01 12:00:00+00``).
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlglot
from botocore.awsrequest import AWSResponse
from psycopg.types.string import TextLoader
from sqlglot import exp

WORKGROUP = "dataprof-wg"
"""The only workgroup the emulation knows; any other is refused as unknown."""

_TEXT_OIDS = {
    "numeric": 1700,
    "date": 1082,
    "time": 1083,
    "timestamp": 1114,
    "timestamptz": 1184,
    "timetz": 1266,
    "interval": 1186,
    "json": 114,
    "jsonb": 3802,
    "uuid": 2950,
    "bytea": 17,
}
_FIELD_OF = {
    "int2": "longValue",
    "int4": "longValue",
    "int8": "longValue",
    "float4": "doubleValue",
    "float8": "doubleValue",
    "bool": "booleanValue",
}


class RedshiftRuleError(Exception):
    """A statement Redshift itself would refuse."""


def redshift_rule_violations(tree: exp.Expression) -> list[str]:
    """Rules PostgreSQL would not enforce but Redshift does, checked on the sqlglot tree."""
    problems: list[str] = []
    for select in tree.find_all(exp.Select):
        own = [
            node
            for projection in select.expressions
            for node in projection.walk()
            if node.find_ancestor(exp.Select) is select
        ]
        distinct = [n for n in own if isinstance(n, exp.Count) and isinstance(n.this, exp.Distinct)]
        sort_based = [n for n in own if isinstance(n, exp.Median | exp.PercentileCont)]
        if distinct and sort_based:
            problems.append(
                "MEDIAN/PERCENTILE_CONT beside a COUNT(DISTINCT) in one SELECT "
                "(Redshift: not supported with DISTINCT aggregates)"
            )
        if any(isinstance(n, exp.GroupConcat) for n in own):
            problems.append("LISTAGG/GROUP_CONCAT in a profiling statement")
    return problems


def _to_postgres(tree: exp.Expression) -> str:
    """The stand-in's definitions of Redshift's approximate aggregates (module doc)."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ApproxDistinct):
            return exp.Count(this=exp.Distinct(expressions=[node.this]))
        if isinstance(node, exp.ApproxQuantile):
            return exp.WithinGroup(
                this=exp.PercentileDisc(this=node.args["quantile"]),
                expression=exp.Order(expressions=[exp.Ordered(this=node.this)]),
            )
        return node

    return tree.transform(rewrite).sql("postgres")


@dataclass
class Statement:
    id: str
    sql: str
    status: str = "SUBMITTED"
    error: str | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[dict[str, Any]]] = field(default_factory=list)
    polls: int = 0
    postgres_sql: str | None = None


@dataclass(repr=False)
class RedshiftEmulation:
    """Install with :meth:`hooks` on a boto3 session; inspect what the connector sent."""

    dsn: str
    database: str
    """The one database that exists (the PostgreSQL database behind ``dsn``)."""
    page_rows: int = 1_000
    describe_page_columns: int = 100
    hold_running: bool = False
    """Statements never finish (the timeout test); nothing is executed."""
    always_throttle: set[str] = field(default_factory=set)
    """Operations answered with ThrottlingException, every time."""
    deny: set[str] = field(default_factory=set)
    """Operations answered with AccessDeniedException."""
    fail_next: str | None = None
    """The next statement FAILS with this reason instead of running."""
    interrupt_polls: bool = False
    """DescribeStatement raises KeyboardInterrupt in the caller (Ctrl-C while polling)."""
    statements: dict[str, Statement] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _conn: psycopg.Connection[Any] | None = None

    # -- what tests look at -------------------------------------------------------------
    @property
    def executed(self) -> list[Statement]:
        """Statements sent with ExecuteStatement, in order."""
        return list(self.statements.values())

    def connection(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            conn = psycopg.connect(self.dsn, autocommit=True)
            conn.execute("SET TimeZone = 'UTC'")
            for oid in _TEXT_OIDS.values():
                conn.adapters.register_loader(oid, TextLoader)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- the hook -----------------------------------------------------------------------
    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse:
        operation = str(kwargs.get("event_name", "")).rsplit(".", 1)[-1]
        body = json.loads(request.body or b"{}")
        with self._lock:
            self.calls.append(operation)
            self.requests.append({"operation": operation, **body})
            if operation in self.always_throttle:
                return _error(request, "ThrottlingException", "Rate exceeded", status=400)
            if operation in self.deny:
                return _error(
                    request,
                    "AccessDeniedException",
                    f"User is not authorized to perform: redshift-data:{operation}",
                )
            if operation == "DescribeStatement" and self.interrupt_polls:
                raise KeyboardInterrupt
            if body.get("WorkgroupName", WORKGROUP) != WORKGROUP or "ClusterIdentifier" in body:
                name = body.get("WorkgroupName") or body.get("ClusterIdentifier")
                kind = "Workgroup" if "WorkgroupName" in body else "Cluster"
                return _error(request, "ValidationException", f"{kind} {name} not found.")
            if body.get("Database", self.database) != self.database:
                return _error(
                    request,
                    "DatabaseConnectionException",
                    f'Database "{body["Database"]}" does not exist',
                )
            handler = getattr(self, f"_{operation}", None)
            if handler is None:
                return _error(request, "ValidationException", f"not emulated: {operation}")
            try:
                answer = handler(body)
            except _ApiError as err:
                return _error(request, err.code, err.message)
            return _ok(request, answer)

    # -- operations ---------------------------------------------------------------------
    def _ExecuteStatement(self, body: dict[str, Any]) -> dict[str, Any]:
        statement = Statement(id=str(uuid.uuid4()), sql=body["Sql"])
        self.statements[statement.id] = statement
        if self.fail_next is not None:
            statement.status, statement.error, self.fail_next = "FAILED", self.fail_next, None
        elif not self.hold_running:
            self._run(statement)
        return {
            "Id": statement.id,
            "CreatedAt": time.time(),
            "Database": body["Database"],
            "WorkgroupName": WORKGROUP,
        }

    def _run(self, statement: Statement) -> None:
        try:
            trees = [t for t in sqlglot.parse(statement.sql, read="redshift") if t is not None]
            if len(trees) != 1:
                raise RedshiftRuleError(f"expected one statement, got {len(trees)}")
            problems = redshift_rule_violations(trees[0])
            if problems:
                raise RedshiftRuleError("; ".join(problems))
            statement.postgres_sql = _to_postgres(trees[0])
            with self.connection().cursor() as cursor:
                cursor.execute(statement.postgres_sql.encode())
                description = cursor.description or []
                rows = cursor.fetchall() if description else []
                statement.columns = [self._column_metadata(c) for c in description]
        except (psycopg.Error, sqlglot.errors.SqlglotError, RedshiftRuleError) as exc:
            statement.status = "FAILED"
            statement.error = f"ERROR: {str(exc).splitlines()[0]}"
            return
        fields = [c["_field"] for c in statement.columns]
        statement.rows = [
            [_field(value, member) for value, member in zip(row, fields, strict=True)]
            for row in rows
        ]
        for column in statement.columns:
            column.pop("_field")
        statement.status = "STARTED"  # FINISHED at the next poll: the connector must poll

    def _column_metadata(self, column: Any) -> dict[str, Any]:
        type_name = self._type_names().get(column.type_code, "varchar")
        if type_name in {"text", "name"}:
            type_name = "varchar"
        metadata: dict[str, Any] = {
            "name": column.name,
            "label": column.name,
            "typeName": type_name,
            "nullable": 1,
            "precision": column.precision or 0,
            "scale": column.scale or 0,
            "length": column.internal_size
            if column.internal_size and column.internal_size > 0
            else 0,
            "_field": _FIELD_OF.get(type_name, "stringValue"),
        }
        return metadata

    def _type_names(self) -> dict[int, str]:
        if not hasattr(self, "_types"):
            rows = self.connection().execute("SELECT oid::int, typname FROM pg_type").fetchall()
            self._types = {int(oid): str(name) for oid, name in rows}
        return self._types

    def _DescribeStatement(self, body: dict[str, Any]) -> dict[str, Any]:
        statement = self._statement(body["Id"])
        statement.polls += 1
        if statement.status == "STARTED" and not self.hold_running and statement.polls > 1:
            statement.status = "FINISHED"
        if self.hold_running and statement.status == "SUBMITTED":
            statement.status = "STARTED"
        answer: dict[str, Any] = {
            "Id": statement.id,
            "Status": statement.status,
            "QueryString": statement.sql,
            "HasResultSet": bool(statement.columns),
            "ResultRows": len(statement.rows) if statement.status == "FINISHED" else -1,
            "ResultSize": len(json.dumps(statement.rows)) if statement.status == "FINISHED" else -1,
            "Duration": 1_000_000 * statement.polls,
            "CreatedAt": time.time(),
            "UpdatedAt": time.time(),
        }
        if statement.error:
            answer["Error"] = statement.error
        return answer

    def _GetStatementResult(self, body: dict[str, Any]) -> dict[str, Any]:
        statement = self._statement(body["Id"])
        if statement.status != "FINISHED":
            raise _ApiError("ValidationException", f"Query {statement.id} has not finished")
        start = int(body.get("NextToken", "0:0").split(":")[1])
        end = start + self.page_rows
        answer: dict[str, Any] = {
            "Records": statement.rows[start:end],
            "ColumnMetadata": statement.columns,
            "TotalNumRows": len(statement.rows),
        }
        if end < len(statement.rows):
            answer["NextToken"] = f"{statement.id}:{end}"
        return answer

    def _CancelStatement(self, body: dict[str, Any]) -> dict[str, Any]:
        statement = self._statement(body["Id"])
        self.cancelled.append(statement.id)
        if statement.status in {"SUBMITTED", "PICKED", "STARTED"}:
            statement.status = "ABORTED"
        return {"Status": True}

    def _DescribeTable(self, body: dict[str, Any]) -> dict[str, Any]:
        rows = (
            self.connection()
            .execute(
                "SELECT column_name, udt_name, numeric_precision, numeric_scale, "
                "character_maximum_length, is_nullable, table_schema, table_name "
                "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position",
                (body.get("Schema", "public"), body.get("Table", "")),
            )
            .fetchall()
        )
        columns = [
            {
                "name": name,
                "typeName": "varchar" if udt == "text" else udt,
                "precision": int(precision or 0) if udt == "numeric" else 0,
                "scale": int(scale or 0),
                "length": int(length or 0),
                "nullable": 1 if nullable == "YES" else 0,
                "schemaName": schema,
                "tableName": table,
            }
            for name, udt, precision, scale, length, nullable, schema, table in rows
        ]
        start = int(body.get("NextToken", "0"))
        end = start + self.describe_page_columns
        answer: dict[str, Any] = {"ColumnList": columns[start:end], "TableName": body.get("Table")}
        if end < len(columns):
            answer["NextToken"] = str(end)
        return answer

    def _ListSchemas(self, body: dict[str, Any]) -> dict[str, Any]:
        rows = (
            self.connection()
            .execute(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                (body.get("SchemaPattern", "%"),),
            )
            .fetchall()
        )
        return {"Schemas": [r[0] for r in rows]}

    def _statement(self, statement_id: str) -> Statement:
        if statement_id not in self.statements:
            raise _ApiError("ResourceNotFoundException", f"Query {statement_id} does not exist")
        return self.statements[statement_id]


class _ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _field(value: Any, member: str) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if member == "longValue":
        return {"longValue": int(value)}
    if member == "doubleValue":
        return {"doubleValue": float(value)}
    if member == "booleanValue":
        return {"booleanValue": bool(value)}
    return {"stringValue": str(value)}


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


_request_ids = itertools.count()


def _response(request: Any, status: int, body: dict[str, Any]) -> AWSResponse:
    headers = {
        "x-amzn-RequestId": f"emulated-{next(_request_ids)}",
        "Content-Type": "application/x-amz-json-1.1",
    }
    return AWSResponse(request.url, status, headers, _Raw(json.dumps(body).encode()))


def _ok(request: Any, body: dict[str, Any]) -> AWSResponse:
    return _response(request, 200, body)


def _error(request: Any, code: str, message: str, status: int = 400) -> AWSResponse:
    return _response(request, status, {"__type": code, "message": message})
