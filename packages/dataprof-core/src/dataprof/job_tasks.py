"""The three tasks of the AWS workflow, each a function the ``dataprof job`` commands call.

``profile`` (RunProfiler): parse the spec, open the run, profile, judge against the
store's history, write the full JSON to the archive. ``store`` (StoreResults): read
that JSON back and save the run through the store, then tell the sinks. ``fail``
(HandleError): make sure the run ends ``failed`` with a reason.

Each task derives the run id from the execution ARN, so the three name one run and
a retried task rewrites it. A task that fails where it can still reach the store
records the failed run itself, with the precise (redacted) reason; ``fail`` then
leaves that record alone and only closes what nothing else could record (a task
that timed out, was killed, or never started).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from dataprof.errors import ConfigurationError, ConnectorError, PluginError
from dataprof.job import (
    judge,
    profile_source,
    record_failure,
    source_identity,
    start,
    store_profile,
    without_judgement,
)
from dataprof.job_spec import JobSpec, run_id_for_execution
from dataprof.profiling.models import ProfileMode, RunStatus
from dataprof.stores.archive import ARCHIVE_ENV_VAR, ProfileArchive

if TYPE_CHECKING:
    from dataprof.profiling.models import TableProfile
    from dataprof.stores import ProfileStore, SourceIdentity

__all__ = [
    "ARCHIVE_ENV_VAR",
    "ProfileArchive",
    "job_store_location",
    "open_job_archive",
    "run_fail_task",
    "run_profile_task",
    "run_store_task",
]

SUPABASE_URL_ENV_VAR = "SUPABASE_URL"


def open_job_archive(location: str | None) -> ProfileArchive:
    """The archive at ``location`` (else ``$DATAPROF_ARCHIVE``): a folder, file:// or
    s3://bucket/prefix URL (:func:`dataprof.stores.open_archive`). The job needs one: it
    is how the profile task hands the run to the store task."""
    from dataprof.stores import open_archive

    archive = open_archive(location)
    if archive is None:
        raise ConfigurationError(
            "No archive for the job's profiles",
            hint=f"pass --archive or set {ARCHIVE_ENV_VAR} (a folder, or s3://bucket/prefix/)",
        )
    return archive


def job_store_location(location: str | None) -> str | None:
    """``--store``, else ``$DATAPROF_STORE``, else the Supabase project the task's secret
    names (``SUPABASE_URL`` -> ``supabase://HOST``), else the default local store."""
    from dataprof.stores import STORE_ENV_VAR

    if location or os.environ.get(STORE_ENV_VAR):
        return location or os.environ[STORE_ENV_VAR]
    supabase = os.environ.get(SUPABASE_URL_ENV_VAR)
    if supabase:
        return f"supabase://{urlparse(supabase).netloc or supabase}"
    return None


def _identity_hint(spec_text: str) -> SourceIdentity:
    """Which table a spec that cannot be used meant, as well as it says, so its failure
    is filed under that table rather than lost."""
    from dataprof.stores import SourceIdentity

    try:
        raw = json.loads(spec_text)
    except ValueError:
        raw = None
    raw = raw if isinstance(raw, dict) else {}
    source = raw.get("source")
    source = source if isinstance(source, dict) else {}

    def text(value: object, default: str) -> str:
        return value if isinstance(value, str) and value else default

    return SourceIdentity(
        source_type=text(source.get("source_type"), "unknown"),
        source_name=text(source.get("name"), "") or text(source.get("data_source_id"), "") or None,
        database=text(raw.get("database"), ""),
        table=text(raw.get("table"), "unknown"),
    )


def run_profile_task(
    spec_text: str,
    *,
    execution_arn: str,
    store: ProfileStore,
    archive: ProfileArchive,
    workers: int | None = None,
) -> tuple[TableProfile, str]:
    """RunProfiler: the judged profile and where its JSON was archived."""
    run_id = run_id_for_execution(execution_arn)
    started_at = datetime.now(UTC)
    try:
        spec = JobSpec.parse(spec_text)
        config = spec.source_config(store)
    except ConnectorError as exc:  # a bad spec, an unknown data_source_id, an unset ${NAME}
        unrecorded = record_failure(
            store, _identity_hint(spec_text), run_id=run_id, error=exc, started_at=started_at
        )
        if unrecorded is not None:
            exc.add_note(f"the failed run was not recorded: {unrecorded}")
        raise
    identity = source_identity(config)
    try:
        start(
            store,
            identity,
            run_id=run_id,
            mode=spec.mode,
            started_at=started_at,
            execution_arn=execution_arn,
        )
        result = profile_source(
            config,
            run_id=run_id,
            mode=spec.mode,
            columns=spec.columns,
            sample_size=spec.sample_size,
            workers=workers,
        )
        try:
            result = judge(result, store, spec.thresholds_model())
        except PluginError as exc:
            # A broken detector plugin: the profile is still good, keep it with a note.
            result = without_judgement(result, exc)
        return result, archive.write(result)
    except BaseException as exc:
        unrecorded = record_failure(
            store, identity, run_id=run_id, error=exc, mode=spec.mode, started_at=started_at
        )
        if unrecorded is not None:
            exc.add_note(f"the failed run was not recorded: {unrecorded}")
        raise


def run_store_task(
    spec_text: str, *, execution_arn: str, store: ProfileStore, archive: ProfileArchive
) -> tuple[TableProfile, PluginError | None]:
    """StoreResults: the archived profile saved through ``store``; the sinks' failure, if any.

    A store that refuses the run raises (the workflow retries the task, then HandleError
    records the failure); a sink's failure does not, since the run is stored.
    """
    run_id = run_id_for_execution(execution_arn)
    spec = JobSpec.parse(spec_text)
    identity = source_identity(spec.source_config(store))
    profile = archive.read_run(identity, run_id)
    return profile, store_profile(store, profile)


def run_fail_task(
    spec_text: str, *, execution_arn: str, store: ProfileStore, error: str
) -> TableProfile:
    """HandleError: the run as it ends, ``failed`` with a reason.

    A run already recorded as failed (by the task that failed, with its own reason) or
    stored as succeeded is left as it is; otherwise it is recorded failed, naming the
    workflow's error (``States.Timeout``, ``States.TaskFailed``, ...).
    """
    from dataprof.stores import RunNotFoundError

    run_id = run_id_for_execution(execution_arn)
    try:
        existing: TableProfile | None = store.get_run(run_id)
    except RunNotFoundError:
        existing = None
    if existing is not None and existing.status in (RunStatus.FAILED, RunStatus.SUCCEEDED):
        return existing
    mode = ProfileMode.AUTO
    try:
        spec = JobSpec.parse(spec_text)
        identity = source_identity(spec.source_config(store))
        mode = spec.mode
    except ConnectorError:
        identity = _identity_hint(spec_text)
    reason = (
        f"The workflow stopped the run ({error or 'unknown error'}) before it was stored; "
        "the task's log has the details"
    )
    return store.record_failed_run(
        identity,
        run_id=run_id,
        error=reason,
        mode=mode,
        started_at=existing.started_at if existing is not None else None,
    )
