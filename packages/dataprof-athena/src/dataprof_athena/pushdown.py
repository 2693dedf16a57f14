"""The whole profile of an Athena table in one query.

One ``SELECT`` computes, for every column (struct fields dotted, as a scan profiles
them): null counts, ``approx_distinct``, min and max, the exact sum (as
``DECIMAL(38, s)``: no overflow, no float), mean and ``stddev_samp``,
``approx_percentile`` at p1...p99, zero and negative counts, NaN and infinity counts
for floats, lengths for strings, binaries, lists and maps, true/false counts, the
content patterns of :data:`dataprof.profiling.inference.PATTERNS` counted with
``regexp_like``, and the top values as ``approx_most_frequent`` cast to JSON.
Athena engines without ``approx_most_frequent`` (probed once per process with
``SHOW FUNCTIONS``) get exact top values from a second query: one ``UNION ALL`` of
per-column ``GROUP BY ... LIMIT n``.

Every figure is over valid values (floats: finite), as the scan defines them; each
comes back as text and is turned into a profile by the core's
:class:`PushdownProfileBuilder`, which labels the approximate ones: distinct counts
(HLL, ~4.6% at 95%), quantiles (rank error 0.01, Athena's default accuracy) and
``approx_most_frequent`` counts (space-saving: each count within rows / capacity).
Timestamps and dates are ranked and averaged as microseconds since the epoch
(``date_diff``), exactly, then converted back.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dataprof.profiling.accumulators import QUANTILES
from dataprof.profiling.inference import PATTERNS
from dataprof.profiling.pushdown import (
    APPROX_DISTINCT_BOUND,
    Approximation,
    ColumnFigures,
    PushdownProfileBuilder,
    PushdownRequest,
    PushdownResult,
)
from dataprof.profiling.types import Kind, flatten_fields, kind_of, storage_type
from dataprof_athena.error_mapping import translate_errors
from dataprof_athena.sql import quote_literal

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof_athena.connector import AthenaConnector

__all__ = [
    "MOST_FREQUENT_CAPACITY",
    "QUANTILE_RANK_ERROR",
    "aggregate_sql",
    "forget_function_probes",
    "profile_in_athena",
]

MOST_FREQUENT_CAPACITY = 10_000
"""``approx_most_frequent``'s capacity: counts are exact up to this many distinct values."""
QUANTILE_RANK_ERROR = 0.01
"""``approx_percentile``'s default accuracy (rank error) in Athena."""
_EPOCH = "TIMESTAMP '1970-01-01 00:00:00'"
_MICROS = Decimal("0.000001")

_most_frequent_available: dict[tuple[str | None, str | None, str, str], bool] = {}


def forget_function_probes() -> None:
    """Forget what ``SHOW FUNCTIONS`` said (tests that switch engines call this)."""
    _most_frequent_available.clear()


@dataclass
class _Plan:
    """One column's aggregates: (key, SQL) pairs, in output order."""

    name: str
    data_type: pa.DataType
    kind: Kind
    sql: str
    aggregates: list[tuple[str, str]] = field(default_factory=list)
    top_sql: str | None = None
    order_sql: str | None = None
    """The value in its own type, for grouping and ordering ties by value (not by text)."""
    """The value expression (text) top values are counted over, or None."""
    valid_sql: str = ""


def _plans(connector: AthenaConnector, schema: pa.Schema) -> list[_Plan]:
    plans = []
    paths: dict[str, list[str]] = {}
    for name, fld in flatten_fields(schema):
        parent = (
            name.rsplit(".", 1)[0] if name.count(".") and name.rsplit(".", 1)[0] in paths else None
        )
        path = [*paths[parent], fld.name] if parent is not None else [fld.name]
        paths[name] = path
        sql = ".".join(connector.column_sql(p) for p in path)
        kind, _ = kind_of(fld.type)
        plan = _Plan(name, fld.type, kind, sql)
        _aggregates(plan)
        plans.append(plan)
    return plans


