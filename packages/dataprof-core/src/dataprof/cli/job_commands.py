"""``dataprof job profile|store|fail|plan|scan|merge``: the AWS workflow's tasks.

``plan``, ``scan --item N`` and ``merge`` fan a full scan out over work items
(:mod:`dataprof.fanout`); they run anywhere a command runs, with a local folder or
an ``s3://`` prefix as ``--runs``.

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
        typer.Option(
            "--workers",
            min=1,
            help="Processes for a full scan (default: one, its threads on every vCPU).",
        ),
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


RunsOption = Annotated[
    str | None,
    typer.Option(
        "--runs",
        envvar="DATAPROF_RUNS",
        help="Folder or s3://bucket/prefix holding runs/<run_id>/ (plan, states, profile).",
    ),
]
RunIdOption = Annotated[
    str | None,
    typer.Option(
        "--run-id",
        envvar="DATAPROF_RUN_ID",
        help="The run's id (default: derived from --execution-arn).",
    ),
]
OptionalArnOption = Annotated[
    str | None,
    typer.Option(
        "--execution-arn",
        envvar="DATAPROF_EXECUTION_ARN",
        help="The workflow execution's ARN; the run id is derived from it.",
    ),
]


def _run_id(run_id: str | None, execution_arn: str | None) -> str:
    from dataprof.errors import ConfigurationError
    from dataprof.job_spec import run_id_for_execution

    if run_id:
        return run_id
    if execution_arn:
        return run_id_for_execution(execution_arn)
    raise ConfigurationError("No run id", hint="pass --run-id or --execution-arn")


@handle_errors
def plan(
    spec: SpecOption,
    runs: RunsOption = None,
    run_id: RunIdOption = None,
    execution_arn: OptionalArnOption = None,
    bytes_per_task: Annotated[
        int | None,
        typer.Option("--bytes-per-task", min=1, help="Uncompressed bytes per work item."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Plan a fanned-out full scan: write runs/<run_id>/plan.json (one item per task),
    and runs/by-execution/<sha256 of the ARN>/plan.json for the workflow's Map."""
    from dataprof.fanout import DEFAULT_BYTES_PER_TASK, plan_run
    from dataprof.job_spec import JobSpec
    from dataprof.job_tasks import job_store_location
    from dataprof.run_files import open_run_files
    from dataprof.stores import open_store

    parsed = JobSpec.parse(spec)
    opened = open_store(job_store_location(store))
    items = plan_run(
        parsed.source_config(opened),
        run_id=_run_id(run_id, execution_arn),
        files=open_run_files(runs),
        bytes_per_task=bytes_per_task or DEFAULT_BYTES_PER_TASK,
        store=opened,
        execution_arn=execution_arn,
    )
    console.print(
        f"run {items[0].run_id}: {len(items)} work items, "
        f"{sum(len(i.splits) for i in items)} splits, snapshot {items[0].snapshot_id}",
        highlight=False,
        markup=False,
    )


@handle_errors
def scan(
    spec: SpecOption,
    item: Annotated[
        int, typer.Option("--item", envvar="DATAPROF_ITEM", min=0, help="The work item.")
    ],
    runs: RunsOption = None,
    run_id: RunIdOption = None,
    execution_arn: OptionalArnOption = None,
    store: StoreOption = None,
) -> None:
    """Profile one work item of the plan: write runs/<run_id>/states/<N>.state."""
    from dataprof.fanout import scan_item
    from dataprof.job_spec import JobSpec
    from dataprof.job_tasks import job_store_location
    from dataprof.run_files import open_run_files
    from dataprof.stores import open_store

    config = JobSpec.parse(spec).source_config(open_store(job_store_location(store)))
    where = scan_item(
        config, run_id=_run_id(run_id, execution_arn), item=item, files=open_run_files(runs)
    )
    console.print(f"item {item}: state written to {where}", highlight=False, markup=False)


@handle_errors
def merge(
    spec: SpecOption,
    runs: RunsOption = None,
    run_id: RunIdOption = None,
    execution_arn: OptionalArnOption = None,
    store: StoreOption = None,
    archive: ArchiveOption = None,
) -> None:
    """Merge every item's state, judge against history, archive and save the run."""
    from dataprof.fanout import merge_run
    from dataprof.job_spec import JobSpec
    from dataprof.job_tasks import job_store_location
    from dataprof.run_files import open_run_files
    from dataprof.stores import open_archive, open_store

    parsed = JobSpec.parse(spec)
    opened = open_store(job_store_location(store))
    result = merge_run(
        parsed.source_config(opened),
        run_id=_run_id(run_id, execution_arn),
        files=open_run_files(runs),
        store=opened,
        archive=open_archive(archive),
        thresholds=parsed.thresholds_model(),
        columns=parsed.columns,
    )
    console.print(
        f"run {result.run_id}: {result.row_count:,} rows, {len(result.columns)} columns, "
        f"{len(result.anomalies)} anomalies; stored",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    job = typer.Typer(
        name="job",
        help="The AWS workflow's tasks (RunProfiler, StoreResults, HandleError; plan, scan, merge).",
        no_args_is_help=True,
    )
    job.command("profile")(profile)
    job.command("store")(store)
    job.command("fail")(fail)
    job.command("plan")(plan)
    job.command("scan")(scan)
    job.command("merge")(merge)
    app.add_typer(job)
