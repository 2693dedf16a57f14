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
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from dataprof.cli.history_view import column_history_rows, render_column_history, render_runs
from dataprof.cli.options import (
    ConfigOption,
    DatabaseOption,
    ParamOption,
    SourceArgument,
    TableOption,
    TypeOption,
    resolve_named_source,
)
from dataprof.cli.output import (
    EXIT_FAILED_CHECK,
    console,
    err_console,
    fail,
    handle_errors,
    read_progress,
)
from dataprof.cli.profile_view import WIDE_AT, render_profile, shorten_path
from dataprof.errors import PluginError
from dataprof.profiling.models import ProfileMode, Severity

if TYPE_CHECKING:
    from dataprof.profiling.models import TableProfile
    from dataprof.stores import ProfileStore, RunSummary, SourceIdentity

__all__ = ["register"]


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Profile store: a folder, file:// URL, postgresql:// URL or supabase://HOST "
        "(default $DATAPROF_STORE, else ./.dataprof/store).",
    ),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table (readable) or json (stdout only).")
]


def _split_columns(columns: Sequence[str] | None) -> list[str] | None:
    if not columns:
        return None
    names = [name.strip() for value in columns for name in value.split(",")]
    return [name for name in names if name] or None


# -- profile ------------------------------------------------------------------------------
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
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Seed of the sample's random draw (default 0: the same rows)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes splitting a full scan's rows, their states merged (default: a table over 64 MiB has its columns shared by a worker process per core; smaller ones use one process, its threads on every core).",
        ),
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
    wide: Annotated[
        bool,
        typer.Option("--wide", help=f"One table row per column (default from {WIDE_AT} columns)."),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the run's HTML report to this file."),
    ] = None,
    plan_only: Annotated[
        bool,
        typer.Option(
            "--plan-only",
            help="Print the fan-out plan (work items for `dataprof job scan`) as JSON; "
            "read nothing else.",
        ),
    ] = False,
    bytes_per_task: Annotated[
        int | None,
        typer.Option("--bytes-per-task", min=1, help="Uncompressed bytes per work item."),
    ] = None,
) -> None:
    """Profile a table, flag anomalies against history, store the run."""
    from dataprof.anomalies import Thresholds
    from dataprof.job import (
        judge,
        keep,
        new_run_id,
        profile_source,
        record_failure,
        source_identity,
        start,
        without_judgement,
    )
    from dataprof.stores import open_store

    named = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    )
    cfg = named.config
    if plan_only:
        from dataprof.fanout import DEFAULT_BYTES_PER_TASK, plan_items, plan_json

        items = plan_items(
            cfg, run_id=new_run_id(), bytes_per_task=bytes_per_task or DEFAULT_BYTES_PER_TASK
        )
        sys.stdout.write(plan_json(items) + "\n")
        return
    thresholds = Thresholds.from_mapping(named.extras.get("thresholds"))
    profile_store = None if no_store else open_store(store)
    run_id = new_run_id()
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    start(profile_store, source_identity(cfg), run_id=run_id, mode=mode, started_at=started_at)

    try:
        with read_progress(enabled=not no_progress) as progress:
            result = profile_source(
                cfg,
                run_id=run_id,
                mode=mode,
                columns=_split_columns(columns),
                sample_size=sample_size,
                sample_seed=seed,
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
        stored = profile_store is not None and kept.stored
        render_profile(
            result,
            console,
            elapsed=time.monotonic() - clock,
            stored_in=_store_label(profile_store) if profile_store is not None and stored else None,
            last_run=_last_run(profile_store, result) if profile_store is not None else None,
            wide=wide,
        )
    if html is not None:
        _write_html(result, profile_store, html, output)
    if kept.store_error is not None:
        assert profile_store is not None
        if getattr(kept.store_error, "run_kept", False):  # only the store's index lags
            raise fail(f"The profile above was stored, but: {kept.store_error}")
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


def _write_html(
    result: TableProfile, store: ProfileStore | None, path: Path, output: OutputFormat
) -> None:
    """The run's report with the stored runs before it (stdout stays JSON-only)."""
    from dataprof.cli.report_commands import runs_before, write_report
    from dataprof.report import render_html

    announce = err_console if output is OutputFormat.JSON else console
    write_report(render_html(result, runs_before(store, result)), path, announce)


def _last_run(store: ProfileStore, result: TableProfile) -> RunSummary | None:
    """The stored run history compared ``result`` with, for its date and mode."""
    compared = result.history_comparison
    if compared is None or compared.last_run_id is None:
        return None
    from dataprof.stores import SourceIdentity

    runs = store.list_runs(SourceIdentity.of(result), limit=50)
    return next((r for r in runs if r.run_id == compared.last_run_id), None)


def _store_label(store: ProfileStore) -> str:
    """The folder, or the database's URL without credentials (``location``)."""
    where = getattr(store, "root", None) or getattr(store, "location", None)
    return str(where) if where is not None else type(store).__name__


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
    render_runs(runs, f"History of {shorten_path(identity.label, console.width - 11)}", console)


def _column_history(
    store: ProfileStore, identity: SourceIdentity, name: str, limit: int, output: OutputFormat
) -> None:
    # One run in memory at a time: a row keeps the column's few figures.
    rows = column_history_rows(store.each_run(identity, limit=limit), name)
    if output is OutputFormat.JSON:
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        raise fail(
            f"Column {name!r} is in no stored run of {identity.label}; "
            "check the name with `dataprof schema`"
        )
    render_column_history(
        rows, f"{name} in {shorten_path(identity.label, console.width - len(name) - 4)}", console
    )


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
    app.command("history")(history)