def _aggregates(plan: _Plan) -> None:
    c, kind, t = plan.sql, plan.kind, storage_type(plan.data_type)
    add = plan.aggregates.append
    add(("nulls", f"count(*) - count({c})"))
    valid = c
    if kind is Kind.FLOAT:
        valid = f"IF(is_finite({c}), {c})"
        add(("nan", f"count_if(is_nan({c}))"))
        add(("pinf", f"count_if(is_infinite({c}) AND {c} > 0)"))
        add(("ninf", f"count_if(is_infinite({c}) AND {c} < 0)"))
    plan.valid_sql = valid
    ranks = ", ".join(repr(q) for q in QUANTILES.values())
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        number = f"CAST({valid} AS DOUBLE)"
        add(("distinct", f"approx_distinct({valid})"))
        add(("min", f"CAST(min({valid}) AS VARCHAR)"))
        add(("max", f"CAST(max({valid}) AS VARCHAR)"))
        if kind is Kind.FLOAT:
            add(("sum", f"CAST(sum({valid}) AS VARCHAR)"))
            add(("mean", f"CAST(avg({valid}) AS VARCHAR)"))
        else:
            scale = t.scale if kind is Kind.DECIMAL else 0
            add(("sum", f"CAST(sum(CAST({valid} AS DECIMAL(38, {scale}))) AS VARCHAR)"))
        add(("std", f"CAST(stddev_samp({number}) AS VARCHAR)"))
        add(("quantiles", f"CAST(approx_percentile({number}, ARRAY[{ranks}]) AS JSON)"))
        add(("zeros", f"count_if({valid} = 0)"))
        add(("neg", f"count_if({valid} < 0)"))
        plan.top_sql = f"CAST({valid} AS VARCHAR)"
        plan.order_sql = valid
    elif kind is Kind.TEMPORAL and (_is_date(t) or _is_timestamp(t)):
        micros = f"date_diff('microsecond', {_EPOCH}, CAST({c} AS TIMESTAMP))"
        add(("distinct", f"approx_distinct({c})"))
        add(("min", f"CAST(min({c}) AS VARCHAR)"))
        add(("max", f"CAST(max({c}) AS VARCHAR)"))
        add(("sum", f"CAST(sum(CAST({micros} AS DECIMAL(38, 0))) AS VARCHAR)"))
        add(("std", f"CAST(stddev_samp(CAST({micros} AS DOUBLE)) AS VARCHAR)"))
        add(
            (
                "quantiles",
                f"CAST(approx_percentile(CAST({micros} AS DOUBLE), ARRAY[{ranks}]) AS JSON)",
            )
        )
        plan.top_sql = f"CAST({c} AS VARCHAR)"
        plan.order_sql = c
    elif kind is Kind.STRING:
        add(("distinct", f"approx_distinct({c})"))
        add(("min", f"min({c})"))
        add(("max", f"max({c})"))
        _lengths(plan, f"length({c})")
        for pattern, regex in PATTERNS.items():
            add((f"re:{pattern}", f"count_if(regexp_like({c}, {quote_literal(regex)}))"))
        plan.top_sql = c
    elif kind is Kind.BINARY:
        add(("distinct", f"approx_distinct({c})"))
        add(("min", f"to_hex(min({c}))"))
        add(("max", f"to_hex(max({c}))"))
        # bytes as half the hex digits: exact, and what the DuckDB stand-in in the tests
        # can run too (its length() takes no BLOB)
        _lengths(plan, f"CAST(length(to_hex({c})) / 2 AS BIGINT)")
        plan.top_sql = f"to_hex({c})"
    elif kind is Kind.BOOLEAN:
        add(("true", f"count_if({c})"))
        add(("false", f"count_if(NOT {c})"))
    elif kind is Kind.LIST:
        import pyarrow as pa

        size = f"cardinality(map_keys({c}))" if pa.types.is_map(t) else f"cardinality({c})"
        _lengths(plan, size)


def _add_most_frequent(plans: Sequence[_Plan], top_n: int) -> None:
    for plan in plans:
        if plan.top_sql is not None:
            most = f"approx_most_frequent({top_n}, {plan.top_sql}, {MOST_FREQUENT_CAPACITY})"
            plan.aggregates.append(("top", f"CAST({most} AS JSON)"))


