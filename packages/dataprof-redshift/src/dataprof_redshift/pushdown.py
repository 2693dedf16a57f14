"""A profile computed by Redshift: run the statements of :mod:`.pushdown_sql`, read their
answers, and let core's :class:`PushdownProfileBuilder` label them as a scan would.

Every name is quoted (or refused) before the first statement is sent. The figures
come back as Data API ``Field`` unions; numbers that are exact in Redshift stay exact
here (``DECIMAL`` sums arrive as text and become ``Decimal``; means of integers and
decimals are the exact sum over the valid count, rounded once to float, as the scan
does). ``APPROXIMATE COUNT(DISTINCT)`` is HyperLogLog (2.3% standard error: bound
``APPROX_DISTINCT_BOUND``); ``APPROXIMATE PERCENTILE_DISC`` a quantile summary with
about 0.5% error by Redshift's documentation, reported as a rank error of twice that.
Top values are exact counts (``GROUP BY``), ordered by count, ties by value.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
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
    QueryStats,
)
from dataprof.profiling.types import Kind, storage_type, unit_seconds
from dataprof_redshift.data_api import StatementRun
from dataprof_redshift.pushdown_sql import (
    ColumnPlan,
    aggregate_statements,
    plan_column,
    top_values_statements,
)
from dataprof_redshift.records import UndecodableValueError, decode_page, undecodable
from dataprof_redshift.type_names import ColumnType

if TYPE_CHECKING:
    from dataprof_redshift.connector import RedshiftConnector

__all__ = ["QUANTILE_RANK_BOUND", "profile_in_redshift"]

QUANTILE_RANK_BOUND = 2 * 0.005
"""~95% rank bound of ``APPROXIMATE PERCENTILE_DISC`` (documented error about 0.5%)."""
_DECIMAL_PRECISION = 120


def profile_in_redshift(connector: RedshiftConnector, request: PushdownRequest) -> PushdownResult:
    """The pushdown profile of ``request.columns`` (all when None) of the connector's table."""
    schema = connector.arrow_schema()
    names = list(schema.names) if request.columns is None else list(request.columns)
    connector.check_columns(names, schema.names)
    where = connector.error_context()
    table_sql = connector.table_sql
    plans = [
        plan_column(
            i,
            name,
            schema.field(name).type,
            table_sql,
            request.top_n,
            where,
            connector.columns[name].type_name,
        )
        for i, name in enumerate(names)
    ]
    doing = f"profiling {connector.config.qualified_table} in Redshift"
    runs: list[StatementRun] = []
    figures: dict[int, dict[str, Any]] = {p.index: {} for p in plans}
    row_counts: list[int] = []
    for sql, group in aggregate_statements(plans, table_sql):
        run = connector.api.run(sql, doing=doing)
        runs.append(run)
        cells = _first_row(connector, run, doing)
        row_counts.append(int(cells[0] or 0))
        position = 1
        for i in group:
            for key in plans[i].aggregates:
                figures[i][key] = cells[position]
                position += 1
    tops: dict[int, list[tuple[Any, int]]] = {p.index: [] for p in plans}
    for sql in top_values_statements(plans):
        run = connector.api.run(sql, doing=doing)
        runs.append(run)
        for page in connector.api.pages(run, doing=doing):
            for record in page.get("Records", []):
                index, long_value, double_value, text_value, count = map(_cell, record)
                value = next(v for v in (long_value, double_value, text_value) if v is not None)
                tops[int(index)].append((value, int(count)))
    rows = row_counts[0] if row_counts else connector.get_row_count()
    notes: list[str] = []
    if len(set(row_counts)) > 1:
        notes.append(
            f"redshift: the table changed between statements (row counts {sorted(set(row_counts))})"
        )
    builder = PushdownProfileBuilder(
        approximate={
            "distinct_count": Approximation("relative", APPROX_DISTINCT_BOUND),
            "quantiles": Approximation("rank", QUANTILE_RANK_BOUND),
        },
        top_n=request.top_n,
    )
    declared = connector.get_schema()
    try:
        columns = [
            builder.column(
                p.name,
                p.data_type,
                declared[p.name],
                _figures(p, rows, figures[p.index], tops[p.index], connector.columns[p.name]),
            )
            for p in plans
        ]
    except UndecodableValueError as exc:
        raise undecodable(exc, where) from exc
    notes.append(f"redshift: {len(runs)} statements ({', '.join(r.statement_id for r in runs)})")
    return PushdownResult(
        row_count=rows,
        columns=columns,
        notes=[*builder.notes(), *notes],
        queries=[
            QueryStats(
                query_id=r.statement_id,
                bytes_scanned=None,
                engine_ms=None if r.engine_ms is None else round(r.engine_ms),
            )
            for r in runs
        ],
    )


