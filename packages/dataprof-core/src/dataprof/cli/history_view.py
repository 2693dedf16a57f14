"""A table's past runs as a person reads them in a terminal, from 80 columns up.

Each run says what it read (``full``, ``sample of 10,000``, ``full, 2 cols``), so a
sample's row count is never read as the table shrinking; row count changes are
given only against the previous run that read the same rows. Cells wrap (fold),
they are never cut with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from dataprof.cli.profile_view import SEVERITY_STYLE, fits, format_value
from dataprof.profiling.models import RunStatus, Severity

if TYPE_CHECKING:
    from dataprof.profiling.models import TableProfile
    from dataprof.stores import RunSummary

__all__ = ["column_history_rows", "read_label", "render_column_history", "render_runs"]


def read_label(run: RunSummary | TableProfile) -> str:
    """What a run read, short: ``full``, ``sample of 10,000`` (rows), ``full, 2 cols``."""
    label = f"sample of {run.sample_size:,}" if run.sampled else run.mode.value
    if run.columns_requested is not None:
        count = len(run.columns_requested)
        label += f", {count} col{'s' if count != 1 else ''}"
    return label


def row_changes(runs: Sequence[RunSummary]) -> list[str]:
    """Per run (newest first), the row count change since the previous succeeded run that
    read the same rows (a sample's row count is not the table's: never compare the two)."""
    changes: list[str] = []
    for i, run in enumerate(runs):
        older = next(
            (
                r
                for r in runs[i + 1 :]
                if r.status is RunStatus.SUCCEEDED
                and (r.sampled, r.sample_size) == (run.sampled, run.sample_size)
            ),
            None,
        )
        if run.status is not RunStatus.SUCCEEDED or older is None:
            changes.append("")
            continue
        delta = run.row_count - older.row_count
        share = f" ({delta / older.row_count:+.1%})" if older.row_count else ""
        changes.append(f"{delta:+,}{share}" if delta else "=")
    return changes


def _anomaly_counts(run: RunSummary) -> Text:
    text = Text()
    for severity in sorted(Severity, key=lambda s: -s.rank):
        count = run.anomaly_counts.get(severity.value, 0)
        if count:
            if text:
                text.append(", ")
            text.append(f"{count} {severity.value}", style=SEVERITY_STYLE[severity])
    return text if text else Text("none", style="dim")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def render_runs(runs: Sequence[RunSummary], title: str, out: Console) -> None:
    """One row per run; a failed run's reason on a line of its own under the table."""
    table = Table(title=Text(title, style="bold"), title_justify="left")
    for header in ("started (UTC)", "run", "status", "read", "rows", "change", "anomalies"):
        table.add_column(header, overflow="fold")
    failures: list[tuple[str, str]] = []
    for run, change in zip(runs, row_changes(runs), strict=True):
        failed = run.status is RunStatus.FAILED
        table.add_row(
            _when(run.started_at),
            run.run_id[:8],
            Text(run.status.value, style="red" if failed else "green"),
            Text(read_label(run), style="bold yellow" if run.sampled else ""),
            "" if failed else f"{run.row_count:,}",
            change,
            Text("see below", style="red") if failed else _anomaly_counts(run),
        )
        if failed:
            failures.append((run.run_id[:8], (run.error or "no reason recorded").split("\n")[0]))
    if fits(out, table):
        out.print(table)
    else:  # folded cells read badly: one wrapped line per run instead
        out.print(Text(title, style="bold"), highlight=False)
        for run, change in zip(runs, row_changes(runs), strict=True):
            failed = run.status is RunStatus.FAILED
            line = Text(f"{_when(run.started_at)}  {run.run_id[:8]}  ")
            line.append(run.status.value, style="red" if failed else "green")
            line.append(f"  {read_label(run)}", style="bold yellow" if run.sampled else "")
            if not failed:
                line.append(f"  rows {run.row_count:,}" + (f" ({change})" if change else ""))
                line.append("  anomalies: ").append_text(_anomaly_counts(run))
            out.print(Padding(line, (0, 0, 0, 0)), highlight=False)
    for run_id, reason in failures:
        out.print(Text(f"run {run_id} failed: {reason}", style="red"), highlight=False)


def column_history_rows(history: Iterable[TableProfile], name: str) -> list[dict[str, Any]]:
    """One column's figures per stored run that profiled it, newest first."""
    rows: list[dict[str, Any]] = []
    for past in history:
        found = past.column(name)
        if found is None:
            continue
        rows.append(
            {
                "run_id": past.run_id,
                "started_at": past.started_at.isoformat(),
                "read": read_label(past),
                "data_type": found.data_type,
                "row_count": found.row_count,
                "null_percentage": found.null_percentage,
                "distinct_count": found.distinct_count,
                "mean": found.mean_value,
                "min": format_value(found.min_value),
                "max": format_value(found.max_value),
            }
        )
    return rows


def render_column_history(rows: Sequence[dict[str, Any]], title: str, out: Console) -> None:
    """Two lines per run: when, which run and what it read; then the figures, wrapped."""
    out.print(Text(title, style="bold"), highlight=False)
    blocks: list[Any] = []
    for row in rows:
        head = Text(f"{_when(datetime.fromisoformat(row['started_at']))}  {row['run_id'][:8]}  ")
        head.append(row["read"], style="bold yellow" if row["read"].startswith("sample") else "")
        head.append(f"  {row['data_type']}", style="dim")
        figures = [f"rows {row['row_count']:,}"]
        if row["null_percentage"] is not None:
            figures.append(f"nulls {row['null_percentage']:.1f}%")
        if row["distinct_count"] is not None:
            figures.append(f"distinct {row['distinct_count']:,}")
        if row["mean"] is not None:
            figures.append(f"mean {format_value(row['mean'])}")
        if row["min"] or row["max"]:
            figures.append(f"{row['min']} → {row['max']}")
        blocks += [head, Padding(Text(" · ".join(figures)), (0, 0, 0, 4))]
    out.print(Group(*blocks), highlight=False)
