"""`dataprof job profile|store|fail` end to end, as the workflow runs them: the real engine on
a Parquet file through the `file` connector, a local store and a folder archive in temporary
folders, the execution ARN and the spec passed as the task's environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dataprof.cli import build_app
from dataprof.hooks import reset_hooks
from dataprof.job_spec import run_id_for_execution
from dataprof.profiling.models import RunStatus
from dataprof.stores import LocalProfileStore, RunNotFoundError, profile_to_json

ARN = "arn:aws:states:eu-west-1:123456789012:execution:dataprof-profile:run-1"
RUN_ID = run_id_for_execution(ARN)
runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in ("DATAPROF_STORE", "SUPABASE_URL", "DATAPROF_ARCHIVE"):
        monkeypatch.delenv(name, raising=False)
    reset_hooks()
    yield
    reset_hooks()


def orders(tmp_path: Path, rows: int = 3000) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(
        pa.table(
            {
                "id": pa.array(range(rows), pa.int64()),
                "country": pa.array(["FR", "DE", "ES"] * (rows // 3)),
                "note": pa.array([None] * rows, pa.string()),  # all null: an anomaly
            }
        ),
        path,
    )
    return path


def spec_for(path: Path, **fields: object) -> str:
    return json.dumps(
        {
            "source": {"source_type": "file", "connection_params": {"path": str(path)}},
            "database": "shop",
            "table": "orders",
            "mode": "full",
            **fields,
        }
    )


def job(tmp_path: Path, command: str, spec: str, **env: str) -> tuple[int, str, str]:
    environment = {
        "DATAPROF_EXECUTION_ARN": ARN,
        "DATAPROF_JOB_SPEC": spec,
        "DATAPROF_STORE": str(tmp_path / "store"),
        "DATAPROF_ARCHIVE": str(tmp_path / "archive"),
        **env,
    }
    extra = ["--workers", "1"] if command == "profile" else []
    result = runner.invoke(build_app(), ["job", command, *extra], env=environment)
    return result.exit_code, result.stdout, result.stderr


def archived(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "archive").glob("profiles/*/*.json"))


def test_profile_then_store_keeps_the_run_under_the_execution_run_id(tmp_path: Path) -> None:
    spec = spec_for(orders(tmp_path))
    code, out, err = job(tmp_path, "profile", spec)
    assert code == 0, err  # an all-null column is an anomaly, not a failure
    assert f"run {RUN_ID}: 3,000 rows" in out
    [json_file] = archived(tmp_path)
    assert json_file.name == f"{RUN_ID}.json"
    store = LocalProfileStore(tmp_path / "store")
    with pytest.raises(RunNotFoundError):
        store.get_run(RUN_ID)  # nothing is stored before StoreResults

    code, out, err = job(tmp_path, "store", spec)
    assert code == 0, err
    stored = store.get_run(RUN_ID)
    assert stored.status is RunStatus.SUCCEEDED
    assert (stored.database, stored.table, stored.row_count) == ("shop", "orders", 3000)
    assert [(a.column_name, a.anomaly_type) for a in stored.anomalies] == [("note", "all_null")]
    assert profile_to_json(stored) == json_file.read_text()

    # A retried StoreResults rewrites the same run instead of adding one.
    assert job(tmp_path, "store", spec)[0] == 0
    assert [r.run_id for r in store.list_runs()] == [RUN_ID]
    # HandleError after a stored run leaves it alone.
    assert job(tmp_path, "fail", spec, DATAPROF_JOB_ERROR="States.TaskFailed")[0] == 0
    assert store.get_run(RUN_ID).status is RunStatus.SUCCEEDED


def test_a_failing_source_ends_failed_with_its_reason_and_no_results(tmp_path: Path) -> None:
    spec = spec_for(tmp_path / "missing.parquet")
    code, _, err = job(tmp_path, "profile", spec)
    assert code == 2
    assert "missing.parquet" in err
    assert "Traceback" not in err
    assert archived(tmp_path) == []
    code, _, err = job(tmp_path, "fail", spec, DATAPROF_JOB_ERROR="States.TaskFailed")
    assert code == 0, err
    run = LocalProfileStore(tmp_path / "store").get_run(RUN_ID)
    assert run.status is RunStatus.FAILED
    assert "missing.parquet" in (run.error or "")  # the task's own reason, kept
    assert run.columns == []
    assert (run.database, run.table) == ("shop", "orders")


def test_an_invalid_spec_fails_the_run_naming_the_field(tmp_path: Path) -> None:
    spec = spec_for(orders(tmp_path), owner="data-team")
    code, _, err = job(tmp_path, "profile", spec)
    assert code == 2
    assert "owner" in err
    run = LocalProfileStore(tmp_path / "store").get_run(RUN_ID)
    assert run.status is RunStatus.FAILED
    assert "owner: Extra inputs are not permitted" in (run.error or "")
    assert (run.source_type, run.table) == ("file", "orders")


def test_a_literal_secret_fails_the_run_without_storing_the_secret(tmp_path: Path) -> None:
    spec = json.dumps(
        {
            "source": {
                "source_type": "file",
                "connection_params": {"path": "x.parquet", "api_token": "tok-live-98765"},
            },
            "table": "orders",
        }
    )
    code, _, err = job(tmp_path, "profile", spec)
    assert code == 2
    assert "tok-live-98765" not in err
    run = LocalProfileStore(tmp_path / "store").get_run(RUN_ID)
    assert "connection_params.api_token holds a literal secret" in (run.error or "")
    stored_text = "".join(p.read_text() for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert "tok-live-98765" not in stored_text


def test_fail_closes_a_run_nothing_else_recorded(tmp_path: Path) -> None:
    """A task that timed out or was killed never recorded anything: HandleError does."""
    spec = spec_for(orders(tmp_path))
    code, _, err = job(tmp_path, "fail", spec, DATAPROF_JOB_ERROR="States.Timeout")
    assert code == 0, err
    run = LocalProfileStore(tmp_path / "store").get_run(RUN_ID)
    assert run.status is RunStatus.FAILED
    assert "States.Timeout" in (run.error or "")
    assert (run.database, run.table) == ("shop", "orders")


def test_store_without_a_profile_task_fails(tmp_path: Path) -> None:
    code, _, err = job(tmp_path, "store", spec_for(orders(tmp_path)))
    assert code == 2
    assert f"No archived profile of run {RUN_ID}" in err


def test_options_stand_in_for_the_environment(tmp_path: Path) -> None:
    data = orders(tmp_path, rows=30)
    result = runner.invoke(
        build_app(),
        [
            "job",
            "profile",
            "--execution-arn",
            ARN,
            "--spec",
            spec_for(data),
            "--store",
            str(tmp_path / "s"),
            "--archive",
            str(tmp_path / "a"),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "a").glob("profiles/*/*.json"))) == 1
