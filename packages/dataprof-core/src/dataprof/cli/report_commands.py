"""``dataprof report``: a stored run of a source as one self-contained HTML page.

The command reads the store only (it never connects to the source): the latest
succeeded run by default, ``--run`` for another, with the runs before it for the
trend charts; ``--compare A B`` puts two runs side by side. The page itself is
made by :mod:`dataprof.report`; this module only finds the runs and writes the file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from dataprof.cli.options import (
    ConfigOption,
    DatabaseOption,
    ParamOption,
    SourceArgument,
    TableOption,
    TypeOption,
    resolve_named_source,
)
from dataprof.cli.output import console, fail, handle_errors
from dataprof.cli.profile_commands import StoreOption

if TYPE_CHECKING:
    from rich.console import Console

    from dataprof.profiling.models import TableProfile
    from dataprof.stores import ProfileStore, SourceIdentity

__all__ = ["register", "runs_before", "write_report"]

HISTORY_RUNS_IN_REPORT = 30
"""Past runs drawn in the trend charts."""

OutputOption = Annotated[
    Path,
    typer.Option("--output", "-o", help="Where to write the HTML file ('-' for stdout)."),
]


@handle_errors
def report(
    source: SourceArgument = None,
    config: ConfigOption = None,
    source_type: TypeOption = None,
    param: ParamOption = None,
    database: DatabaseOption = None,
    table: TableOption = None,
    store: StoreOption = None,
    run: Annotated[
        str | None, typer.Option("--run", help="A stored run id (default: the latest).")
    ] = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option("--compare", help="Two run ids, A then B: B compared with A."),
    ] = None,
    output: OutputOption = Path("report.html"),
) -> None:
    """Write the HTML report of a stored run (or of two runs compared)."""
    from dataprof.report import render_comparison_html, render_html
    from dataprof.stores import SourceIdentity, open_store

    cfg = resolve_named_source(
        source, config, source_type=source_type, params=param, database=database, table=table
    ).config
    identity = SourceIdentity(
        source_type=cfg.source_type,
        source_name=cfg.name,
        database=cfg.database,
        table=cfg.table,
    )
    profile_store = open_store(store)
    if compare is not None:
        before, after = (_run_of(profile_store, identity, run_id) for run_id in compare)
        page = render_comparison_html(before, after)
    else:
        profile = _chosen_run(profile_store, identity, run)
        page = render_html(profile, runs_before(profile_store, profile))
    write_report(page, output)


def runs_before(store: ProfileStore | None, profile: TableProfile) -> list[TableProfile]:
    """The stored succeeded runs of the profile's table that started before it (newest
    first, at most ``HISTORY_RUNS_IN_REPORT``): the trends of its report. Read one run at
    a time, each kept as what the trends read (its figures and anomalies)."""
    from dataprof.anomalies import summary_view
    from dataprof.stores import SourceIdentity

    if store is None:
        return []
    runs = store.each_run(SourceIdentity.of(profile), limit=HISTORY_RUNS_IN_REPORT + 1)
    before = [
        summary_view(p, keep_anomalies=True)
        for p in runs
        if p.started_at < profile.started_at and p.run_id != profile.run_id
    ]
    return before[:HISTORY_RUNS_IN_REPORT]


def _chosen_run(store: ProfileStore, identity: SourceIdentity, run_id: str | None) -> TableProfile:
    if run_id is not None:
        return _run_of(store, identity, run_id)
    latest = store.latest(identity)
    if latest is None:
        raise fail(
            f"No succeeded run of {identity.label} in the store; "
            "profile it first with `dataprof profile SOURCE`"
        )
    return latest


def _run_of(store: ProfileStore, identity: SourceIdentity, run_id: str) -> TableProfile:
    from dataprof.stores import SourceIdentity

    profile = store.get_run(run_id)
    if SourceIdentity.of(profile).key != identity.key:
        raise fail(
            f"Run {run_id} is a run of {SourceIdentity.of(profile).label}, not of "
            f"{identity.label}; list this source's runs with `dataprof history SOURCE`"
        )
    return profile


def write_report(page: str, output: Path, announce: Console = console) -> None:
    """Write ``page`` to ``output`` (``-`` is stdout) and say where it went on ``announce``."""
    if str(output) == "-":
        sys.stdout.write(page)
        return
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise fail(f"Cannot write the report to {output}: {exc.strerror}") from None
    size = len(page.encode("utf-8"))
    announce.print(
        f"Report written to {escape(str(output))} ({size / 1024:,.0f} KiB)", highlight=False
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
