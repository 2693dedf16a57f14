"""Profiles from a connector's metadata alone: no data file is opened.

What metadata knows (row, null and NaN counts, lower and upper bounds) becomes
metrics with ``source=metadata``. A bound that is only a bound (a truncated
string, a bumped last character) is marked ``exact=False, error_kind="bound"``.
Everything metadata does not know is left out rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dataprof.connector import Capability, ColumnStatistics, TableStatistics
from dataprof.profiling.accumulators import make_accumulator
from dataprof.profiling.models import ColumnProfile, Metric, MetricSource, ProfileMode, TableProfile
from dataprof.profiling.types import flatten_fields

if TYPE_CHECKING:
    import pyarrow as pa

    from dataprof.connector import DataConnector

__all__ = ["METADATA_METRICS", "profile_from_metadata"]

METADATA_METRICS = frozenset(
    {"row_count", "null_count", "null_percentage", "non_null_count", "nan_count", "min", "max"}
)
"""The metrics metadata statistics can answer; `auto` picks metadata mode for these."""


def _meta(value: Any, *, exact: bool = True, kind: str | None = None) -> Metric:
    return Metric(
        value=value,
        exact=exact,
        source=MetricSource.METADATA,
        error_kind=None if exact else kind,
    )


def _shown_bound(value: Any, inferred: str, *, upper: bool) -> tuple[Any, bool]:
    """A text or bytes bound (metadata written with full bounds holds whole values) cut
    to the length a scan shows, and whether it was cut."""
    from dataprof.profiling.accumulators.long_values import cut_bound

    if isinstance(value, bytes) or (isinstance(value, str) and inferred == "string"):
        return cut_bound(value, upper=upper)
    return value, False


def column_from_statistics(
    name: str,
    data_type: pa.DataType | None,
    declared: str,
    stats: ColumnStatistics | None,
    table_stats: TableStatistics,
    notes: list[str],
) -> ColumnProfile:
    rows = table_stats.row_count or 0
    rows_exact = table_stats.row_count is not None and table_stats.row_count_exact
    metrics: dict[str, Metric] = {"row_count": _meta(rows, exact=rows_exact, kind="bound")}
    inferred = (
        make_accumulator(name, data_type, declared).inferred if data_type is not None else "unknown"
    )
    if stats is None:
        notes.append(f"metadata has no statistics for column {name!r}")
        return ColumnProfile(
            column_name=name,
            data_type=declared,
            inferred_type=inferred,
            row_count=rows,
            metrics=metrics,
        )
    nulls = stats.null_count
    if nulls is not None and nulls > rows:
        notes.append(
            f"metadata counts {nulls} nulls in {name!r} for {rows} rows; "
            "clamped to the row count (delete files make metadata over-count)"
        )
        nulls = rows
    exact = rows_exact and stats.counts_exact and nulls == stats.null_count
    if nulls is not None:
        metrics["null_count"] = _meta(nulls, exact=exact, kind="bound")
        metrics["non_null_count"] = _meta(rows - nulls, exact=exact, kind="bound")
        metrics["null_percentage"] = _meta(
            100.0 * nulls / rows if rows else None, exact=exact, kind="bound"
        )
    if stats.nan_count is not None:
        metrics["nan_count"] = _meta(stats.nan_count, exact=exact, kind="bound")
    lower, lower_cut = _shown_bound(stats.lower_bound, inferred, upper=False)
    upper, upper_cut = _shown_bound(stats.upper_bound, inferred, upper=True)
    if stats.lower_bound is not None:
        metrics["min"] = _meta(lower, exact=stats.bounds_exact and not lower_cut, kind="bound")
    if stats.upper_bound is not None:
        metrics["max"] = _meta(upper, exact=stats.bounds_exact and not upper_cut, kind="bound")
    if stats.size_bytes is not None:
        metrics["size_bytes"] = _meta(stats.size_bytes)
    for caveat in stats.caveats:
        notes.append(f"{name}: {caveat}")
    return ColumnProfile(
        column_name=name,
        field_id=stats.field_id,
        data_type=declared,
        inferred_type=inferred,
        row_count=rows,
        null_count=nulls,
        null_percentage=100.0 * nulls / rows if nulls is not None and rows else None,
        min_value=lower,
        max_value=upper,
        metrics=metrics,
    )


def profile_from_metadata(
    connector: DataConnector,
    *,
    field_ids: dict[str, int],
    schema: pa.Schema,
    declared: dict[str, str],
    columns: Sequence[str] | None,
    run_id: str,
    started_at: datetime,
    notes: list[str],
) -> TableProfile:
    """A profile built only from ``connector.get_column_statistics()``."""
    from datetime import UTC

    if not connector.supports(Capability.COLUMN_STATS_FROM_METADATA):
        raise connector.unsupported(
            Capability.COLUMN_STATS_FROM_METADATA,
            hint="use --mode full or sample, or auto to let dataprof choose",
        )
    stats = connector.get_column_statistics()
    top = [f.name for f in schema if columns is None or f.name in columns]
    fields = [(name, field) for name, field in flatten_fields(schema) if name.split(".")[0] in top]
    profiles = [
        column_from_statistics(
            name,
            field.type,
            declared.get(name, str(field.type)),
            stats.columns.get(name),
            stats,
            notes,
        )
        for name, field in fields
    ]
    profiles = [
        p.model_copy(update={"field_id": field_ids[p.column_name]})
        if p.field_id is None and p.column_name in field_ids
        else p
        for p in profiles
    ]
    notes.extend(stats.caveats)
    return TableProfile(
        **connector.config.identity,
        run_id=run_id,
        snapshot_id=stats.snapshot_id if stats.snapshot_id is not None else connector.snapshot_id,
        mode=ProfileMode.METADATA,
        sampled=False,
        row_count=stats.row_count or 0,
        row_count_exact=stats.row_count is not None and stats.row_count_exact,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        columns=profiles,
        schema_fields={p.column_name: p.data_type for p in profiles if p.data_type},
        field_ids={p.column_name: p.field_id for p in profiles if p.field_id is not None},
        notes=notes,
    )
