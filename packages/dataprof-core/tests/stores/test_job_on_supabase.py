"""The AWS job's three tasks end to end, offline, the way the workflow runs them: RunProfiler
(`job profile`), StoreResults (`job store`) and HandleError (`job fail`) on a `file` source,
the archive on a moto S3 server (127.0.0.1), the store reached as Supabase through the
PostgREST stand-in over the real PostgreSQL server (PostgREST cannot run here)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from postgrest_emulation import PostgrestEmulation

from dataprof import ConfigurationError, TableNotFoundError
from dataprof.job_spec import run_id_for_execution
from dataprof.job_tasks import run_fail_task, run_profile_task, run_store_task
from dataprof.profiling.models import RunStatus
from dataprof.stores import S3ProfileArchive, profile_to_json
from dataprof.stores.supabase import SupabaseProfileStore
from dataprof.testing.moto_server import aws_client

pytestmark = pytest.mark.postgres

KEY = "sb_secret_job-e2e-key"
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
ARN = "arn:aws:states:eu-west-1:123456789012:execution:dataprof-profile:{}"


def rows(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def supabase(profile_database: str) -> Iterator[SupabaseProfileStore]:
    emulation = PostgrestEmulation(profile_database, KEY)
    with SupabaseProfileStore(
        "https://project.supabase.test", key=KEY, transport=emulation.transport()
    ) as store:
        yield store
    assert emulation.requests, "every call went through the PostgREST stand-in"
    emulation.close()


@pytest.fixture
def archive(moto_server: str) -> S3ProfileArchive:
    s3 = aws_client("s3", moto_server)
    bucket = f"profile-results-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    return S3ProfileArchive(bucket, "profiles", client=s3)


def spec_of(path: Path, **fields: object) -> str:
    return json.dumps(
        {
            "source": {"source_type": "file", "connection_params": {"path": str(path)}},
            "database": "examples",
            "table": "trips",
            "mode": "full",
            **fields,
        }
    )


def test_profile_then_store_through_supabase_with_the_archive_on_s3(
    supabase: SupabaseProfileStore, archive: S3ProfileArchive, profile_database: str
) -> None:
    arn = ARN.format("ok")
    spec = spec_of(EXAMPLES / "trips.csv")
    result, uri = run_profile_task(
        spec, execution_arn=arn, store=supabase, archive=archive, workers=1
    )
    run_id = run_id_for_execution(arn)
    assert result.run_id == run_id
    assert uri.startswith(f"s3://{archive.bucket}/profiles/")
    [running] = supabase.list_runs()
    assert (running.run_id, running.status) == (run_id, RunStatus.RUNNING)

    stored, sink_error = run_store_task(spec, execution_arn=arn, store=supabase, archive=archive)
    assert sink_error is None
    assert profile_to_json(supabase.get_run(run_id)) == profile_to_json(stored)
    assert profile_to_json(archive.read(uri)) == profile_to_json(result)
    [done] = supabase.list_runs()
    assert (done.run_id, done.status, done.row_count) == (
        run_id,
        RunStatus.SUCCEEDED,
        result.row_count,
    )
    assert rows(
        profile_database,
        "select r.id::text, r.status, r.step_functions_execution_arn from profile_runs r",
    ) == [(str(uuid.UUID(run_id)), "succeeded", arn)]
    columns = rows(profile_database, "select count(*) from column_profiles")
    assert columns == [(len(result.columns),)]

    # StoreResults retried by the workflow: the same run, rewritten.
    run_store_task(spec, execution_arn=arn, store=supabase, archive=archive)
    assert [r.run_id for r in supabase.list_runs()] == [run_id]


def test_a_failing_source_leaves_the_run_failed_with_its_reason_and_no_results(
    supabase: SupabaseProfileStore, archive: S3ProfileArchive, profile_database: str, tmp_path: Path
) -> None:
    arn = ARN.format("missing")
    spec = spec_of(tmp_path / "nowhere.parquet")
    with pytest.raises(TableNotFoundError):
        run_profile_task(spec, execution_arn=arn, store=supabase, archive=archive, workers=1)
    ended = run_fail_task(spec, execution_arn=arn, store=supabase, error="States.TaskFailed")
    run_id = run_id_for_execution(arn)
    assert (ended.run_id, ended.status) == (run_id, RunStatus.FAILED)
    assert "nowhere.parquet" in (ended.error or "")
    [run] = supabase.list_runs(include_failed=True)
    assert (run.status, run.error) == (RunStatus.FAILED, ended.error)
    assert rows(profile_database, "select count(*) from column_profiles") == [(0,)]
    assert rows(profile_database, "select count(*) from profile_results") == [(0,)]


def test_an_unknown_data_source_id_fails_the_run_naming_the_field(
    supabase: SupabaseProfileStore, archive: S3ProfileArchive
) -> None:
    arn = ARN.format("unknown-source")
    missing = str(uuid.uuid4())
    spec = json.dumps({"source": {"data_source_id": missing}, "table": "orders"})
    with pytest.raises(ConfigurationError, match=r"source\.data_source_id"):
        run_profile_task(spec, execution_arn=arn, store=supabase, archive=archive)
    ended = run_fail_task(spec, execution_arn=arn, store=supabase, error="States.TaskFailed")
    assert ended.status is RunStatus.FAILED
    assert f"source.data_source_id {missing!r} names no registered source" in (ended.error or "")
    assert ended.table == "orders"
