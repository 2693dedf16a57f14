"""``dataprof profile`` and ``dataprof history``: profile a table, judge it, keep it.

``profile`` is the whole loop in one command: resolve the source, read it with a
progress bar (rows, bytes, elapsed; drawn on stderr so ``--format json`` leaves
stdout to the profile alone), load the table's history from the store, detect
anomalies, store the run, hand it to result sinks, render it, and exit 1 when an
anomaly reaches ``--fail-on`` (the CI gate). A run that fails on the source is
stored as failed with its redacted reason before the error is shown (exit 2), so
history shows the gap and why.

``history`` reads the store only (it never connects to the source): past runs
newest first with how the row count moved, or one column's figures across runs.
"""

from __future__ import annotations

import enum
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dataprof.cli.options import (
    ConfigOption,
    DatabaseOption,
    ParamOption,
    SourceArgument,
    TableOption,
    TypeOption,
    resolve_named_source,
)
from dataprof.cli.output import EXIT_FAILED_CHECK, console, err_console, fail, handle_errors
from dataprof.errors import PluginError
from dataprof.profiling.models import ProfileMode, RunStatus, Severity

if TYPE_CHECKING:
    from dataprof.profiling.models import ColumnProfile, TableProfile
    from dataprof.stores import ProfileStore, RunSummary, SourceIdentity

__all__ = ["register"]

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Profile store: a folder or file:// URL (default $DATAPROF_STORE, "
        "else ./.dataprof/store).",
    ),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table (readable) or json (stdout only).")
]


def _table(title: Text, *headers: str, keep: Sequence[str] = (), cap: int = 24) -> Table:
    """A table for narrow terminals: the ``keep`` columns (what identifies a row) are
    never shrunk; the others give up width first, each capped at ``cap`` characters,
    cutting long values with an ellipsis."""
    table = Table(title=title, title_justify="left")
    for header in headers:
        kept = header in keep
        table.add_column(
            header,
            no_wrap=kept,
            overflow="fold" if kept else "ellipsis",
            max_width=None if kept else cap,
        )
    return table


def _split_columns(columns: Sequence[str] | None) -> list[str] | None:
    if not columns:
        return None
    names = [name.strip() for value in columns for name in value.split(",")]
    return [name for name in names if name] or None


# -- profile ------------------------------------------------------------------------------
@contextmanager
def _progress_bar(enabled: bool, output: Console | None = None) -> Iterator[Any]:
    """A live bar on stderr; yields the engine's ``progress(rows, bytes)`` callback."""
    from rich.filesize import decimal
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("Reading"),
        BarColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TextColumn("{task.fields[bytes]}"),
        TimeElapsedColumn(),
        console=output or err_console,
        transient=True,
    )
    task = progress.add_task("read", total=None, rows="0", bytes="0 bytes")

    def update(rows: int, read_bytes: int) -> None:
        progress.update(task, rows=f"{rows:,}", bytes=decimal(read_bytes))

    with progress:
        yield update