def _first_row(connector: RedshiftConnector, run: StatementRun, doing: str) -> list[Any]:
    for page in connector.api.pages(run, doing=doing):
        for record in page.get("Records", []):
            return [_cell(field) for field in record]
    return []


def _cell(field: dict[str, Any]) -> Any:
    """A result ``Field`` union as a Python value (text stays text)."""
    for member in ("longValue", "doubleValue", "booleanValue", "stringValue", "blobValue"):
        if member in field:
            return field[member]
    return None


def _int(value: Any) -> int | None:
    return None if value is None else int(Decimal(str(value)))


def _figures(
    plan: ColumnPlan,
    rows: int,
    got: dict[str, Any],
    top: list[tuple[Any, int]],
    column: ColumnType,
) -> ColumnFigures:
    kind = plan.kind
    count = _int(got.get("count")) or 0
    ranked = sorted(top, key=lambda vc: (-vc[1], vc[0]))
    if kind is Kind.TEMPORAL:
        ranked = [(_temporal(v, column, plan.name), c) for v, c in ranked]
    base: dict[str, Any] = {
        "row_count": rows,
        "null_count": rows - count,
        "distinct_count": _int(got.get("distinct")),
        "top_values": ranked if plan.top_branch is not None else None,
        "min": _temporal(got.get("min"), column, plan.name)
        if kind is Kind.TEMPORAL
        else got.get("min"),
        "max": _temporal(got.get("max"), column, plan.name)
        if kind is Kind.TEMPORAL
        else got.get("max"),
    }
    quantiles = None
    if "q:p50" in got:
        quantiles = {
            name: _temporal(got[f"q:{name}"], column, plan.name)
            if kind is Kind.TEMPORAL
            else got[f"q:{name}"]
            for name in QUANTILES
        }
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        odd = {k: _int(got.get(k)) for k in ("nan", "pinf", "ninf")}
        valid = count - sum(v or 0 for v in odd.values())
        total = got.get("sum")
        return ColumnFigures(
            **base,
            nan_count=odd["nan"],
            pos_inf_count=odd["pinf"],
            neg_inf_count=odd["ninf"],
            sum=_sum(total, kind),
            mean=_mean(total, valid, kind),
            std_dev=got.get("std"),
            quantiles=quantiles,
            zero_count=_int(got.get("zeros")),
            negative_count=_int(got.get("neg")),
        )
    if kind is Kind.TEMPORAL:
        unit = Decimal(repr(unit_seconds(storage_type(plan.data_type))))
        units_sum, units_std = got.get("unit_sum"), got.get("unit_std")
        mean = None
        if units_sum is not None and count > 0:
            # The scan's mean: the exact sum over the count, rounded once to float.
            mean = Decimal(int(Decimal(str(units_sum))) / count) * unit
        std = None if units_std is None else float(units_std) * float(unit)
        return ColumnFigures(**base, mean=mean, std_dev=std, quantiles=quantiles)
    if kind is Kind.STRING:
        return ColumnFigures(
            **base,
            length_min=_int(got.get("lmin")),
            length_max=_int(got.get("lmax")),
            length_mean=got.get("lmean"),
            empty_count=_int(got.get("empty")),
            pattern_counts={p: _int(got.get(f"re:{p}")) or 0 for p in PATTERNS},
        )
    if kind is Kind.BOOLEAN:
        return ColumnFigures(
            row_count=rows,
            null_count=rows - count,
            true_count=_int(got.get("true")),
            false_count=_int(got.get("false")),
        )
    return ColumnFigures(row_count=rows, null_count=rows - count)


def _sum(total: Any, kind: Kind) -> Any:
    if total is None:
        return None
    if kind is Kind.INTEGER:
        return int(Decimal(str(total)))
    if kind is Kind.DECIMAL:
        return Decimal(str(total))
    return float(total)


def _mean(total: Any, valid: int, kind: Kind) -> float | None:
    """The scan's mean: exact sum over the valid count, rounded once."""
    if total is None or valid <= 0:
        return None
    if kind is Kind.INTEGER:
        return int(Decimal(str(total))) / valid
    if kind is Kind.DECIMAL:
        with localcontext() as context:
            context.prec = _DECIMAL_PRECISION
            return float(Decimal(str(total)) / valid)
    return float(total) / valid


def _temporal(value: Any, column: ColumnType, name: str) -> Any:
    """Redshift's text of a date, time or timestamp as the Python value the scan shows."""
    if not isinstance(value, str):
        return value
    import pyarrow as pa

    schema = pa.schema([(name, column.arrow)])
    batch = decode_page([[{"stringValue": value}]], [column], schema)
    return batch.column(0)[0].as_py()
