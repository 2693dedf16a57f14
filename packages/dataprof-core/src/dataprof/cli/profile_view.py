"""A profile as a person reads it in a terminal, from 80 columns up.

Most runs are read in the narrow case: nox, CI logs, a pipe, a laptop split in
two. So the default view is compact: anomalies first, then one block per column,
its name and types on one line and its figures on the next, wrapped at spaces
and never cut. Wide terminals (``WIDE_AT`` columns and up, or ``--wide``) get one
table row per column. Values (a min, a top value) are shortened to a stated
length in both; ``--format json`` has them whole.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from dataprof.profiling.models import Severity

if TYPE_CHECKING:
    from dataprof.profiling.models import Anomaly, ColumnProfile, TableProfile
    from dataprof.stores import RunSummary

__all__ = [
    "SEVERITY_STYLE",
    "VALUE_WIDTH",
    "WIDE_AT",
    "fits",
    "format_value",
    "render_profile",
    "shorten_path",
    "source_title",
]

WIDE_AT = 160
"""Terminal width from which the profile is drawn as one table row per column, when
the table fits without folding a cell (``--wide`` draws it at any width)."""
VALUE_WIDTH = 40
"""Characters of a value shown (min, max, top value) before it is shortened with ``…``."""

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


def format_value(value: Any, width: int = VALUE_WIDTH) -> str:
    """One value on one line, at most ``width`` terminal cells (a CJK character takes
    two); an empty string shows as ``''``, not as nothing."""
    if value is None:
        return ""
    if value == "":
        return "''"
    if isinstance(value, float):
        # Plain digits up to a billion (a mean of ids reads 15,511,402.7, not 1.55114e+07).
        text = f"{value:,.1f}" if 1e4 <= abs(value) < 1e9 else f"{value:.6g}"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, bytes):
        text = "0x" + value.hex()
    else:
        text = str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if cell_len(text) <= width:
        return text
    cut = text[: width - 1]
    while cut and cell_len(cut) > width - 1:
        cut = cut[:-1]
    return cut + "…"


def shorten_path(text: str, width: int) -> str:
    """A long path kept readable by dropping folders from the left: ``…/examples/trips.csv``."""
    if len(text) <= width or "/" not in text:
        return text
    parts = text.split("/")
    while len(parts) > 1 and len("…/" + "/".join(parts)) > width:
        parts.pop(0)
    return "…/" + "/".join(parts)


def source_title(
    source_type: str, source_name: str | None, database: str, table: str, width: int
) -> str:
    """``name (type): database.table``, with a path for a name shortened from the left."""
    where = f"{database}.{table}" if database else table
    if not source_name:
        return f"{source_type}: {where}"
    name = shorten_path(source_name, max(20, width - len(where) - len(source_type) - 6))
    return f"{name} ({source_type}): {where}"


def _header(result: TableProfile, elapsed: float, width: int) -> Text:
    title = source_title(
        result.source_type, result.source_name, result.database, result.table, width
    )
    what = [
        f"{result.row_count:,} rows" + ("" if result.row_count_exact else " (estimated)"),
        result.mode.value,
        f"{elapsed:.1f} s",
    ]
    if result.snapshot_id is not None:
        what.insert(2, f"snapshot {result.snapshot_id}")
    text = Text(title, style="bold")
    text.append("\n" + " · ".join(what))
    if result.sampled:
        size = f"{result.sample_size:,}" if result.sample_size else "some"
        text.append(
            f"\nSAMPLE: figures describe {size} rows, not the whole table "
            "(--mode full reads every row)",
            style="bold yellow",
        )
    return text


def comparison_line(result: TableProfile, last: RunSummary | None) -> Text | None:
    """What history compared this run with, so a re-run shows it was compared at all."""
    compared = result.history_comparison
    if compared is None:
        return None
    if compared.last_run_id is None:
        skipped = len(compared.skipped)
        why = f" ({skipped} past run{'s' if skipped != 1 else ''} of another scope)"
        return Text(
            f"First run of this scope ({compared.scope}): nothing to compare with"
            + (why if skipped else ""),
            style="dim",
        )
    when = ""
    if last is not None:
        when = f" ({last.started_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {last.mode.value})"
    history_found = [a for a in result.anomalies if a.detector in _history_detectors()]
    outcome = "no changes" if not history_found else f"{len(history_found)} change(s), listed above"
    return Text(f"Compared with run {compared.last_run_id[:8]}{when}: {outcome}", style="dim")


def _history_detectors() -> frozenset[str]:
    from dataprof.anomalies import (
        DistributionDriftDetector,
        HistoryZScoreDetector,
        MetricChangeDetector,
        SchemaChangeDetector,
        TopValuesChurnDetector,
    )

    kinds = (
        DistributionDriftDetector,
        HistoryZScoreDetector,
        MetricChangeDetector,
        SchemaChangeDetector,
        TopValuesChurnDetector,
    )
    return frozenset(kind.name for kind in kinds)


def _nulls(column: ColumnProfile) -> str:
    share = column.null_percentage
    if share is None and column.null_count is not None and column.row_count:
        share = 100 * column.null_count / column.row_count
    return "" if share is None else f"nulls {share:.1f}%"


def _count_metric(column: ColumnProfile, key: str) -> int:
    metric = column.metrics.get(key)
    return metric.value if metric is not None and isinstance(metric.value, int) else 0


def _distinct(column: ColumnProfile) -> str:
    if column.distinct_count is None:
        return ""
    metric = column.metrics.get("distinct_count")
    approximate = metric is not None and not metric.exact
    return f"{'≈' if approximate else ''}{column.distinct_count:,}"


def _top(column: ColumnProfile) -> str:
    """The most frequent value; past the exact-count budget its count as a range, or
    the share no value exceeds when none is certain."""
    if not column.top_values:
        found = column.metrics.get("top_values_found_percentage")
        note = column.metrics.get("top_values_note")
        if note is not None and found is not None and str(note.value).startswith("no value"):
            return f"none above {found.value:.2g}%"
        return ""
    first = column.top_values[0]
    share = f", {100 * first.count / column.row_count:.1f}%" if column.row_count else ""
    if first.count_lower is not None and first.count_upper is not None:
        return f"{format_value(first.value)} ({first.count_lower:,}-{first.count_upper:,}{share})"
    return f"{format_value(first.value)} ({first.count:,}{share})"


def _types(column: ColumnProfile) -> str:
    if not column.supported:
        return f"{column.data_type} · not profiled: {column.unsupported_reason or 'unsupported'}"
    return f"{column.data_type} · {column.inferred_type}"


def column_figures(column: ColumnProfile) -> list[str]:
    """A column's figures as short phrases, in reading order (empty ones left out)."""
    figures = [_nulls(column)]
    for key, label in (("nan_count", "NaN"), ("infinity_count", "±inf")):
        count = _count_metric(column, key)
        if count:
            figures.append(f"{label} {count:,}")
    if column.distinct_count is not None:
        figures.append(f"distinct {_distinct(column)}")
    if column.min_value is not None or column.max_value is not None:
        figures.append(f"{format_value(column.min_value)} → {format_value(column.max_value)}")
    if column.mean_value is not None:
        figures.append(f"mean {format_value(column.mean_value)}")
    if column.top_values:
        figures.append(f"top {_top(column)}")
    return [f for f in figures if f]