@handle_errors
def profile(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
    mode: Annotated[
        ProfileMode, typer.Option("--mode", "-m", help="How to read: auto picks the cheapest.")
    ] = ProfileMode.AUTO,
    columns: Annotated[
        list[str] | None,
        typer.Option("--columns", help="Only these columns (comma-separated or repeated)."),
    ] = None,
    sample_size: Annotated[
        int, typer.Option("--sample-size", min=1, help="Rows read in sample mode.")
    ] = 10_000,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes for a full scan (default: CPU count)."),
    ] = None,
    store: StoreOption = None,
    no_store: Annotated[
        bool,
        typer.Option(
            "--no-store", help="Keep no record: judge the run on its own and store nothing."
        ),
    ] = False,
    output: FormatOption = OutputFormat.TABLE,
    fail_on: Annotated[
        Severity | None,
        typer.Option("--fail-on", help="Exit 1 when an anomaly is at or above this severity."),
    ] = None,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="Do not draw the progress bar.")
    ] = False,
) -> None:
    """Profile a table, flag anomalies against its history, and store the run."""
    from dataprof.anomalies import Thresholds
    from dataprof.job import (
        judge,
        keep,
        new_run_id,
        profile_source,
        record_failure,
        source_identity,
        without_judgement,
    )
    from dataprof.stores import open_store

    named = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    )
    cfg = named.config
    thresholds = Thresholds.from_mapping(named.extras.get("thresholds"))
    profile_store = None if no_store else open_store(store)
    run_id = new_run_id()
    started_at = datetime.now(UTC)
    clock = time.monotonic()

    try:
        with _progress_bar(not no_progress) as progress:
            result = profile_source(
                cfg,
                run_id=run_id,
                mode=mode,
                columns=_split_columns(columns),
                sample_size=sample_size,
                workers=workers,
                progress=progress,
            )
    except (Exception, KeyboardInterrupt) as exc:
        if profile_store is None:
            if isinstance(exc, KeyboardInterrupt):
                raise _interrupted(exc, recorded=False) from None
            raise
        unrecorded = record_failure(
            profile_store,
            source_identity(cfg),
            run_id=run_id,
            error=exc,
            mode=mode,
            started_at=started_at,
        )
        if unrecorded is not None:
            err_console.print(
                "[yellow]Warning:[/] the failed run was not fully recorded: "
                f"{escape(str(unrecorded))}",
                highlight=False,
            )
        if isinstance(exc, KeyboardInterrupt):
            raise _interrupted(exc, recorded=unrecorded is None) from None
        raise

    try:
        result = judge(result, profile_store, thresholds)
    except PluginError as exc:
        # The profile itself is good: keep it, say detection did not finish, then fail.
        keep(profile_store, without_judgement(result, exc))
        raise
    kept = keep(profile_store, result)

    if output is OutputFormat.JSON:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        stored_in = None if profile_store is None or not kept.stored else profile_store
        _render_profile(result, time.monotonic() - clock, stored_in)
    if kept.store_error is not None:
        assert profile_store is not None
        raise fail(
            f"The profile above was not stored in {_store_label(profile_store)}: {kept.store_error}"
        )
    if kept.sink_error is not None:
        raise fail(kept.sink_error)
    if fail_on is not None:
        reached = [a for a in result.anomalies if a.severity.rank >= fail_on.rank]
        if reached:
            err_console.print(
                f"[bold red]{len(reached)} anomal{'y' if len(reached) == 1 else 'ies'} at or "
                f"above {fail_on.value}[/] (--fail-on {fail_on.value})",
                highlight=False,
            )
            raise typer.Exit(EXIT_FAILED_CHECK)


def _interrupted(exc: KeyboardInterrupt, *, recorded: bool) -> typer.Exit:
    """Ctrl-C exits 130 and SIGTERM 143, as a shell reports a process those signals ended."""
    from dataprof.job import RunInterrupted, failure_reason

    code = 128 + (15 if isinstance(exc, RunInterrupted) else 2)
    told = failure_reason(exc) + ("; the run is recorded as failed" if recorded else "")
    return fail(told, code=code)


def _short(value: Any, width: int = 28) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Plain digits up to a billion (a mean of ids reads 15,511,402.7, not 1.55114e+07).
        text = f"{value:,.1f}" if 1e4 <= abs(value) < 1e9 else f"{value:.6g}"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, bytes):
        text = value[:12].hex() + ("…" if len(value) > 12 else "")
    else:
        text = str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def _null_share(column: ColumnProfile) -> str:
    """Nulls as a share, and NaN beside them: a column of NaN is not a full one."""
    shown = ""
    if column.null_percentage is not None:
        shown = f"{column.null_percentage:.1f}%"
    elif column.null_count is not None and column.row_count:
        shown = f"{100 * column.null_count / column.row_count:.1f}%"
    nan = column.metrics.get("nan_count")
    if nan is not None and isinstance(nan.value, int) and nan.value > 0 and column.row_count:
        shown += f" +{100 * nan.value / column.row_count:.1f}% NaN"
    return shown


def _distinct(column: ColumnProfile) -> str:
    if column.distinct_count is None:
        return ""
    metric = column.metrics.get("distinct_count")
    approximate = metric is not None and not metric.exact
    return f"{'≈' if approximate else ''}{column.distinct_count:,}"


def _top(column: ColumnProfile) -> str:
    if not column.top_values:
        return ""
    first = column.top_values[0]
    return f"{_short(first.value, 20)} ({first.count:,})"


def _render_profile(result: TableProfile, elapsed: float, store: ProfileStore | None) -> None:
    where = f"{result.database}.{result.table}" if result.database else result.table
    source = (
        f"{result.source_name} ({result.source_type})" if result.source_name else result.source_type
    )
    title = Text.assemble(
        (f"{source}: {where}", "bold"),
        f"  {result.row_count:,} rows{'' if result.row_count_exact else ' (estimated)'}, "
        f"mode {result.mode.value}{', sampled' if result.sampled else ''}, {elapsed:.1f}s",
    )
    table = _table(
        title,
        "column",
        "type",
        "inferred",
        "nulls",
        "distinct",
        "min",
        "max",
        "mean",
        "top value",
        keep=("column",),
    )
    for column in result.columns:
        table.add_row(
            Text(column.column_name),
            Text(_short(column.data_type, 24)),
            Text(column.inferred_type if column.supported else "unsupported"),
            _null_share(column),
            _distinct(column),
            Text(_short(column.min_value)),
            Text(_short(column.max_value)),
            _short(column.mean_value),
            Text(_top(column)),
        )
    console.print(table)
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
    if result.anomalies:
        found = _table(
            Text("Anomalies", style="bold"),
            "severity",
            "column",
            "type",
            "description",
            keep=("severity", "column"),
            cap=200,
        )
        for anomaly in result.anomalies:
            found.add_row(
                Text(anomaly.severity.value, style=_SEVERITY_STYLE[anomaly.severity]),
                Text(anomaly.column_name or "(table)"),
                Text(anomaly.anomaly_type),
                Text(anomaly.description),
            )
        console.print(found)
    else:
        console.print("[green]No anomalies.[/]")
    kept = f"stored in {_store_label(store)}" if store is not None else "not stored"
    console.print(Text(f"Run {result.run_id} {kept}", style="dim"), highlight=False)