def _lengths(plan: _Plan, length: str) -> None:
    add = plan.aggregates.append
    add(("lmin", f"min({length})"))
    add(("lmax", f"max({length})"))
    add(("lmean", f"CAST(avg(CAST({length} AS DOUBLE)) AS VARCHAR)"))
    add(("empty", f"count_if({length} = 0)"))


def _is_date(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_date(t))


def _is_timestamp(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_timestamp(t))


def aggregate_sql(table_sql: str, plans: Sequence[_Plan]) -> str:
    """The one profiling query: ``count(*)`` then every column's aggregates."""
    selects = ["count(*)"] + [sql for plan in plans for _, sql in plan.aggregates]
    return f"SELECT {', '.join(selects)} FROM {table_sql}"


def top_values_sql(table_sql: str, plans: Sequence[_Plan], top_n: int) -> str | None:
    """Exact top values of every counted column in one ``UNION ALL`` (engines without
    ``approx_most_frequent``)."""
    parts = [
        f"SELECT * FROM (SELECT {i} AS k, {p.top_sql} AS v, count(*) AS n FROM {table_sql} "
        f"WHERE {p.valid_sql} IS NOT NULL GROUP BY {p.order_sql or p.top_sql} "
        f"ORDER BY n DESC, {p.order_sql or p.top_sql} LIMIT {top_n})"
        for i, p in enumerate(plans)
        if p.top_sql is not None
    ]
    return " UNION ALL ".join(parts) if parts else None


def _has_most_frequent(connector: AthenaConnector) -> bool:
    p = connector.params
    key = (p.region, p.endpoint_url, p.work_group, p.catalog)
    if key not in _most_frequent_available:
        outcome = connector.run("SHOW FUNCTIONS LIKE 'approx_most_frequent'", "listing functions")
        with translate_errors(connector.names, "listing functions"):
            page = connector.athena.get_query_results(QueryExecutionId=outcome.query_id)
        cells = {
            (cell.get("VarCharValue") or "").strip().lower()
            for row in page["ResultSet"].get("Rows", [])
            for cell in row.get("Data", [])
        }
        _most_frequent_available[key] = "approx_most_frequent" in cells
    return _most_frequent_available[key]


def _text_schema(count: int) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(f"c{i}", pa.string()) for i in range(count)])


