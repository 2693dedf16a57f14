"""What the report's page holds, as data: header, anomalies first, overview, columns.

Built from one :class:`TableProfile` and its stored history, never from engine
internals; :mod:`dataprof.report.page` lays it out with the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dataprof.profiling.models import Anomaly, TableProfile
from dataprof.report.column_view import ColumnView, column_view
from dataprof.report.formatting import duration_text
from dataprof.report.trend_charts import TrendSet, ordered_runs, table_trends

__all__ = ["AnomalyView", "PageView", "page_view"]


@dataclass(frozen=True)
class AnomalyView:
    anomaly: Anomaly
    anchor: str | None
    """The card of the column it concerns; None for a table-level anomaly."""


@dataclass
class PageView:
    profile: TableProfile
    title: str
    header: list[tuple[str, str]]
    columns: list[ColumnView]
    anomalies: list[AnomalyView]
    trends: list[TrendSet] = field(default_factory=list)
    run_count: int = 1


def page_view(profile: TableProfile, history: Sequence[TableProfile] = ()) -> PageView:
    runs = ordered_runs(profile, history)
    columns = [
        column_view(i, column, profile.anomalies, runs) for i, column in enumerate(profile.columns)
    ]
    anchors = {view.name: view.anchor for view in columns}
    ordered = sorted(profile.anomalies, key=lambda a: (-a.severity.rank, a.column_name or ""))
    return PageView(
        profile=profile,
        title=f"{table_label(profile)}: data profile",
        header=header(profile),
        columns=columns,
        anomalies=[AnomalyView(a, anchors.get(a.column_name or "")) for a in ordered],
        trends=table_trends(runs),
        run_count=len(runs),
    )


def table_label(profile: TableProfile) -> str:
    return f"{profile.database}.{profile.table}" if profile.database else profile.table


def source_label(profile: TableProfile) -> str:
    if profile.source_name:
        return f"{profile.source_name} ({profile.source_type})"
    return profile.source_type


def header(profile: TableProfile) -> list[tuple[str, str]]:
    rows = f"{profile.row_count:,}" + ("" if profile.row_count_exact else " (estimated)")
    mode = profile.mode.value + (
        f", sampled {profile.sample_size:,} rows" if profile.sampled and profile.sample_size else ""
    )
    seconds = (profile.finished_at - profile.started_at).total_seconds()
    items = [
        ("source", source_label(profile)),
        ("table", table_label(profile)),
        ("snapshot", "" if profile.snapshot_id is None else str(profile.snapshot_id)),
        ("mode", mode),
        ("rows", rows),
        ("columns", f"{len(profile.columns):,}"),
        ("profiled at", profile.started_at.isoformat(sep=" ", timespec="seconds")),
        ("took", duration_text(max(seconds, 0.0))),
        ("run", profile.run_id),
    ]
    return [(label, value) for label, value in items if value]
