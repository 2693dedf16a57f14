"""The PostgreSQL store through the CLI and the job: `dataprof db migrate|status`, start_run,
the archive written before the row, named sources with secrets as references, the
Supabase REST path's headers, and `dataprof profile` twice then `dataprof history`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from profile_builders import column, profile
from run_ids import rid
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.profiling.models import ProfileMode, RunStatus
from dataprof.stores import (
    LocalProfileArchive,
    SourceIdentity,
    profile_to_json,
)
from dataprof.testing.postgres import PostgresServer

pytestmark = pytest.mark.postgres

SOURCE = SourceIdentity(source_type="file", database="db", table="t")
EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


# -- dataprof db ------------------------------------------------------------------------------
def test_db_status_then_migrate_then_status(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = postgres_server.fresh_database(prefix="cli")
    monkeypatch.setenv("DATAPROF_STORE", dsn)
    code, out, _ = invoke("db", "status")
    assert (code, out.split()) == (1, ["001_profile_schema", "pending", *out.split()[2:]])
    assert "dataprof db migrate" in out
    code, out, _ = invoke("db", "migrate")
    assert (code, out.strip()) == (0, "Applied 001_profile_schema")
    code, out, _ = invoke("db", "migrate")
    assert (code, out.strip()) == (0, "The profile schema is up to date; nothing to apply.")
    code, out, _ = invoke("db", "status")
    assert (code, out.strip()) == (0, "001_profile_schema  applied")


def test_db_refuses_a_folder_store(tmp_path: Path) -> None:
    code, _, err = invoke("db", "migrate", "--store", str(tmp_path))
    assert code != 0
    assert "needs a PostgreSQL database" in err


# -- the CLI end to end -----------------------------------------------------------------------
def test_profile_twice_then_history_on_postgres(
    profile_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATAPROF_STORE", profile_database)
    monkeypatch.setenv("DATAPROF_ARCHIVE", str(tmp_path / "archive"))
    trips = str(EXAMPLES / "trips.csv")
    for _ in range(2):
        code, out, err = invoke("profile", trips, "--no-progress")
        assert code == 0, err
        assert "stored in postgresql://127.0.0.1:" in " ".join(out.split())
    code, out, err = invoke("history", trips, "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) == 2
    code, out, err = invoke("history", trips)
    assert code == 0, err
    from dataprof.stores import open_store

    with open_store(profile_database) as store:
        newest, oldest = store.list_runs()
        second = store.get_run(newest.run_id)
    assert second.history_comparison is not None
    assert second.history_comparison.last_run_id == oldest.run_id
    assert {s for (s,) in rows(profile_database, "select status::text from profile_runs")} == {
        "succeeded"
    }
    uris = [u for (u,) in rows(profile_database, "select s3_full_profile_uri from profile_results")]
    assert len(uris) == 2
    archive = LocalProfileArchive(tmp_path / "archive")
    assert {archive.read(u).run_id for u in uris} == {newest.run_id, oldest.run_id}


# -- start_run --------------------------------------------------------------------------------
def test_start_run_is_idempotent_and_never_downgrades(db_store: Any) -> None:
    store = db_store
    started = datetime(2026, 3, 1, tzinfo=UTC)
    for _ in range(2):
        store.start_run(
            SOURCE,
            run_id=rid(5),
            mode=ProfileMode.FULL,
            started_at=started,
            execution_arn="arn:aws:states:eu-west-1:1:execution:sm:run-5",
        )
    (running,) = store.list_runs(SOURCE)
    assert (running.run_id, running.status, running.started_at) == (
        rid(5),
        RunStatus.RUNNING,
        started,
    )
    assert store.history(SOURCE) == []  # a running run is not history
    finished = profile(column("a"), run_id=rid(5))
    store.save_run(finished)
    store.start_run(SOURCE, run_id=rid(5), mode=ProfileMode.FULL, started_at=started)
    (done,) = store.list_runs(SOURCE)
    assert done.status is RunStatus.SUCCEEDED
    assert profile_to_json(store.get_run(rid(5))) == profile_to_json(finished)


# -- the AWS job's tasks on the PostgreSQL store with an S3 archive ---------------------------
def test_job_tasks_on_postgres_with_an_s3_archive_and_a_registered_source(
    profile_database: str, moto_server: str, tmp_path: Path
) -> None:
    import uuid

    from dataprof.job_spec import run_id_for_execution
    from dataprof.job_tasks import run_profile_task, run_store_task
    from dataprof.sources import source_from_section
    from dataprof.stores import S3ProfileArchive, open_store
    from dataprof.testing.moto_server import aws_client

    s3 = aws_client("s3", moto_server)
    bucket = f"job-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    archive = S3ProfileArchive(bucket, "runs", client=s3)
    arn = "arn:aws:states:eu-west-1:123456789012:execution:dataprof-profile:pg-1"
    with open_store(profile_database) as store:
        source_id = store.register_source(
            source_from_section(
                "trips",
                {
                    "source_type": "file",
                    "table": "trips.csv",
                    "connection_params": {"path": str(EXAMPLES / "trips.csv")},
                },
                origin="test",
            )
        )
        spec = json.dumps({"source": {"data_source_id": source_id}, "table": "trips.csv"})
        result, uri = run_profile_task(
            spec, execution_arn=arn, store=store, archive=archive, workers=1
        )
        (running,) = store.list_runs()
        assert running.status is RunStatus.RUNNING
        store.archive = archive
        stored, sink_error = run_store_task(spec, execution_arn=arn, store=store, archive=archive)
        assert sink_error is None
        assert stored == result
        (done,) = store.list_runs()
    assert (done.run_id, done.status) == (run_id_for_execution(arn), RunStatus.SUCCEEDED)
    assert rows(
        profile_database,
        "select r.step_functions_execution_arn, p.s3_full_profile_uri "
        "from profile_runs r join profile_results p on p.run_id = r.id",
    ) == [(arn, uri)]
    assert uri.startswith(f"s3://{bucket}/runs/profiles/")
