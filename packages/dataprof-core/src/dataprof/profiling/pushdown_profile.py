"""A pushdown profile: the connector's engine computes the metrics, and the profile it
answers is checked (one profile per requested column) and made consistent (counts
clamped within the table's rows, each correction noted) before anyone reads it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dataprof.errors import ConnectorError
from dataprof.profiling.models import ColumnProfile, ProfileMode, TableProfile
from dataprof.profiling.pushdown import PushdownRequest, pushdown_method

if TYPE_CHECKING:
    from dataprof.connector import DataConnector

__all__ = ["profile_by_pushdown"]


def profile_by_pushdown(
    connector: DataConnector,
    top_columns: list[str] | None,
    metrics: Collection[str] | None,
    run_id: str,
    started_at: datetime,
    notes: list[str],
) -> TableProfile:
    provider = pushdown_method(connector)
    result = provider.profile_pushdown(
        PushdownRequest(columns=top_columns, metrics=sorted(metrics) if metrics else None)
    )
    requested = top_columns if top_columns is not None else connector.arrow_schema().names
    _check_pushdown_columns(connector, requested, result.columns)
    columns = [_consistent(c, result.row_count, notes) for c in result.columns]
    return TableProfile(
        **connector.config.identity,
        run_id=run_id,
        snapshot_id=result.snapshot_id,
        mode=ProfileMode.PUSHDOWN,
        sampled=False,
        row_count=result.row_count,
        row_count_exact=result.row_count_exact,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        columns=columns,
        schema_fields={c.column_name: c.data_type for c in columns},
        field_ids={c.column_name: c.field_id for c in columns if c.field_id is not None},
        notes=[*notes, *result.notes],
        queries=result.queries,
    )


def _check_pushdown_columns(
    connector: DataConnector, requested: Sequence[str], columns: Sequence[ColumnProfile]
) -> None:
    """Every requested top-level column answered, none twice: a connector bug otherwise,
    and a profile missing a column would read as the column having been dropped."""
    names = [c.column_name for c in columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    # A top-level name may itself hold dots ("a.b" in a warehouse): it answers for itself.
    answered = set(names) | {n.split(".")[0] for n in names}
    missing = [n for n in requested if n not in answered]
    if not repeated and not missing:
        return
    problems = []
    if missing:
        problems.append(f"no profile for {', '.join(map(repr, missing))}")
    if repeated:
        problems.append(f"more than one profile for {', '.join(map(repr, repeated))}")
    raise ConnectorError(
        f"{type(connector).__name__}.profile_pushdown answered with {'; '.join(problems)}",
        **connector.error_context(),
        hint="return exactly one ColumnProfile per requested column (struct fields dotted)",
    )


def _consistent(column: ColumnProfile, rows: int, notes: list[str]) -> ColumnProfile:
    """Clamp an engine's figures into a consistent profile, noting every correction.

    A clamped count changes in both places a profile holds it (the flat field and
    ``metrics``), and the percentages and ``non_null_count`` derived from it follow.
    """
    row_count = column.row_count
    nulls = column.null_count
    distinct = column.distinct_count
    if row_count != rows:
        notes.append(f"{column.column_name}: row count {row_count} set to the table's {rows}")
        row_count = rows
    if nulls is not None and nulls > rows:
        notes.append(f"{column.column_name}: null count {nulls} clamped to {rows}")
        nulls = rows
    non_null = rows - (nulls or 0)
    if distinct is not None and distinct > non_null:
        notes.append(f"{column.column_name}: distinct count {distinct} clamped to {non_null}")
        distinct = non_null
    if (row_count, nulls, distinct) == (
        column.row_count,
        column.null_count,
        column.distinct_count,
    ):
        return column
    metrics = dict(column.metrics)

    def put(name: str, value: object) -> None:
        if name in metrics:
            metrics[name] = metrics[name].model_copy(update={"value": value})

    update: dict[str, object] = {"row_count": row_count}
    put("row_count", row_count)
    if nulls is not None:
        null_percentage = 100.0 * nulls / rows if rows else None
        update.update(null_count=nulls, null_percentage=null_percentage)
        put("null_count", nulls)
        put("null_percentage", null_percentage)
        put("non_null_count", non_null)
    if distinct is not None:
        valid = metrics["valid_count"].value if "valid_count" in metrics else non_null
        valid = min(valid, non_null) if isinstance(valid, int) else non_null
        distinct_percentage = min(100.0 * distinct / valid, 100.0) if valid else None
        update.update(distinct_count=distinct, distinct_percentage=distinct_percentage)
        put("distinct_count", distinct)
        put("distinct_percentage", distinct_percentage)
    return column.model_copy(update={**update, "metrics": metrics})