def anomaly_lines(anomalies: list[Anomaly]) -> Group:
    """One wrapped entry per anomaly, most severe first: severity, where, what."""
    rows = []
    for anomaly in sorted(anomalies, key=lambda a: -a.severity.rank):
        text = Text(f"{anomaly.severity.value.upper():<8} ", style=SEVERITY_STYLE[anomaly.severity])
        text.append(anomaly.column_name or "(table)", style="bold")
        text.append(f"  {anomaly.anomaly_type}: {anomaly.description}")
        rows.append(Padding(text, (0, 0, 0, 2)))
    return Group(*rows)


def _compact_columns(result: TableProfile) -> Group:
    blocks: list[Any] = []
    for column in result.columns:
        head = Text(column.column_name, style="bold")
        head.append("  " + _types(column), style="dim" if column.supported else "red")
        blocks.append(head)
        blocks.append(Padding(Text(" · ".join(column_figures(column))), (0, 0, 0, 4)))
    return Group(*blocks)


def _wide_columns(result: TableProfile) -> Table:
    table = Table(title_justify="left", expand=False)
    for header in ("column", "type", "inferred", "nulls", "distinct", "min", "max", "mean", "top"):
        # fold, never an ellipsis: a cell may wrap but is never cut
        table.add_column(header, overflow="fold")
    for column in result.columns:
        table.add_row(
            Text(column.column_name),
            Text(column.data_type),
            Text(column.inferred_type if column.supported else "unsupported"),
            " ".join(f for f in (_nulls(column).removeprefix("nulls "), _nan_inf(column)) if f),
            _distinct(column),
            Text(format_value(column.min_value)),
            Text(format_value(column.max_value)),
            format_value(column.mean_value),
            Text(_top(column)),
        )
    return table


def _nan_inf(column: ColumnProfile) -> str:
    parts = []
    for key, label in (("nan_count", "NaN"), ("infinity_count", "±inf")):
        count = _count_metric(column, key)
        if count:
            parts.append(f"+{count:,} {label}")
    return " ".join(parts)


def fits(out: Console, renderable: Table) -> bool:
    """Whether ``renderable`` fits the console without folding or cutting a cell
    (``Console.measure`` clamps to the width, so measure against an unbounded one)."""
    unbounded = out.options.update_width(1_000_000)
    return Measurement.get(out, unbounded, renderable).maximum <= out.width


def render_profile(
    result: TableProfile,
    out: Console,
    *,
    elapsed: float,
    stored_in: str | None,
    last_run: RunSummary | None = None,
    wide: bool = False,
) -> None:
    """Print ``result``: header, anomalies, columns, notes, where it was stored."""
    out.print(_header(result, elapsed, out.width), highlight=False)
    if result.anomalies:
        out.print(Text(f"\nAnomalies ({len(result.anomalies)})", style="bold"))
        out.print(anomaly_lines(result.anomalies), highlight=False)
    else:
        out.print(Text("No anomalies.", style="green"))
    compared = comparison_line(result, last_run)
    if compared is not None:
        out.print(compared, highlight=False)
    out.print(Text(f"\nColumns ({len(result.columns)})", style="bold"))
    table = _wide_columns(result) if wide or out.width >= WIDE_AT else None
    if table is not None and (wide or fits(out, table)):
        out.print(table, highlight=False)
    else:  # the table would have to fold its cells: one block per column reads better
        out.print(_compact_columns(result), highlight=False)
    for note in result.notes:
        out.print(Padding(Text(f"note: {note}", style="dim"), (0, 0, 0, 0)), highlight=False)
    out.print(
        Text(
            f"Values are shown up to {VALUE_WIDTH} characters; --format json has them whole.",
            style="dim",
        )
    )
    kept = f"stored in {stored_in}" if stored_in is not None else "not stored"
    out.print(Text(f"Run {result.run_id} {kept}", style="dim"), highlight=False)
