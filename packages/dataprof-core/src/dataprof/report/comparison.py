"""Two runs of a table side by side: the view behind ``dataprof report --compare A B``.

Columns are matched by field id (so an Iceberg rename is a rename, not a drop and
an add), else by name. Schema changes come first, then per column the key figures
of both runs with the change, and both histograms on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dataprof.anomalies.detector import distinct_share, null_share
from dataprof.profiling.models import ColumnProfile, TableProfile
from dataprof.report.distribution_charts import overlaid_histogram
from dataprof.report.formatting import share_text, value_text
from dataprof.report.page_view import header, table_label
from dataprof.report.svg import Chart, as_number

__all__ = ["ColumnComparison", "ComparisonView", "comparison_view"]


@dataclass(frozen=True)
class FigurePair:
    label: str
    before: str
    after: str
    change: str


@dataclass
class ColumnComparison:
    anchor: str
    name: str
    before_type: str
    after_type: str
    figures: list[FigurePair] = field(default_factory=list)
    chart: Chart | None = None


@dataclass
class ComparisonView:
    title: str
    before_header: list[tuple[str, str]]
    after_header: list[tuple[str, str]]
    schema_changes: list[str]
    columns: list[ColumnComparison]


def comparison_view(before: TableProfile, after: TableProfile) -> ComparisonView:
    pairs = _pairs(before, after)
    changes: list[str] = []
    columns: list[ColumnComparison] = []
    for i, (old, new) in enumerate(pairs):
        if old is None and new is not None:
            changes.append(f"added: {new.column_name} ({new.data_type})")
        elif new is None and old is not None:
            changes.append(f"removed: {old.column_name} ({old.data_type})")
        elif old is not None and new is not None:
            if old.column_name != new.column_name:
                changes.append(f"renamed: {old.column_name} → {new.column_name}")
            if old.data_type != new.data_type:
                changes.append(f"type changed: {new.column_name} {old.data_type} → {new.data_type}")
            columns.append(_compare_column(i, old, new))
    return ComparisonView(
        title=f"{table_label(after)}: two runs compared",
        before_header=header(before),
        after_header=header(after),
        schema_changes=changes,
        columns=columns,
    )


def _pairs(
    before: TableProfile, after: TableProfile
) -> list[tuple[ColumnProfile | None, ColumnProfile | None]]:
    pairs: list[tuple[ColumnProfile | None, ColumnProfile | None]] = []
    unmatched = list(before.columns)
    for new in after.columns:
        old = next(
            (c for c in unmatched if new.field_id is not None and c.field_id == new.field_id),
            None,
        ) or next((c for c in unmatched if c.column_name == new.column_name), None)
        if old is not None:
            unmatched.remove(old)
        pairs.append((old, new))
    pairs.extend((old, None) for old in unmatched)
    return pairs


def _compare_column(index: int, old: ColumnProfile, new: ColumnProfile) -> ColumnComparison:
    view = ColumnComparison(
        anchor=f"col-{index}",
        name=new.column_name,
        before_type=old.data_type,
        after_type=new.data_type,
        chart=overlaid_histogram(old, new),
    )
    view.figures = [
        FigurePair("rows", *_counts(old.row_count, new.row_count)),
        FigurePair("null share", *_shares(null_share(old), null_share(new))),
        FigurePair("distinct share", *_shares(distinct_share(old), distinct_share(new))),
        *(
            FigurePair(label, *_values(getattr(old, name), getattr(new, name)))
            for label, name in (
                ("min", "min_value"),
                ("max", "max_value"),
                ("mean", "mean_value"),
                ("median", "median_value"),
                ("std dev", "std_dev"),
            )
        ),
        FigurePair(
            "top value",
            value_text(old.top_values[0].value if old.top_values else None, 30),
            value_text(new.top_values[0].value if new.top_values else None, 30),
            "",
        ),
    ]
    return view


def _counts(old: int, new: int) -> tuple[str, str, str]:
    change = f"{new - old:+,}" + (f" ({(new - old) / old:+.1%})" if old else "")
    return f"{old:,}", f"{new:,}", change if new != old else "="


def _shares(old: float | None, new: float | None) -> tuple[str, str, str]:
    change = "" if old is None or new is None else f"{100 * (new - old):+.1f} pts"
    return share_text(old), share_text(new), change


def _values(old: object, new: object) -> tuple[str, str, str]:
    a, b = as_number(old), as_number(new)
    change = ""
    if a is not None and b is not None and isinstance(old, int | float) and a != b:
        change = f"{b - a:+,.4g}" + (f" ({(b - a) / abs(a):+.1%})" if a else "")
    elif old == new and old is not None:
        change = "="
    return value_text(old, 30), value_text(new, 30), change