def profile_in_athena(connector: AthenaConnector, request: PushdownRequest) -> PushdownResult:
    """The profile of ``request.columns`` (all when None), in one query (two without
    ``approx_most_frequent``)."""
    import pyarrow as pa

    schema = connector.arrow_schema()
    top_columns = list(request.columns) if request.columns is not None else schema.names
    connector.check_columns(top_columns, schema.names)
    wanted = pa.schema([schema.field(n) for n in top_columns])
    table_sql = connector.table_sql
    plans = _plans(connector, wanted)  # every name quoted (or refused) before any query
    most_frequent = _has_most_frequent(connector)
    if most_frequent:
        _add_most_frequent(plans, request.top_n)
    outcome = connector.run(aggregate_sql(table_sql, plans), "profiling")
    width = 1 + sum(len(p.aggregates) for p in plans)
    row = _single_row(connector, outcome, width)
    rows = int(row[0] or 0)
    queries = [outcome.stats]
    values = row[1:]
    got: dict[str, dict[str, Any]] = {}
    for plan in plans:
        got[plan.name] = dict(
            zip([k for k, _ in plan.aggregates], values[: len(plan.aggregates)], strict=True)
        )
        values = values[len(plan.aggregates) :]
    approximate = {
        "distinct_count": Approximation("relative", APPROX_DISTINCT_BOUND),
        "quantiles": Approximation("rank", QUANTILE_RANK_ERROR),
    }
    tops: dict[str, list[tuple[Any, int]]] = {}
    if most_frequent:
        approximate["top_values"] = Approximation("count", float(rows // MOST_FREQUENT_CAPACITY))
        for plan in plans:
            if plan.top_sql is not None:
                tops[plan.name] = _ranked(json.loads(got[plan.name]["top"] or "{}").items())
    else:
        sql = top_values_sql(connector.table_sql, plans, request.top_n)
        if sql is not None:
            extra = connector.run(sql, "counting top values")
            queries.append(extra.stats)
            for batch in connector.results(extra, _text_schema(3)):
                for index, value, count in zip(
                    *(batch.column(i).to_pylist() for i in range(3)), strict=True
                ):
                    tops.setdefault(plans[int(index)].name, []).append((value, int(count)))
    builder = PushdownProfileBuilder(approximate=approximate, top_n=request.top_n)
    declared = connector.get_schema()
    columns = [
        builder.column(
            plan.name,
            plan.data_type,
            declared.get(plan.name, str(plan.data_type)),
            _figures(plan, rows, got[plan.name], tops.get(plan.name)),
        )
        for plan in plans
    ]
    return PushdownResult(
        row_count=rows,
        columns=columns,
        notes=[
            f"pushdown: {len(queries)} Athena quer{'y' if len(queries) == 1 else 'ies'}",
            *builder.notes(),
        ],
        queries=queries,
    )


def _single_row(connector: AthenaConnector, outcome: Any, width: int) -> list[Any]:
    batches = list(connector.results(outcome, _text_schema(width)))
    for batch in batches:
        if batch.num_rows:
            return [batch.column(i)[0].as_py() for i in range(width)]
    return [None] * width


def _ranked(items: Any) -> list[tuple[Any, int]]:
    return sorted(((k, int(v)) for k, v in items), key=lambda kv: (-kv[1], str(kv[0])))


def _int(text: Any) -> int | None:
    return None if text is None else int(text)


def _float(text: Any) -> float | None:
    if text is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _figures(
    plan: _Plan, rows: int, got: dict[str, Any], top: list[tuple[Any, int]] | None
) -> ColumnFigures:
    nulls = _int(got.get("nulls")) or 0
    kind = plan.kind
    quantiles = None
    if got.get("quantiles"):
        ranked = json.loads(got["quantiles"])
        if kind is Kind.TEMPORAL:
            ranked = [None if v is None else Decimal(repr(v)) * _MICROS for v in ranked]
        quantiles = dict(zip(QUANTILES, ranked, strict=True))
    mean: Any = _float(got.get("mean"))
    total: Any = got.get("sum")
    valid = rows - nulls - sum(_int(got.get(k)) or 0 for k in ("nan", "pinf", "ninf"))
    if kind in (Kind.INTEGER, Kind.DECIMAL, Kind.TEMPORAL) and total is not None and valid > 0:
        exact_total = Decimal(total)
        mean = (
            float(exact_total / valid)
            if kind is not Kind.TEMPORAL
            else exact_total / valid * _MICROS
        )
        total = int(exact_total) if kind is Kind.INTEGER else exact_total
    std = _float(got.get("std"))
    if kind is Kind.TEMPORAL and std is not None:
        std = std * 1e-6
    return ColumnFigures(
        row_count=rows,
        null_count=nulls,
        nan_count=_int(got.get("nan")),
        pos_inf_count=_int(got.get("pinf")),
        neg_inf_count=_int(got.get("ninf")),
        distinct_count=_int(got.get("distinct")),
        top_values=top,
        min=got.get("min"),
        max=got.get("max"),
        sum=None if kind is Kind.TEMPORAL else total,
        mean=mean,
        std_dev=std,
        quantiles=quantiles,
        zero_count=_int(got.get("zeros")),
        negative_count=_int(got.get("neg")),
        length_min=_int(got.get("lmin")),
        length_max=_int(got.get("lmax")),
        length_mean=_float(got.get("lmean")),
        empty_count=_int(got.get("empty")),
        true_count=_int(got.get("true")),
        false_count=_int(got.get("false")),
        pattern_counts={p: _int(got.get(f"re:{p}")) or 0 for p in PATTERNS}
        if kind is Kind.STRING
        else None,
    )
