"""``dataprof job profile|store|fail``: the AWS workflow's tasks, run in its container.

The workflow passes what varies per execution as environment (``DATAPROF_EXECUTION_ARN``,
``DATAPROF_JOB_SPEC``, ``DATAPROF_JOB_ERROR``); each is also an option, to run a task
by hand. A command exits non-zero only when its task failed (2), never for anomalies
(``dataprof profile --fail-on`` is the CI gate): the workflow reads the exit code as
"retry or record the failure", not as a verdict on the data.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dataprof.cli.output import console, err_console, handle_errors

__all__ = ["register"]

ExecutionArnOption = Annotated[
    str,
    typer.Option(
        "--execution-arn",
        envvar="DATAPROF_EXECUTION_ARN",
        help="The workflow execution's ARN; the run id is derived from it.",
    ),
]
SpecOption = Annotated[
    str,
    typer.Option(
        "--spec", envvar="DATAPROF_JOB_SPEC", help="The workflow input (JSON): source, table, ..."
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Profile store (default $DATAPROF_STORE, else supabase://HOST from $SUPABASE_URL).",
    ),
]
ArchiveOption = Annotated[
    str | None,
    typer.Option(
        "--archive",
        envvar="DATAPROF_ARCHIVE",
        help="Where the full profile JSON waits between the tasks.",
    ),
]


@handle_errors
def profile(
    execution_arn: ExecutionArnOption,
    spec: SpecOption,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes for a full scan (the task's vCPUs)."),
    ] = None,
    store: StoreOption = None,
    archive: ArchiveOption = None,
) -> None:
    """RunProfiler: open the run, profile, judge against history, archive the JSON."""
    from dataprof.job_tasks import job_store_location, open_job_archive, run_profile_task
    from dataprof.stores import open_store

    result, where = run_profile_task(
        spec,
        execution_arn=execution_arn,
        store=open_store(job_store_location(store)),
        archive=open_job_archive(archive),
        workers=workers,
    )
    console.print(
        f"run {result.run_id}: {result.row_count:,} rows, {len(result.columns)} columns, "
        f"{len(result.anomalies)} anomalies; archived at {where}",
        highlight=False,
        markup=False,
    )


@handle_errors
def store(
    execution_arn: ExecutionArnOption,
    spec: SpecOption,
    store: StoreOption = None,
    archive: ArchiveOption = None,
) -> None:
    """StoreResults: save the archived profile through the store and tell the sinks."""
    from dataprof.job_tasks import job_store_location, open_job_archive, run_store_task
    from dataprof.stores import open_store

    result, sink_error = run_store_task(
        spec,
        execution_arn=execution_arn,
        store=open_store(job_store_location(store)),
        archive=open_job_archive(archive),
    )
    if sink_error is not None:
        # The run is stored: a sink's trouble is reported, not a reason to retry the task.
        err_console.print(f"Warning: {sink_error}", highlight=False, markup=False)
    console.print(f"run {result.run_id} stored", highlight=False, markup=False)


@handle_errors
def fail(
    execution_arn: ExecutionArnOption,
    spec: SpecOption,
    error: Annotated[
        str,
        typer.Option("--error", envvar="DATAPROF_JOB_ERROR", help="The workflow's error name."),
    ] = "",
    store: StoreOption = None,
) -> None:
    """HandleError: make sure the run ends failed, with its reason."""
    from dataprof.job_tasks import job_store_location, run_fail_task
    from dataprof.stores import open_store

    result = run_fail_task(
        spec, execution_arn=execution_arn, store=open_store(job_store_location(store)), error=error
    )
    console.print(
        f"run {result.run_id} {result.status.value}: {result.error or ''}",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    job = typer.Typer(
        name="job",
        help="The AWS workflow's tasks (RunProfiler, StoreResults, HandleError).",
        no_args_is_help=True,
    )
    job.command("profile")(profile)
    job.command("store")(store)
    job.command("fail")(fail)
    app.add_typer(job)