def _store_label(store: ProfileStore) -> str:
    root = getattr(store, "root", None)
    return str(root) if root is not None else type(store).__name__


# -- history ------------------------------------------------------------------------------
@handle_errors
def history(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
    store: StoreOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Runs to show.")] = 20,
    column: Annotated[
        str | None, typer.Option("--column", help="Show one column's figures across runs.")
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Past runs of a table, newest first, and how the key figures moved."""
    from dataprof.job import source_identity
    from dataprof.stores import open_store

    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    identity = source_identity(cfg)
    profile_store = open_store(store)
    if column is not None:
        _column_history(profile_store, identity, column, limit, output)
        return
    runs = profile_store.list_runs(identity, limit=limit, include_failed=True)
    if output is OutputFormat.JSON:
        import json

        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in runs], indent=2) + "\n")
        return
    if not runs:
        console.print(
            f"No runs of {escape(identity.label)} in {escape(_store_label(profile_store))}."
        )
        return
    out = _table(
        Text(f"History of {identity.label}", style="bold"),
        "started (UTC)",
        "run",
        "status",
        "read",
        "rows",
        "change",
        "anomalies",
        keep=("started (UTC)", "run", "status", "read", "rows", "change"),
    )
    for run, change in zip(runs, _row_changes(runs), strict=True):
        failed = run.status is RunStatus.FAILED
        out.add_row(
            run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            run.run_id[:8],
            Text(run.status.value, style="red" if failed else "green"),
            Text(_read_label(run), style="bold yellow" if run.sampled else ""),
            "" if failed else f"{run.row_count:,}",
            change,
            Text(_first_line(run.error or ""), style="red") if failed else _anomaly_counts(run),
        )
    console.print(out)


def _read_label(run: RunSummary) -> str:
    """The run's mode and scope, short: ``full``, ``sample of 10,000`` (rows), ``full, 2 cols``."""
    label = f"sample of {run.sample_size:,}" if run.sampled else run.mode.value
    if run.columns_requested is not None:
        count = len(run.columns_requested)
        label += f", {count} col{'s' if count != 1 else ''}"
    return label


def _row_changes(runs: Sequence[RunSummary]) -> list[str]:
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
            text.append(f"{count} {severity.value}", style=_SEVERITY_STYLE[severity])
    return text if text else Text("none", style="dim")


def _first_line(text: str, width: int = 60) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1] + "…"


def _column_history(
    store: ProfileStore, identity: SourceIdentity, name: str, limit: int, output: OutputFormat
) -> None:
    rows: list[dict[str, Any]] = []
    for past in store.history(identity, limit=limit):
        found = past.column(name)
        if found is None:
            continue
        rows.append(
            {
                "run_id": past.run_id,
                "started_at": past.started_at.isoformat(),
                "data_type": found.data_type,
                "row_count": found.row_count,
                "null_percentage": found.null_percentage,
                "distinct_count": found.distinct_count,
                "mean": found.mean_value,
                "min": _short(found.min_value, 40),
                "max": _short(found.max_value, 40),
            }
        )
    if output is OutputFormat.JSON:
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        raise fail(
            f"Column {name!r} is in no stored run of {identity.label}; "
            "check the name with `dataprof schema`"
        )
    out = _table(
        Text(f"{name} in {identity.label}", style="bold"),
        "started (UTC)",
        "run",
        "type",
        "rows",
        "nulls",
        "distinct",
        "mean",
        "min",
        "max",
    )
    for row in rows:
        out.add_row(
            datetime.fromisoformat(row["started_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            row["run_id"][:8],
            Text(row["data_type"]),
            f"{row['row_count']:,}",
            "" if row["null_percentage"] is None else f"{row['null_percentage']:.1f}%",
            "" if row["distinct_count"] is None else f"{row['distinct_count']:,}",
            _short(row["mean"]),
            Text(row["min"]),
            Text(row["max"]),
        )
    console.print(out)


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
    app.command("history")(history)
